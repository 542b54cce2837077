-- 书记 / 副书记 appointments per calendar year of appointed_on, every year present.
with
filtered_schools as (
    select s.school_code
    from schools as s
    where ($town is null or s.town = $town)
        and ($stage is null or s.stage = $stage)
        and ($area_type is null or s.area_type = $area_type)
),

appointed as (
    select year(l.appointed_on) as year, l.post
    from leaders as l
    where l.post in ('书记', '副书记')
        and l.school_code in (select fs.school_code from filtered_schools as fs)
)

select
    a.year::bigint as year,
    count(*) filter (where a.post = '书记')::bigint as secretaries_count,
    count(*) filter (where a.post = '副书记')::bigint as deputy_secretaries_count,
from appointed as a
group by a.year
order by a.year
