-- party_orgs: primary orgs (empty parent_org_code) per org_type with their members. A 联合 org without a
-- school counts only when no filter is set, because it cannot be placed in a town, stage or area type.
with
primary_orgs as (
    select fo.org_type, fo.members
    from filtered_orgs($town, $stage, $area_type, $scope) as fo
    where is_primary_org(fo.parent_org_code)
)

select
    po.org_type,
    count(*)::bigint as primary_count,
    coalesce(sum(po.members), 0)::bigint as members_count,
from primary_orgs as po
group by po.org_type
order by po.org_type
