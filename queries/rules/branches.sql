-- The branches a reading covers: the filtered orgs whose type 三会一课 is judged on.
create or replace macro branches(p_town, p_stage, p_area_type, p_scope := null) as table
select fo.*
from filtered_orgs(p_town, p_stage, p_area_type, p_scope) as fo
where is_branch(fo.org_type)
