-- charter: a school's charter counts as revised at a day when it is flagged revised and the revision
-- date, if recorded, is not after that day.
create or replace macro is_charter_revised(p_charter_revised, p_charter_revised_on, p_day) as
    coalesce(p_charter_revised and coalesce(p_charter_revised_on <= p_day, true), false)
