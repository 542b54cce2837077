-- brands per primary Party org (the orgs party_orgs.primary counts: rule filtered_orgs, so a 联合 org
-- without a school only when no filter is set): its school, its 党建品牌 and whether it has one (rule
-- has_brand; empty = none). Every org reports its brand with its row, so has_records is always true.
with
schools_in_scope as (
    select fs.school_code, fs.school_name
    from filtered_schools($town, $stage, $area_type, $scope) as fs
)

select
    fo.org_code,
    fo.org_name,
    fo.org_type,
    fo.school_code,
    fs.school_name,
    fo.members::bigint as members_count,
    nullif(trim(fo.brand), '') as brand,
    has_brand(fo.brand) as is_branded,
    true as has_records,
from filtered_orgs($town, $stage, $area_type, $scope) as fo
left join schools_in_scope as fs on fs.school_code = fo.school_code
where is_primary_org(fo.parent_org_code)
order by fo.org_type, fo.org_code
