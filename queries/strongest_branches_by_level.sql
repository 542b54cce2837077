-- strongest_branches per level: distinct (org_code, level) honoured in a year <= $year, and how many of
-- them were honoured at that level for the first time in $year. Levels partition the pairs, so the
-- total is the sum over levels.
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

first_honors as (
    select h.org_code, h.level, min(h.year) as first_year,
    from honors as h
    where h.year <= $year
        and h.org_code in (select fo.org_code from filtered_orgs as fo)
    group by h.org_code, h.level
)

select
    fh.level,
    count(*)::bigint as honored_count,
    count(*) filter (where fh.first_year = $year)::bigint as new_count,
from first_honors as fh
group by fh.level
order by fh.level
