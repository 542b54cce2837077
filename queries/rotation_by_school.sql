-- rotation per school over school year $school_year: eligible teachers, teachers sent out (distinct
-- teacher_id), teachers received (both from the derived table rotation_counts), rotated_share and whether it is below $target. Schools without a quota
-- row keep eligible_teachers null (not measured) and has_records false (未报送 for that school year).
with
schools_in_scope as (
    select fs.school_code, fs.school_name, fs.town, fs.stage, fs.area_type
    from filtered_schools($town, $stage, $area_type, $scope) as fs
),

quotas as (
    select q.school_code, q.eligible_teachers
    from rotation_quotas as q
    where q.school_year = $school_year
),

counts as (
    select rc.school_code, rc.rotated_count, rc.received_count
    from rotation_counts as rc
    where rc.school_year = $school_year
),

per_school as (
    select
        fs.*,
        q.eligible_teachers,
        coalesce(rc.rotated_count, 0)::bigint as rotated_count,
        coalesce(rc.received_count, 0)::bigint as received_count,
        share(coalesce(rc.rotated_count, 0), q.eligible_teachers) as rotated_share,
        q.school_code is not null as has_records,
    from schools_in_scope as fs
    left join quotas as q on q.school_code = fs.school_code
    left join counts as rc on rc.school_code = fs.school_code
)

select
    ps.*,
    coalesce(ps.eligible_teachers > 0, false) as is_measured,
    is_below_target(ps.rotated_count, ps.eligible_teachers, $target) as is_below_target,
from per_school as ps
order by ps.school_code
