-- unified_subjects per subject (道德与法治, 语文, 历史) for $school_year over the filtered schools: teachers
-- needed, assigned, the gap (rule teacher_gap) and the schools short of that subject.
with
year_rows as (
    select us.subject, us.school_code, us.teachers_needed, us.teachers_assigned
    from unified_subject_staffing as us
    where us.school_year = $school_year
        and us.school_code in (select fs.school_code from filtered_schools($town, $stage, $area_type, $scope) as fs)
)

select
    yr.subject,
    sum(yr.teachers_needed)::bigint as teachers_needed,
    sum(yr.teachers_assigned)::bigint as teachers_assigned,
    sum(teacher_gap(yr.teachers_needed, yr.teachers_assigned))::bigint as teachers_gap,
    count(distinct yr.school_code) filter (
        where yr.teachers_assigned < yr.teachers_needed
    )::bigint as schools_short_count,
from year_rows as yr
group by yr.subject
order by yr.subject
