-- The org tree for a sunburst: one root row for the bureau's committee, then every filtered org under its
-- parent (or under the root when it is primary or its parent is filtered out). members_count includes
-- sub-orgs' members as recorded (SPEC), so plotly's branchvalues='total' applies; the root carries the sum
-- over primary orgs.
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

placed as (
    select
        fo.org_code as node_id,
        case
            when fo.parent_org_code in (select p.org_code from filtered_orgs as p) then fo.parent_org_code
            else '__bureau__'
        end as parent_id,
        fo.org_name as label,
        fo.org_type,
        fo.school_code,
        fo.members::bigint as members_count,
    from filtered_orgs as fo
),

root as (
    select
        '__bureau__' as node_id,
        '' as parent_id,
        '区教体局党委' as label,
        '' as org_type,
        cast(null as varchar) as school_code,
        coalesce(sum(p.members_count) filter (where p.parent_id = '__bureau__'), 0)::bigint as members_count,
    from placed as p
)

select r.* from root as r
union all
select p.* from placed as p
order by parent_id, node_id
