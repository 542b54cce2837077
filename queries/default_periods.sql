-- The data's own default periods: the latest calendar year with any dated record (every date column of
-- every table, plus honors.year and duty_reports.year) and the latest school year in rotation_quotas.
with
record_years as (
    select max(year(appointed_on)) as record_year from leaders
    union all select max(year(left_on)) from leaders
    union all select max(year(founded_on)) from party_orgs
    union all select max(year(charter_revised_on)) from schools
    union all select max(year(registered_on)) from matters
    union all select max(year(principal_meeting_on)) from matters
    union all select max(year(party_meeting_on)) from matters
    union all select max(year(implemented_on)) from matters
    union all select max(year(held_on)) from meetings
    union all select max(year) from honors
    union all select max(year) from duty_reports
),

latest_school_year as (
    select max(q.school_year) as school_year
    from rotation_quotas as q
)

select
    cast(max(ry.record_year) as bigint) as latest_year,
    any_value(lsy.school_year) as latest_school_year,
from record_years as ry
cross join latest_school_year as lsy
