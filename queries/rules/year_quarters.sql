-- The four calendar quarters of a year, with their first and last days.
create or replace macro year_quarters(p_year) as table
select
    r.range as quarter_no,
    make_date(p_year, 3 * r.range - 2, 1) as quarter_start,
    last_day(make_date(p_year, 3 * r.range, 1)) as quarter_end,
from range(1, 5) as r
