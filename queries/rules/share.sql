-- A ratio as the contract defines it: null (never 0, never an error) when the denominator is 0 or null.
create or replace macro share(p_part, p_whole) as p_part / nullif(p_whole, 0)::double
