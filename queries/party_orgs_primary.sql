-- The primary Party orgs (empty parent_org_code) with their school and how many sub-orgs they have.
with
filtered_schools as (
    select s.school_code, s.school_name
    from schools as s
    where ($town is null or s.town = $town)
        and ($stage is null or s.stage = $stage)
        and ($area_type is null or s.area_type = $area_type)
),

filtered_orgs as (
    select o.*
    from party_orgs as o
    where o.school_code in (select fs.school_code from filtered_schools as fs)
        or (o.school_code is null and $town is null and $stage is null and $area_type is null)
),

sub_orgs as (
    select o.parent_org_code as org_code, count(*)::bigint as sub_orgs_count,
    from party_orgs as o
    where coalesce(o.parent_org_code, '') <> ''
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
from filtered_orgs as fo
left join filtered_schools as fs on fs.school_code = fo.school_code
left join sub_orgs as so on so.org_code = fo.org_code
where coalesce(fo.parent_org_code, '') = ''
order by fo.org_type, fo.org_code
