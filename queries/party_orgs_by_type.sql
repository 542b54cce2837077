-- party_orgs: primary orgs (empty parent_org_code) per org_type with their members. A 联合 org without a
-- school counts only when no filter is set, because it cannot be placed in a town, stage or area type.
with
filtered_schools as (
    select s.school_code
    from schools as s
    where ($town is null or s.town = $town)
        and ($stage is null or s.stage = $stage)
        and ($area_type is null or s.area_type = $area_type)
),

filtered_orgs as (
    select o.org_code, o.org_type, o.parent_org_code, o.members
    from party_orgs as o
    where o.school_code in (select fs.school_code from filtered_schools as fs)
        or (o.school_code is null and $town is null and $stage is null and $area_type is null)
),

primary_orgs as (
    select fo.org_type, fo.members
    from filtered_orgs as fo
    where coalesce(fo.parent_org_code, '') = ''
)

select
    po.org_type,
    count(*)::bigint as primary_count,
    coalesce(sum(po.members), 0)::bigint as members_count,
from primary_orgs as po
group by po.org_type
order by po.org_type
