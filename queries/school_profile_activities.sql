-- One school ($school_code): its activities held up to $as_of, latest first.
select
    year(a.held_on)::bigint as year,
    a.held_on,
    a.kind as activity_kind,
    a.area,
    a.title as activity_title,
    a.organiser,
    a.participants,
from activities as a
where a.school_code = $school_code and a.held_on <= $as_of
order by a.held_on desc, a.activity_id
