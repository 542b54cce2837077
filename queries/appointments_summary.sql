-- appointments: leader rows with post 书记 / 副书记 whose appointed_on falls in calendar year $year.
with
schools_in_scope as (
    select fs.school_code
    from filtered_schools($town, $stage, $area_type, $scope) as fs
),

appointed as (
    select l.post
    from leaders as l
    where l.post in ('书记', '副书记')
        and is_in_year(l.appointed_on, $year)
        and l.school_code in (select fs.school_code from schools_in_scope as fs)
)

select
    count(*) filter (where a.post = '书记')::bigint as secretaries,
    count(*) filter (where a.post = '副书记')::bigint as deputy_secretaries,
from appointed as a
