-- Branch × quarter of $year for a heatmap: the meeting counts of every quarter, whether the quarter is due
-- (ended by $as_of and not before founded_on) and, when due, whether it is compliant (else null).
with
schools_in_scope as (
    select fs.school_code, fs.school_name
    from filtered_schools($town, $stage, $area_type, $scope) as fs
),

branches_in_scope as (
    select b.org_code, b.org_name, b.org_type, b.school_code
    from branches($town, $stage, $area_type, $scope) as b
)

select
    b.org_code,
    b.org_name,
    b.org_type,
    b.school_code,
    fs.school_name,
    bq.quarter_no::bigint as quarter_no,
    bq.is_due,
    bq.general_meetings_count,
    bq.committee_months_count,
    bq.lessons_count,
    case when bq.is_due then bq.is_compliant end as is_compliant,
from branches_in_scope as b
join branch_quarters($year, $as_of) as bq on bq.org_code = b.org_code
left join schools_in_scope as fs on fs.school_code = b.school_code
order by b.org_code, bq.quarter_no
