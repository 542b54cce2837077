-- The 书记 / 副书记 appointments of calendar year $year, one row per leader row, newest first.
with
filtered_schools as (
    select s.school_code, s.school_name, s.town, s.stage, s.area_type
    from schools as s
    where ($town is null or s.town = $town)
        and ($stage is null or s.stage = $stage)
        and ($area_type is null or s.area_type = $area_type)
),

appointed as (
    select l.school_code, l.person_id, l.name, l.post, l.is_party_member, l.appointed_on, l.left_on
    from leaders as l
    where l.post in ('书记', '副书记')
        and l.appointed_on >= make_date($year, 1, 1)
        and l.appointed_on < make_date($year + 1, 1, 1)
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
join filtered_schools as fs on fs.school_code = a.school_code
order by a.appointed_on desc, fs.school_code, a.person_id
