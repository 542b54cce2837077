-- Derived table rotation_counts, rebuilt by the store whenever rotations change: per school year and
-- school, teachers sent out (rotated_count; (school_year, teacher_id, from_school_code) is the table's
-- key, so rows are already distinct teachers) and distinct teachers received (received_count).
with
sent as (
    select r.school_year, r.from_school_code as school_code, count(*)::bigint as rotated_count,
    from rotations as r
    group by r.school_year, r.from_school_code
),

received as (
    select r.school_year, r.to_school_code as school_code, count(distinct r.teacher_id)::bigint as received_count,
    from rotations as r
    group by r.school_year, r.to_school_code
)

select
    coalesce(se.school_year, re.school_year) as school_year,
    coalesce(se.school_code, re.school_code) as school_code,
    coalesce(se.rotated_count, 0)::bigint as rotated_count,
    coalesce(re.received_count, 0)::bigint as received_count,
from sent as se
full join received as re on re.school_year = se.school_year and re.school_code = se.school_code
