-- The activities a reading covers: those held by the filtered schools, plus the district-level ones
-- (no school; e.g. organised by the 区教研中心) when no filter is set, because such an activity cannot
-- be placed in a town, stage or area type (the rule filtered_orgs applies to school-less 联合 orgs).
create or replace macro filtered_activities(p_town, p_stage, p_area_type, p_scope := null) as table
select a.*
from activities as a
where a.school_code in (select fs.school_code from filtered_schools(p_town, p_stage, p_area_type, p_scope) as fs)
    or (a.school_code is null and p_town is null and p_stage is null and p_area_type is null and p_scope is null)
