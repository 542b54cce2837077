-- The 书记 / 副书记 appointments of calendar year $year, one row per leader row, newest first.
with
schools_in_scope as (
    select fs.school_code, fs.school_name, fs.town, fs.stage, fs.area_type
    from filtered_schools($town, $stage, $area_type, $scope) as fs
),

appointed as (
    select l.school_code, l.person_id, l.name, l.post, l.is_party_member, l.appointed_on, l.left_on
    from leaders as l
    where l.post in ('书记', '副书记')
        and is_in_year(l.appointed_on, $year)
)

select
    fs.school_code,
    fs.school_name,
    fs.town,
    fs.stage,
    fs.area_type,
    a.person_id,
    a.name,
    a.post,
    a.appointed_on,
    a.left_on,
from appointed as a
join schools_in_scope as fs on fs.school_code = a.school_code
order by a.appointed_on desc, fs.school_code, a.person_id
