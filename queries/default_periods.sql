-- The data's own default year: the latest calendar year with any dated record (every date column of
-- every table, plus honors.year and duty_reports.year, kept in the derived table record_years).
select (select max(ry.year) from record_years as ry)::bigint as latest_year,
