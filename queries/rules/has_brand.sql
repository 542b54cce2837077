-- A Party org has a 党建品牌 (一支部一品牌) when its brand is filled with more than blanks; empty = none.
create or replace macro has_brand(p_brand) as coalesce(trim(p_brand), '') <> ''
