-- Derived table matter_reviews, rebuilt by the store whenever matters change: per school, calendar year
-- of registered_on and category, the two-level review counts every review query sums. The rules are the
-- macros of queries/rules/ (is_review_compliant, is_implemented_early): compliant, missing_party /
-- missing_principal (that date empty; a matter missing both counts in both), implemented_before_review
-- (both reviews present and carried out before at least one).
with
classified as (
    select
        m.school_code,
        year(m.registered_on) as year,
        m.category,
        is_review_compliant(m.principal_meeting_on, m.party_meeting_on, m.implemented_on) as is_compliant,
        m.party_meeting_on is null as is_missing_party,
        m.principal_meeting_on is null as is_missing_principal,
        m.principal_meeting_on is not null
            and m.party_meeting_on is not null
            and is_implemented_early(m.principal_meeting_on, m.party_meeting_on, m.implemented_on)
            as is_implemented_early,
    from matters as m
)

select
    c.school_code,
    c.year::bigint as year,
    c.category,
    count(*)::bigint as matters_count,
    count(*) filter (where c.is_compliant)::bigint as compliant_count,
    count(*) filter (where c.is_missing_party)::bigint as missing_party_count,
    count(*) filter (where c.is_missing_principal)::bigint as missing_principal_count,
    count(*) filter (where c.is_implemented_early)::bigint as implemented_before_review_count,
from classified as c
group by c.school_code, c.year, c.category
