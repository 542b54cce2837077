-- The filtered schools with their attributes, for the 学校 breakdown and the school picker.
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
from filtered_schools($town, $stage, $area_type, $scope) as fs
order by fs.school_code
