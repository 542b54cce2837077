-- 组织生活会 and 民主评议党员 per calendar year of held_on: meetings held and distinct orgs holding them.
with
filtered_schools as (
    select s.school_code
    from schools as s
    where ($town is null or s.town = $town)
        and ($stage is null or s.stage = $stage)
        and ($area_type is null or s.area_type = $area_type)
),

filtered_orgs as (
    select o.org_code
    from party_orgs as o
    where o.school_code in (select fs.school_code from filtered_schools as fs)
        or (o.school_code is null and $town is null and $stage is null and $area_type is null)
),

yearly_meetings as (
    select year(m.held_on) as year, m.kind, m.org_code
    from meetings as m
    where m.kind in ('组织生活会', '民主评议党员')
        and m.org_code in (select fo.org_code from filtered_orgs as fo)
)

select
    ym.year::bigint as year,
    ym.kind,
    count(*)::bigint as meetings_count,
    count(distinct ym.org_code)::bigint as orgs_count,
from yearly_meetings as ym
group by ym.year, ym.kind
order by ym.year, ym.kind
