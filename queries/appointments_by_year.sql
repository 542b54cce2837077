-- 书记 / 副书记 appointments per calendar year of appointed_on, every year present.
with
schools_in_scope as (
    select fs.school_code
    from filtered_schools($town, $stage, $area_type, $scope) as fs
),

appointed as (
    select year(l.appointed_on) as year, l.post
    from leaders as l
    where l.post in ('书记', '副书记')
        and l.school_code in (select fs.school_code from schools_in_scope as fs)
)

select
    a.year::bigint as year,
    count(*) filter (where a.post = '书记')::bigint as secretaries_count,
    count(*) filter (where a.post = '副书记')::bigint as deputy_secretaries_count,
from appointed as a
group by a.year
order by a.year
