-- The years the 趋势 page shows: every calendar year with a yearly record (matters registered, meetings
-- held, honours, duty reports; the derived table record_years) that has begun by $as_of.
select ry.year::bigint as year,
from record_years as ry
where ry.is_yearly_record and make_date(ry.year, 1, 1) <= $as_of
order by ry.year
