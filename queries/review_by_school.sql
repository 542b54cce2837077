-- two_level_review per school for matters registered in $year, summed from the derived table
-- matter_reviews (where the rules are written); compliant_share is null for a school without matters.
with
filtered_schools as (
    select s.school_code, s.school_name, s.town, s.stage, s.area_type
    from schools as s
    where ($town is null or s.town = $town)
        and ($stage is null or s.stage = $stage)
        and ($area_type is null or s.area_type = $area_type)
),

per_school as (
    select
        mr.school_code,
        sum(mr.matters_count) as matters_count,
        sum(mr.compliant_count) as compliant_count,
        sum(mr.missing_party_count) as missing_party_count,
        sum(mr.missing_principal_count) as missing_principal_count,
        sum(mr.implemented_before_review_count) as implemented_before_review_count,
    from matter_reviews as mr
    where mr.year = $year
    group by mr.school_code
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
