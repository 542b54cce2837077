-- One school ($school_code): per school year, eligible teachers, teachers sent and received, the share
-- sent and whether it is below $target.
with
quotas as (
    select q.school_year, q.eligible_teachers
    from rotation_quotas as q
    where q.school_code = $school_code
),

sent as (
    select rc.school_year, rc.rotated_count,
    from rotation_counts as rc
    where rc.school_code = $school_code and rc.rotated_count > 0
),

received as (
    select rc.school_year, rc.received_count,
    from rotation_counts as rc
    where rc.school_code = $school_code and rc.received_count > 0
),

school_years as (
    select q.school_year from quotas as q
    union
    select se.school_year from sent as se
    union
    select re.school_year from received as re
)

select
    sy.school_year,
    q.eligible_teachers,
    coalesce(se.rotated_count, 0)::bigint as rotated_count,
    coalesce(re.received_count, 0)::bigint as received_count,
    share(coalesce(se.rotated_count, 0), q.eligible_teachers) as rotated_share,
    is_below_target(se.rotated_count, q.eligible_teachers, $target) as is_below_target,
from school_years as sy
left join quotas as q on q.school_year = sy.school_year
left join sent as se on se.school_year = sy.school_year
left join received as re on re.school_year = sy.school_year
order by sy.school_year
