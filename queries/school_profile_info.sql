-- One school ($school_code): its attributes, its Party orgs' count, members and 党建品牌 (rule has_brand),
-- and charter status at $as_of.
with
school as (
    select s.*
    from schools as s
    where s.school_code = $school_code
),

orgs as (
    select
        count(*)::bigint as orgs_count,
        coalesce(sum(o.members) filter (where is_primary_org(o.parent_org_code)), 0)::bigint as members_count,
        string_agg(trim(o.brand), '、' order by o.org_code) filter (where has_brand(o.brand)) as brands,
    from party_orgs as o
    where o.school_code = $school_code
)

select
    s.*,
    is_charter_revised(s.charter_revised, s.charter_revised_on, $as_of) as is_charter_revised,
    o.orgs_count,
    o.members_count,
    o.brands,
from school as s
cross join orgs as o
