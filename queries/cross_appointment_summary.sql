-- cross_appointment: Party-member persons holding a current 副校长 post (deputies) and those of them who
-- also hold a current 副书记 or 支部委员 post at the same school; share = cross_appointed / deputies.
-- Persons are distinct across the filtered schools, as SPEC counts persons, not posts.
with
filtered_schools as (
    select s.school_code
    from schools as s
    where ($town is null or s.town = $town)
        and ($stage is null or s.stage = $stage)
        and ($area_type is null or s.area_type = $area_type)
),

current_posts as (
    select l.school_code, l.person_id, l.post, l.is_party_member
    from leaders as l
    where l.post in ('副校长', '副书记', '支部委员')
        and l.appointed_on <= $as_of
        and (l.left_on is null or l.left_on > $as_of)
        and l.school_code in (select fs.school_code from filtered_schools as fs)
),

deputies as (
    select distinct cp.school_code, cp.person_id
    from current_posts as cp
    where cp.post = '副校长' and cp.is_party_member
),

committee_seats as (
    select distinct cp.school_code, cp.person_id
    from current_posts as cp
    where cp.post in ('副书记', '支部委员')
),

flagged as (
    select d.person_id, cs.person_id is not null as is_cross,
    from deputies as d
    left join committee_seats as cs on cs.school_code = d.school_code and cs.person_id = d.person_id
),

counts as (
    select
        count(distinct f.person_id)::bigint as deputies,
        count(distinct f.person_id) filter (where f.is_cross)::bigint as cross_appointed,
    from flagged as f
)

select
    c.*,
    c.cross_appointed / nullif(c.deputies, 0)::double as share,
from counts as c
