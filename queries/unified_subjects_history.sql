-- unified_subjects per school year, every school year in unified_subject_staffing: the same numbers as
-- the indicator (unified_subjects_by_school.sql summed) for each one.
with
rows_in_scope as (
    select us.*
    from unified_subject_staffing as us
    where us.school_code in (select fs.school_code from filtered_schools($town, $stage, $area_type, $scope) as fs)
)

select
    ris.school_year,
    sum(ris.teachers_needed)::bigint as teachers_needed,
    sum(ris.teachers_assigned)::bigint as teachers_assigned,
    sum(teacher_gap(ris.teachers_needed, ris.teachers_assigned))::bigint as teachers_gap,
    count(distinct ris.school_code) filter (
        where ris.teachers_assigned < ris.teachers_needed
    )::bigint as schools_short_count,
from rows_in_scope as ris
group by ris.school_year
order by ris.school_year
