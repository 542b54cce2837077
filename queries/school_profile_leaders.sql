-- One school ($school_code): its leadership timeline, every post held, newest first, and whether it is
-- current at $as_of.
with
school_leaders as (
    select l.*
    from leaders as l
    where l.school_code = $school_code
)

select
    sl.person_id,
    sl.name,
    sl.post,
    sl.is_party_member,
    sl.appointed_on,
    sl.left_on,
    is_in_post(sl.appointed_on, sl.left_on, $as_of) as is_current,
from school_leaders as sl
order by
    sl.appointed_on desc,
    case sl.post when '书记' then 1 when '校长' then 2 when '副书记' then 3 when '副校长' then 4 else 5 end,
    sl.person_id
