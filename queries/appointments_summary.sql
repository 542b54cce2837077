-- appointments: leader rows with post 书记 / 副书记 whose appointed_on falls in calendar year $year.
with
filtered_schools as (
    select s.school_code
    from schools as s
    where ($town is null or s.town = $town)
        and ($stage is null or s.stage = $stage)
        and ($area_type is null or s.area_type = $area_type)
),

appointed as (
    select l.post
    from leaders as l
    where l.post in ('书记', '副书记')
        and l.appointed_on >= make_date($year, 1, 1)
        and l.appointed_on < make_date($year + 1, 1, 1)
        and l.school_code in (select fs.school_code from filtered_schools as fs)
)

select
    count(*) filter (where a.post = '书记')::bigint as secretaries,
    count(*) filter (where a.post = '副书记')::bigint as deputy_secretaries,
from appointed as a
