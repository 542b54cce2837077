-- The Party orgs a reading covers: the orgs of the filtered schools, plus the 联合 orgs that have no
-- school when no filter is set (such an org cannot be placed in a town, stage or area type).
create or replace macro filtered_orgs(p_town, p_stage, p_area_type, p_scope := null) as table
select o.*
from party_orgs as o
where o.school_code in (select fs.school_code from filtered_schools(p_town, p_stage, p_area_type, p_scope) as fs)
    or (o.school_code is null and p_town is null and p_stage is null and p_area_type is null and p_scope is null)
