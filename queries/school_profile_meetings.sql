-- One school ($school_code): its branches × quarters of $year with the three_meetings_one_lesson counts,
-- whether the quarter is due at $as_of and, when due, compliant.
select
    o.org_code,
    o.org_name,
    bq.quarter_no::bigint as quarter_no,
    bq.is_due,
    bq.meetings_count,
    bq.general_meetings_count,
    bq.committee_months_count,
    bq.lessons_count,
    case when bq.is_due then bq.is_compliant end as is_compliant,
from branch_quarters($year, $as_of) as bq
join party_orgs as o on o.org_code = bq.org_code
where bq.school_code = $school_code
order by o.org_code, bq.quarter_no
