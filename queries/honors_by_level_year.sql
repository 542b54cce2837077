-- 最强党支部 honours per award year and level: rows awarded that year and how many were first awards of
-- that org at that level, every year present.
with
filtered_schools as (
    select s.school_code
    from schools as s
    where ($town is null or s.town = $town)
        and ($stage is null or s.stage = $stage)
        and ($area_type is null or s.area_type = $area_type)
),

filtered_orgs as (
    select o.org_code, o.org_name, o.org_type, o.school_code
    from party_orgs as o
    where o.school_code in (select fs.school_code from filtered_schools as fs)
        or (o.school_code is null and $town is null and $stage is null and $area_type is null)
),

org_honors as (
    select
        h.org_code,
        h.level,
        h.year,
        min(h.year) over (partition by h.org_code, h.level) as first_year,
    from honors as h
    where h.org_code in (select fo.org_code from filtered_orgs as fo)
)

select
    oh.year::bigint as year,
    oh.level,
    count(*)::bigint as honors_count,
    count(*) filter (where oh.year = oh.first_year)::bigint as new_count,
from org_honors as oh
group by oh.year, oh.level
order by oh.year, oh.level
