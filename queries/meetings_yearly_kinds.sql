-- 组织生活会 and 民主评议党员 per calendar year of held_on: meetings held and distinct orgs holding them,
-- from the derived table meeting_quarters.
with
filtered_schools as (
    select s.school_code
    from schools as s
    where ($town is null or s.town = $town)
        and ($stage is null or s.stage = $stage)
        and ($area_type is null or s.area_type = $area_type)
),

filtered_orgs as (
    select o.org_code
    from party_orgs as o
    where o.school_code in (select fs.school_code from filtered_schools as fs)
        or (o.school_code is null and $town is null and $stage is null and $area_type is null)
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
where k.org_code in (select fo.org_code from filtered_orgs as fo)
group by k.year, k.kind
order by k.year, k.kind
