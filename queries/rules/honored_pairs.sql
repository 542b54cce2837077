-- strongest_branches: each (org, level) of the filtered orgs honoured in a year up to p_year, with the
-- first and latest year and the number of years; a pair counts once however often it was honoured.
create or replace macro honored_pairs(p_year, p_town, p_stage, p_area_type, p_scope := null) as table
select
    h.org_code,
    h.level,
    min(h.year) as first_year,
    max(h.year) as latest_year,
    count(*)::bigint as years_count,
from honors as h
where h.year <= p_year
    and h.org_code in (select fo.org_code from filtered_orgs(p_town, p_stage, p_area_type, p_scope) as fo)
group by h.org_code, h.level
