-- three_meetings_one_lesson over calendar year $year: org-quarters are every 党支部 / 联合党支部 times every
-- quarter of $year that has ended by $as_of and starts on or after the org's founded_on (when given).
-- Compliant: >= 1 支部党员大会 in the quarter, a 支部委员会 in each of its three months, >= 1 党课.
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
        m.org_code,
        quarter(m.held_on) as quarter_no,
        count(*) filter (where m.kind = '支部党员大会') as general_meetings_count,
        -- months of the quarter with a 支部委员会, as bits (0-2) counted: cheaper than count(distinct)
        bit_count(bit_or(1 << ((month(m.held_on) - 1) % 3)) filter (where m.kind = '支部委员会'))
            as committee_months_count,
        count(*) filter (where m.kind = '党课') as lessons_count,
    from meetings as m
    where m.held_on >= make_date($year, 1, 1)
        and m.held_on < make_date($year + 1, 1, 1)
        and m.kind in ('支部党员大会', '支部委员会', '党课')
    group by m.org_code, quarter(m.held_on)
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
        coalesce(qm.general_meetings_count, 0) >= 1 as has_general_meeting,
        coalesce(qm.committee_months_count, 0) = 3 as has_monthly_committee,
        coalesce(qm.lessons_count, 0) >= 1 as has_lesson,
        coalesce(qm.general_meetings_count, 0) >= 1
            and coalesce(qm.committee_months_count, 0) = 3
            and coalesce(qm.lessons_count, 0) >= 1 as is_compliant,
    from org_quarters as oq
    left join quarter_meetings as qm on qm.org_code = oq.org_code and qm.quarter_no = oq.quarter_no
)

select
    count(*)::bigint as org_quarters,
    count(*) filter (where a.is_compliant)::bigint as compliant,
    count(*) filter (where a.is_compliant) / nullif(count(*), 0)::double as rate,
from assessed as a
