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
        m.org_code,
        quarter(m.held_on) as quarter_no,
        count(*) filter (where m.kind = '支部党员大会') as general_meetings_count,
        -- months of the quarter with a 支部委员会, as bits (0-2) counted: cheaper than count(distinct)
        bit_count(bit_or(1 << ((month(m.held_on) - 1) % 3)) filter (where m.kind = '支部委员会'))
            as committee_months_count,
        count(*) filter (where m.kind = '党课') as lessons_count,
        count(*) as meetings_count,
    from meetings as m
    where m.held_on >= make_date($year, 1, 1)
        and m.held_on < make_date($year + 1, 1, 1)
        and m.org_code in (select b.org_code from branches as b)
    group by m.org_code, quarter(m.held_on)
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
        when g.is_due then coalesce(qm.general_meetings_count, 0) >= 1
            and coalesce(qm.committee_months_count, 0) = 3
            and coalesce(qm.lessons_count, 0) >= 1
    end as is_compliant,
from grid as g
left join quarter_meetings as qm on qm.org_code = g.org_code and qm.quarter_no = g.quarter_no
order by g.org_code, g.quarter_no
