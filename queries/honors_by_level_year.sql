-- 最强党支部 honours per award year and level: rows awarded that year and how many were first awards of
-- that org at that level, every year present.
with
orgs_in_scope as (
    select fo.org_code, fo.org_name, fo.org_type, fo.school_code
    from filtered_orgs($town, $stage, $area_type, $scope) as fo
),

org_honors as (
    select
        h.org_code,
        h.level,
        h.year,
        min(h.year) over (partition by h.org_code, h.level) as first_year,
    from honors as h
    where h.org_code in (select fo.org_code from orgs_in_scope as fo)
)

select
    oh.year::bigint as year,
    oh.level,
    count(*)::bigint as honors_count,
    count(*) filter (where oh.year = oh.first_year)::bigint as new_count,
from org_honors as oh
group by oh.year, oh.level
order by oh.year, oh.level
