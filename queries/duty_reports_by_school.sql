-- duty_reports per school for $year: the two flags as recorded (null when the school has no row) and
-- whether both are done; has_records false for a school without a row for $year (未报送).
with
schools_in_scope as (
    select fs.school_code, fs.school_name, fs.town, fs.stage, fs.area_type
    from filtered_schools($town, $stage, $area_type, $scope) as fs
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
    yr.school_code is not null as has_records,
from schools_in_scope as fs
left join year_rows as yr on yr.school_code = fs.school_code
order by fs.school_code
