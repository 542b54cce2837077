-- Branch × quarter of $year for a heatmap: the meeting counts of every quarter, whether the quarter is due
-- (ended by $as_of and not before founded_on) and, when due, whether it is compliant (else null).
with
filtered_schools as (
    select s.school_code, s.school_name, s.town, s.stage, s.area_type
    from schools as s
    where ($town is null or s.town = $town)
        and ($stage is null or s.stage = $stage)
        and ($area_type is null or s.area_type = $area_type)
),

branches as (
    select o.org_code, o.org_name, o.org_type, o.school_code, o.founded_on
    from party_orgs as o
    where o.org_type in ('党支部', '联合党支部')
        and (
            o.school_code in (select fs.school_code from filtered_schools as fs)
            or (o.school_code is null and $town is null and $stage is null and $area_type is null)
        )
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
        mq.is_compliant,
    from meeting_quarters as mq
    where mq.year = $year
),

grid as (
    select
        b.org_code,
        b.org_name,
        b.org_type,
        b.school_code,
        q.quarter_no,
        q.quarter_end <= $as_of and (b.founded_on is null or q.quarter_start >= b.founded_on) as is_due,
    from branches as b
    cross join quarters as q
)

select
    g.org_code,
    g.org_name,
    g.org_type,
    g.school_code,
    fs.school_name,
    g.quarter_no::bigint as quarter_no,
    g.is_due,
    coalesce(qm.general_meetings_count, 0)::bigint as general_meetings_count,
    coalesce(qm.committee_months_count, 0)::bigint as committee_months_count,
    coalesce(qm.lessons_count, 0)::bigint as lessons_count,
    case
        when g.is_due then coalesce(qm.is_compliant, false)
    end as is_compliant,
from grid as g
left join quarter_meetings as qm on qm.org_code = g.org_code and qm.quarter_no = g.quarter_no
left join filtered_schools as fs on fs.school_code = g.school_code
order by g.org_code, g.quarter_no
