-- The data's own default periods: the latest calendar year with any dated record (every date column of
-- every table, plus honors.year and duty_reports.year, kept in the derived table record_years) and the
-- latest school year in rotation_quotas.
select
    (select max(ry.year) from record_years as ry)::bigint as latest_year,
    (select max(q.school_year) from rotation_quotas as q) as latest_school_year,
