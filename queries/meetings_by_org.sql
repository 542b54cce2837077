-- three_meetings_one_lesson per branch over $year (the district figure is these rows summed):
-- quarters due, compliant, and how many due quarters lacked each of the three requirements; has_records:
-- the branch recorded any meeting in a due quarter (else 未报送 for the year).
with
schools_in_scope as (
    select fs.school_code, fs.school_name
    from filtered_schools($town, $stage, $area_type, $scope) as fs
),

branches_in_scope as (
    select b.org_code, b.org_name, b.org_type, b.school_code, b.founded_on
    from branches($town, $stage, $area_type, $scope) as b
),

per_org as (
    select
        bq.org_code,
        count(*)::bigint as quarters_due_count,
        count(*) filter (where bq.is_compliant)::bigint as compliant_count,
        count(*) filter (where not bq.has_general_meeting)::bigint as missing_general_meeting_count,
        count(*) filter (where not bq.has_monthly_committee)::bigint as missing_committee_count,
        count(*) filter (where not bq.has_lesson)::bigint as missing_lesson_count,
        bool_or(bq.meetings_count > 0) as has_meetings,
    from branch_quarters($year, $as_of) as bq
    where bq.is_due
    group by bq.org_code
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
    share(po.compliant_count, po.quarters_due_count) as compliant_share,
    coalesce(po.missing_general_meeting_count, 0)::bigint as missing_general_meeting_count,
    coalesce(po.missing_committee_count, 0)::bigint as missing_committee_count,
    coalesce(po.missing_lesson_count, 0)::bigint as missing_lesson_count,
    coalesce(po.has_meetings, false) as has_records,
from branches_in_scope as b
left join per_org as po on po.org_code = b.org_code
left join schools_in_scope as fs on fs.school_code = b.school_code
order by b.org_code
