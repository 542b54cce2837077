-- three_meetings_one_lesson per branch over $year (the district figure is these rows summed):
-- quarters due, compliant, and how many due quarters lacked each of the three requirements.
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
    select mq.org_code, mq.quarter_no, mq.has_general_meeting, mq.has_monthly_committee, mq.has_lesson, mq.is_compliant
    from meeting_quarters as mq
    where mq.year = $year
),

org_quarters as (
    select b.org_code, b.school_code, q.quarter_no
    from branches as b
    cross join quarters as q
    where q.quarter_end <= $as_of
        and (b.founded_on is null or q.quarter_start >= b.founded_on)
),

assessed as (
    select
        oq.org_code,
        oq.school_code,
        oq.quarter_no,
        coalesce(qm.has_general_meeting, false) as has_general_meeting,
        coalesce(qm.has_monthly_committee, false) as has_monthly_committee,
        coalesce(qm.has_lesson, false) as has_lesson,
        coalesce(qm.is_compliant, false) as is_compliant,
    from org_quarters as oq
    left join quarter_meetings as qm on qm.org_code = oq.org_code and qm.quarter_no = oq.quarter_no
),

per_org as (
    select
        a.org_code,
        count(*)::bigint as quarters_due_count,
        count(*) filter (where a.is_compliant)::bigint as compliant_count,
        count(*) filter (where not a.has_general_meeting)::bigint as missing_general_meeting_count,
        count(*) filter (where not a.has_monthly_committee)::bigint as missing_committee_count,
        count(*) filter (where not a.has_lesson)::bigint as missing_lesson_count,
    from assessed as a
    group by a.org_code
)

select
    b.org_code,
    b.org_name,
    b.org_type,
    b.school_code,
    fs.school_name,
    b.founded_on,
    coalesce(po.quarters_due_count, 0)::bigint as quarters_due_count,
    coalesce(po.compliant_count, 0)::bigint as compliant_count,
    po.compliant_count / nullif(po.quarters_due_count, 0)::double as compliant_share,
    coalesce(po.missing_general_meeting_count, 0)::bigint as missing_general_meeting_count,
    coalesce(po.missing_committee_count, 0)::bigint as missing_committee_count,
    coalesce(po.missing_lesson_count, 0)::bigint as missing_lesson_count,
from branches as b
left join per_org as po on po.org_code = b.org_code
left join filtered_schools as fs on fs.school_code = b.school_code
order by b.org_code
