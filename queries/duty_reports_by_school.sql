-- duty_reports per school for $year: the two flags as recorded (null when the school has no row) and
-- whether both are done.
with
filtered_schools as (
    select s.school_code, s.school_name, s.town, s.stage, s.area_type, s.charter_revised, s.charter_revised_on
    from schools as s
    where ($town is null or s.town = $town)
        and ($stage is null or s.stage = $stage)
        and ($area_type is null or s.area_type = $area_type)
),

year_rows as (
    select d.school_code, d.to_superior, d.to_staff
    from duty_reports as d
    where d.year = $year
)

select
    fs.school_code,
    fs.school_name,
    fs.town,
    fs.stage,
    fs.area_type,
    yr.to_superior,
    yr.to_staff,
    coalesce(yr.to_superior and yr.to_staff, false) as is_both_done,
from filtered_schools as fs
left join year_rows as yr on yr.school_code = fs.school_code
order by fs.school_code
