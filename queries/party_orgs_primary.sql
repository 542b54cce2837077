-- The primary Party orgs (empty parent_org_code) with their school and how many sub-orgs they have.
with
schools_in_scope as (
    select fs.school_code, fs.school_name
    from filtered_schools($town, $stage, $area_type, $scope) as fs
),

orgs_in_scope as (
    select fo.*
    from filtered_orgs($town, $stage, $area_type, $scope) as fo
),

sub_orgs as (
    select o.parent_org_code as org_code, count(*)::bigint as sub_orgs_count,
    from party_orgs as o
    where not is_primary_org(o.parent_org_code)
    group by o.parent_org_code
)

select
    fo.org_code,
    fo.org_name,
    fo.org_type,
    fo.school_code,
    fs.school_name,
    fo.members::bigint as members_count,
    coalesce(so.sub_orgs_count, 0)::bigint as sub_orgs_count,
    fo.founded_on,
from orgs_in_scope as fo
left join schools_in_scope as fs on fs.school_code = fo.school_code
left join sub_orgs as so on so.org_code = fo.org_code
where is_primary_org(fo.parent_org_code)
order by fo.org_type, fo.org_code
