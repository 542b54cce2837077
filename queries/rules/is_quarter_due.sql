-- A branch's quarter is due for 三会一课 when it has ended by the as-of day and did not begin before the
-- branch was founded (when the founding date is known).
create or replace macro is_quarter_due(p_quarter_start, p_quarter_end, p_as_of, p_founded_on) as
    p_quarter_end <= p_as_of and (p_founded_on is null or p_quarter_start >= p_founded_on)
