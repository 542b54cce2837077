-- two_level_review per 类别 for matters registered in $year, summed from the derived table matter_reviews.
with
schools_in_scope as (
    select fs.school_code
    from filtered_schools($town, $stage, $area_type, $scope) as fs
)

select
    mr.category,
    sum(mr.matters_count)::bigint as matters_count,
    sum(mr.compliant_count)::bigint as compliant_count,
    sum(mr.missing_party_count)::bigint as missing_party_count,
    sum(mr.missing_principal_count)::bigint as missing_principal_count,
    sum(mr.implemented_before_review_count)::bigint as implemented_before_review_count,
    share(sum(mr.compliant_count), sum(mr.matters_count)) as compliant_share,
from matter_reviews as mr
where mr.year = $year
    and mr.school_code in (select fs.school_code from schools_in_scope as fs)
group by mr.category
order by mr.category
