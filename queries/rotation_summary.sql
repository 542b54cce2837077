-- rotation over school year $school_year: eligible teachers, rotated = distinct (from_school_code,
-- teacher_id), ratio, schools measured (eligible_teachers > 0) and those below $target.
with
filtered_schools as (
    select s.school_code
    from schools as s
    where ($town is null or s.town = $town)
        and ($stage is null or s.stage = $stage)
        and ($area_type is null or s.area_type = $area_type)
),

quotas as (
    select q.school_code, q.eligible_teachers
    from rotation_quotas as q
    where q.school_year = $school_year
        and q.school_code in (select fs.school_code from filtered_schools as fs)
),

rotated_per_school as (
    select rc.school_code, rc.rotated_count,
    from rotation_counts as rc
    where rc.school_year = $school_year
        and rc.school_code in (select fs.school_code from filtered_schools as fs)
),

measured as (
    select q.school_code, coalesce(rps.rotated_count, 0) / q.eligible_teachers::double as school_ratio,
    from quotas as q
    left join rotated_per_school as rps on rps.school_code = q.school_code
    where q.eligible_teachers > 0
),

counts as (
    select
        (select coalesce(sum(q.eligible_teachers), 0)::bigint from quotas as q) as eligible,
        (select coalesce(sum(rps.rotated_count), 0)::bigint from rotated_per_school as rps) as rotated,
        (select count(*)::bigint from measured) as schools_measured,
        (select count(*)::bigint from measured as m where m.school_ratio < $target) as schools_below_target,
)

select
    c.eligible,
    c.rotated,
    c.rotated / nullif(c.eligible, 0)::double as ratio,
    c.schools_measured,
    c.schools_below_target,
from counts as c
