-- two_level_review per school for matters registered in $year, read from the derived table
-- matter_reviews_by_school (matter_reviews, where the rules are written, summed over categories);
-- compliant_share is null for a school without matters.
with
filtered_schools as (
    select s.school_code, s.school_name, s.town, s.stage, s.area_type
    from schools as s
    where ($town is null or s.town = $town)
        and ($stage is null or s.stage = $stage)
        and ($area_type is null or s.area_type = $area_type)
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
    ps.compliant_count / nullif(ps.matters_count, 0)::double as compliant_share,
from filtered_schools as fs
left join per_school as ps on ps.school_code = fs.school_code
order by fs.school_code
