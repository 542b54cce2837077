-- 三会一课 per branch and calendar quarter of p_year: whether the quarter is due at p_as_of, the meeting
-- counts, and the quarter's rule flags from the summary table meeting_quarters (where the rule itself is
-- written, derived_meeting_quarters.sql). A quarter without any meeting has no row there: zero counts,
-- not compliant. The branch-level, heat-map and school-profile files all read this one grid.
create or replace macro branch_quarters(p_year, p_as_of) as table
select
    o.org_code,
    o.school_code,
    q.quarter_no,
    is_quarter_due(q.quarter_start, q.quarter_end, p_as_of, o.founded_on) as is_due,
    coalesce(mq.meetings_count, 0)::bigint as meetings_count,
    coalesce(mq.general_meetings_count, 0)::bigint as general_meetings_count,
    coalesce(mq.committee_months_count, 0)::bigint as committee_months_count,
    coalesce(mq.lessons_count, 0)::bigint as lessons_count,
    coalesce(mq.has_general_meeting, false) as has_general_meeting,
    coalesce(mq.has_monthly_committee, false) as has_monthly_committee,
    coalesce(mq.has_lesson, false) as has_lesson,
    coalesce(mq.is_compliant, false) as is_compliant,
from party_orgs as o
cross join year_quarters(p_year) as q
left join meeting_quarters as mq
    on mq.org_code = o.org_code and mq.year = p_year and mq.quarter_no = q.quarter_no
where is_branch(o.org_type)
