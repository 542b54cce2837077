-- One school ($school_code): the 最强党支部 honours of its orgs, newest first.
with
school_orgs as (
    select o.org_code, o.org_name
    from party_orgs as o
    where o.school_code = $school_code
)

select
    h.year::bigint as year,
    h.level,
    so.org_code,
    so.org_name,
from honors as h
join school_orgs as so on so.org_code = h.org_code
order by h.year desc, case h.level when '市级' then 1 when '区级' then 2 else 3 end, so.org_code
