-- A day falls in a calendar year (written as a range so an index on the date column can serve it).
create or replace macro is_in_year(p_day, p_year) as
    p_day >= make_date(p_year, 1, 1) and p_day < make_date(p_year + 1, 1, 1)
