-- Every calendar year with a dated record, for the 年度 picker of the pages: the same sources as
-- default_periods.sql, so the default year is always one of the choices.
with
record_years as (
    select year(l.appointed_on) as year from leaders as l
    union select year(l.left_on) from leaders as l
    union select year(o.founded_on) from party_orgs as o
    union select year(s.charter_revised_on) from schools as s
    union select year(m.registered_on) from matters as m
    union select year(m.principal_meeting_on) from matters as m
    union select year(m.party_meeting_on) from matters as m
    union select year(m.implemented_on) from matters as m
    union select year(mt.held_on) from meetings as mt
    union select h.year from honors as h
    union select d.year from duty_reports as d
)

select ry.year::bigint as year,
from record_years as ry
where ry.year is not null
order by ry.year
