-- The org tree for a sunburst: one root row for the bureau's committee, then every filtered org under its
-- parent (or under the root when it is primary or its parent is filtered out). members_count includes
-- sub-orgs' members as recorded (SPEC), so plotly's branchvalues='total' applies; the root carries the sum
-- over primary orgs.
with
orgs_in_scope as (
    select fo.*
    from filtered_orgs($town, $stage, $area_type, $scope) as fo
),

placed as (
    select
        fo.org_code as node_id,
        case
            when fo.parent_org_code in (select p.org_code from orgs_in_scope as p) then fo.parent_org_code
            else '__bureau__'
        end as parent_id,
        fo.org_name as label,
        fo.org_type,
        fo.school_code,
        fo.members::bigint as members_count,
    from orgs_in_scope as fo
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
