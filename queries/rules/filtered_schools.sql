-- The schools a reading covers: those passing the town / stage / area-type filters (null = all) and
-- inside the reader's scope: p_scope is the list of school codes a 学校 account may see (from its
-- account, never from the URL), null for the district roles. Every per-school file starts from this,
-- so "the district" means the same schools everywhere and a school account never reads another's row.
create or replace macro filtered_schools(p_town, p_stage, p_area_type, p_scope := null) as table
select s.*
from schools as s
where (p_town is null or s.town = p_town)
    and (p_stage is null or s.stage = p_stage)
    and (p_area_type is null or s.area_type = p_area_type)
    and (p_scope is null or list_contains(p_scope, s.school_code))
