-- Derived table meeting_quarters, rebuilt by the store whenever meetings change: one row per org and
-- calendar quarter that has any meeting, with the counts the 三会一课 rules read. Pages read this
-- (hundreds of thousands of rows at province scale) instead of scanning millions of meetings.
-- committee_months_count = months of the quarter with a 支部委员会 (bits 0-2 counted, cheaper than distinct).
-- The 三会一课 rule of a quarter is written here only: at least one 支部党员大会, a 支部委员会 in each of
-- its three months and at least one 党课 (has_* flags and is_compliant). A quarter without a row had no
-- meeting at all and is not compliant.
-- Stored in year and org order: the per-branch files join it on org_code within one year, and on sorted
-- rows those joins ran a quarter to a third faster (province: +60 ms at load, -13 to -33 ms a view).
with
counts as (
    select
        m.org_code,
        year(m.held_on)::bigint as year,
        quarter(m.held_on)::bigint as quarter_no,
        count(*)::bigint as meetings_count,
        count(*) filter (where m.kind = '支部党员大会')::bigint as general_meetings_count,
        bit_count(coalesce(bit_or(1 << ((month(m.held_on) - 1) % 3)) filter (where m.kind = '支部委员会'), 0))::bigint
            as committee_months_count,
        count(*) filter (where m.kind = '党课')::bigint as lessons_count,
        count(*) filter (where m.kind = '组织生活会')::bigint as life_meetings_count,
        count(*) filter (where m.kind = '民主评议党员')::bigint as member_reviews_count,
    from meetings as m
    group by m.org_code, year(m.held_on), quarter(m.held_on)
)

select
    c.*,
    c.general_meetings_count >= 1 as has_general_meeting,
    c.committee_months_count = 3 as has_monthly_committee,
    c.lessons_count >= 1 as has_lesson,
    has_general_meeting and has_monthly_committee and has_lesson as is_compliant,  -- the flags above
from counts as c
order by c.year, c.org_code, c.quarter_no
