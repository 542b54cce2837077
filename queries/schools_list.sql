-- The filtered schools with their attributes, for the 学校 breakdown and the school picker.
with
filtered_schools as (
    select s.*
    from schools as s
    where ($town is null or s.town = $town)
        and ($stage is null or s.stage = $stage)
        and ($area_type is null or s.area_type = $area_type)
)

select
    fs.school_code,
    fs.school_name,
    fs.town,
    fs.stage,
    fs.area_type,
    fs.is_public,
    fs.education_group,
    fs.students,
    fs.staff,
from filtered_schools as fs
order by fs.school_code
