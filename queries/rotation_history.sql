-- rotation per school year, every school year in rotation_quotas: the same numbers as the rotation
-- indicator (rotation_by_school.sql summed) for each one.
with
schools_in_scope as (
    select fs.school_code
    from filtered_schools($town, $stage, $area_type, $scope) as fs
),

quotas as (
    select q.school_year, q.school_code, q.eligible_teachers
    from rotation_quotas as q
    where q.school_code in (select fs.school_code from schools_in_scope as fs)
),

rotated_per_school as (
    select rc.school_year, rc.school_code, rc.rotated_count,
    from rotation_counts as rc
    where rc.rotated_count > 0
        and rc.school_code in (select fs.school_code from schools_in_scope as fs)
),

school_years as (
    select q.school_year from quotas as q
    union
    select rps.school_year from rotated_per_school as rps
),

per_year_quota as (
    select
        q.school_year,
        sum(q.eligible_teachers)::bigint as eligible,
        count(*) filter (where q.eligible_teachers > 0)::bigint as schools_measured,
        count(*) filter (
            where is_below_target(rps.rotated_count, q.eligible_teachers, $target)
        )::bigint as schools_below_target,
    from quotas as q
    left join rotated_per_school as rps
        on rps.school_year = q.school_year and rps.school_code = q.school_code
    group by q.school_year
),

per_year_rotated as (
    select rps.school_year, sum(rps.rotated_count)::bigint as rotated,
    from rotated_per_school as rps
    group by rps.school_year
)

select
    sy.school_year,
    coalesce(pq.eligible, 0)::bigint as eligible,
    coalesce(pr.rotated, 0)::bigint as rotated,
    share(pr.rotated, pq.eligible) as ratio,
    coalesce(pq.schools_measured, 0)::bigint as schools_measured,
    coalesce(pq.schools_below_target, 0)::bigint as schools_below_target,
from school_years as sy
left join per_year_quota as pq on pq.school_year = sy.school_year
left join per_year_rotated as pr on pr.school_year = sy.school_year
order by sy.school_year
