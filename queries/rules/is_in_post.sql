-- A post is current at a day when it began on or before it and has not ended by it (the contract's rule).
create or replace macro is_in_post(p_appointed_on, p_left_on, p_day) as
    p_appointed_on <= p_day and (p_left_on is null or p_left_on > p_day)
