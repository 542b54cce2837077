-- 组织生活会 and 民主评议党员 per calendar year of held_on: meetings held and distinct orgs holding them,
-- from the derived table meeting_quarters.
with
orgs_in_scope as (
    select fo.org_code
    from filtered_orgs($town, $stage, $area_type, $scope) as fo
),

kinds as (
    select mq.year, '组织生活会' as kind, mq.org_code, mq.life_meetings_count as meetings_count,
    from meeting_quarters as mq
    where mq.life_meetings_count > 0
    union all
    select mq.year, '民主评议党员', mq.org_code, mq.member_reviews_count
    from meeting_quarters as mq
    where mq.member_reviews_count > 0
)

select
    k.year::bigint as year,
    k.kind,
    sum(k.meetings_count)::bigint as meetings_count,
    count(distinct k.org_code)::bigint as orgs_count,
from kinds as k
where k.org_code in (select fo.org_code from orgs_in_scope as fo)
group by k.year, k.kind
order by k.year, k.kind
