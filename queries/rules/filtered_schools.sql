-- The schools a reading covers: those passing the town / stage / area-type filters (null = all).
-- Every per-school file starts from this, so "the district" means the same schools everywhere.
create or replace macro filtered_schools(p_town, p_stage, p_area_type) as table
select s.*
from schools as s
where (p_town is null or s.town = p_town)
    and (p_stage is null or s.stage = p_stage)
    and (p_area_type is null or s.area_type = p_area_type)
