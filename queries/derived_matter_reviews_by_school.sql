-- Derived table matter_reviews_by_school, rebuilt by the store right after matter_reviews: the same counts
-- per school and year (categories summed), so the per-school review file reads one row per school instead
-- of grouping every category on each view (it ran three times per 议事决策 page).
select
    mr.school_code,
    mr.year,
    sum(mr.matters_count)::bigint as matters_count,
    sum(mr.compliant_count)::bigint as compliant_count,
    sum(mr.missing_party_count)::bigint as missing_party_count,
    sum(mr.missing_principal_count)::bigint as missing_principal_count,
    sum(mr.implemented_before_review_count)::bigint as implemented_before_review_count,
from matter_reviews as mr
group by mr.school_code, mr.year
