-- The activities held in $year, one row each, latest first: what, when, where (school, or 区级 when the
-- activity has no school), organised by whom, and how many took part (rule filtered_activities).
with
schools_in_scope as (
    select fs.school_code, fs.school_name, fs.town
    from filtered_schools($town, $stage, $area_type, $scope) as fs
)

select
    fa.activity_id,
    fa.held_on,
    fa.kind as activity_kind,
    fa.area,
    fa.title as activity_title,
    fa.school_code,
    coalesce(fs.school_name, '区级') as school_name,
    fs.town,
    fa.organiser,
    fa.participants,
from filtered_activities($town, $stage, $area_type, $scope) as fa
left join schools_in_scope as fs on fs.school_code = fa.school_code
where is_in_year(fa.held_on, $year)
order by fa.held_on desc, fa.activity_id
