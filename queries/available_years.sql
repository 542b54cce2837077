-- Every calendar year with a dated record, for the 年度 picker of the pages: read from the derived
-- table record_years, like default_periods.sql, so the default year is always one of the choices.
select ry.year::bigint as year,
from record_years as ry
order by ry.year
