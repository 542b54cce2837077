-- unified_subjects per school for $school_year: the schools that have ever reported 统编三科配备 up to
-- $school_year (only schools teaching the three subjects with unified textbooks report), with this
-- school year's teachers needed and assigned, the gap (rule teacher_gap, per subject row), whether any
-- subject is short, and which; has_records false for such a school without a row this year (未报送).
with
schools_in_scope as (
    select fs.school_code, fs.school_name, fs.town, fs.stage, fs.area_type
    from filtered_schools($town, $stage, $area_type, $scope) as fs
),

reporting as (
    select distinct us.school_code
    from unified_subject_staffing as us
    where us.school_year <= $school_year
),

year_rows as (
    select
        us.school_code,
        sum(us.teachers_needed)::bigint as teachers_needed,
        sum(us.teachers_assigned)::bigint as teachers_assigned,
        sum(teacher_gap(us.teachers_needed, us.teachers_assigned))::bigint as teachers_gap,
        string_agg(us.subject, '、' order by us.subject) filter (
            where us.teachers_assigned < us.teachers_needed
        ) as short_subjects,
    from unified_subject_staffing as us
    where us.school_year = $school_year
    group by us.school_code
)

select
    fs.*,
    coalesce(yr.teachers_needed, 0)::bigint as teachers_needed,
    coalesce(yr.teachers_assigned, 0)::bigint as teachers_assigned,
    coalesce(yr.teachers_gap, 0)::bigint as teachers_gap,
    yr.short_subjects,
    yr.short_subjects is not null as is_short,
    yr.school_code is not null as has_records,
from schools_in_scope as fs
inner join reporting as r on r.school_code = fs.school_code
left join year_rows as yr on yr.school_code = fs.school_code
order by fs.school_code
