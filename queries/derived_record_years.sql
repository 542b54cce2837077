-- Derived table record_years, rebuilt by the store whenever a dated table changes: every calendar year
-- of any dated record (every date column of every table, plus honors.year and duty_reports.year), and
-- whether the year has a yearly record (matters registered, meetings held, honours, duty reports,
-- activities held), which are the years the 趋势 page shows.
with
years as (
    select year(l.appointed_on) as year, false as is_yearly_record from leaders as l
    union select year(l.left_on), false from leaders as l
    union select year(o.founded_on), false from party_orgs as o
    union select year(s.charter_revised_on), false from schools as s
    union select year(m.registered_on), true from matters as m
    union select year(m.principal_meeting_on), false from matters as m
    union select year(m.party_meeting_on), false from matters as m
    union select year(m.implemented_on), false from matters as m
    union select year(mt.held_on), true from meetings as mt
    union select h.year, true from honors as h
    union select d.year, true from duty_reports as d
    union select year(a.held_on), true from activities as a
)

select y.year::bigint as year, bool_or(y.is_yearly_record) as is_yearly_record,
from years as y
where y.year is not null
group by y.year
