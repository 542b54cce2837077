-- One school ($school_code): its 统编三科 staffing per school year and subject, with each row's gap (rule
-- teacher_gap).
select
    us.school_year,
    us.subject,
    us.teachers_needed,
    us.teachers_assigned,
    teacher_gap(us.teachers_needed, us.teachers_assigned)::bigint as teachers_gap,
from unified_subject_staffing as us
where us.school_code = $school_code
order by us.school_year desc, us.subject
