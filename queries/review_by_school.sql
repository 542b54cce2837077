-- two_level_review per school for matters registered in $year, read from the derived table
-- matter_reviews_by_school (matter_reviews, where the rules are written, summed over categories);
-- compliant_share is null and has_records false for a school without matters in $year (未报送).
with
schools_in_scope as (
    select fs.school_code, fs.school_name, fs.town, fs.stage, fs.area_type
    from filtered_schools($town, $stage, $area_type, $scope) as fs
),

per_school as (
    select mr.*
    from matter_reviews_by_school as mr
    where mr.year = $year
)

select
    fs.*,
    coalesce(ps.matters_count, 0)::bigint as matters_count,
    coalesce(ps.compliant_count, 0)::bigint as compliant_count,
    coalesce(ps.missing_party_count, 0)::bigint as missing_party_count,
    coalesce(ps.missing_principal_count, 0)::bigint as missing_principal_count,
    coalesce(ps.implemented_before_review_count, 0)::bigint as implemented_before_review_count,
    share(ps.compliant_count, ps.matters_count) as compliant_share,
    ps.school_code is not null as has_records,
from schools_in_scope as fs
left join per_school as ps on ps.school_code = fs.school_code
order by fs.school_code
