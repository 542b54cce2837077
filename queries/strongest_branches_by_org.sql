-- strongest_branches per org and level up to $year: when first and last honoured, how many years, and
-- whether $year is the first time (is_new).
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

schools_named as (
    select s.school_code, s.school_name
    from schools as s
),

org_honors as (
    select
        h.org_code,
        h.level,
        min(h.year) as first_year,
        max(h.year) as latest_year,
        count(*)::bigint as years_count,
    from honors as h
    where h.year <= $year
    group by h.org_code, h.level
)

select
    fo.org_code,
    fo.org_name,
    fo.org_type,
    fo.school_code,
    sn.school_name,
    oh.level,
    oh.first_year::bigint as first_year,
    oh.latest_year::bigint as latest_year,
    oh.years_count,
    oh.first_year = $year as is_new,
from org_honors as oh
join filtered_orgs as fo on fo.org_code = oh.org_code
left join schools_named as sn on sn.school_code = fo.school_code
order by
    case oh.level when '市级' then 1 when '区级' then 2 else 3 end,
    oh.first_year desc,
    fo.org_code
