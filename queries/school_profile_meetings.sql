-- One school ($school_code): its branches × quarters of $year with the three_meetings_one_lesson counts,
-- whether the quarter is due at $as_of and, when due, compliant.
with
branches as (
    select o.org_code, o.org_name, o.org_type, o.founded_on
    from party_orgs as o
    where o.school_code = $school_code
        and o.org_type in ('党支部', '联合党支部')
),

quarters as (
    select
        r.range as quarter_no,
        make_date($year, 3 * r.range - 2, 1) as quarter_start,
        last_day(make_date($year, 3 * r.range, 1)) as quarter_end,
    from range(1, 5) as r
),

quarter_meetings as (
    select
        mq.org_code, mq.quarter_no, mq.general_meetings_count, mq.committee_months_count, mq.lessons_count,
        mq.meetings_count, mq.is_compliant,
    from meeting_quarters as mq
    where mq.year = $year
        and mq.org_code in (select b.org_code from branches as b)
),

grid as (
    select
        b.org_code,
        b.org_name,
        q.quarter_no,
        q.quarter_end <= $as_of and (b.founded_on is null or q.quarter_start >= b.founded_on) as is_due,
    from branches as b
    cross join quarters as q
)

select
    g.org_code,
    g.org_name,
    g.quarter_no::bigint as quarter_no,
    g.is_due,
    coalesce(qm.meetings_count, 0)::bigint as meetings_count,
    coalesce(qm.general_meetings_count, 0)::bigint as general_meetings_count,
    coalesce(qm.committee_months_count, 0)::bigint as committee_months_count,
    coalesce(qm.lessons_count, 0)::bigint as lessons_count,
    case
        when g.is_due then coalesce(qm.is_compliant, false)
    end as is_compliant,
from grid as g
left join quarter_meetings as qm on qm.org_code = g.org_code and qm.quarter_no = g.quarter_no
order by g.org_code, g.quarter_no
