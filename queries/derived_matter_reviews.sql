-- Derived table matter_reviews, rebuilt by the store whenever matters change: the two-level review rules,
-- written once. Per school, calendar year of registered_on and category: matters, compliant (both
-- review dates present and implemented_on empty or not earlier than either), missing_party /
-- missing_principal (that date empty; a matter missing both counts in both), implemented_before_review
-- (both present and implemented_on earlier than at least one). Every review query sums these rows.
with
classified as (
    select
        m.school_code,
        year(m.registered_on) as year,
        m.category,
        m.principal_meeting_on is not null and m.party_meeting_on is not null as has_both_reviews,
        m.party_meeting_on is null as is_missing_party,
        m.principal_meeting_on is null as is_missing_principal,
        coalesce(m.implemented_on < greatest(m.principal_meeting_on, m.party_meeting_on), false)
            as is_implemented_early,
    from matters as m
)

select
    c.school_code,
    c.year::bigint as year,
    c.category,
    count(*)::bigint as matters_count,
    count(*) filter (where c.has_both_reviews and not c.is_implemented_early)::bigint as compliant_count,
    count(*) filter (where c.is_missing_party)::bigint as missing_party_count,
    count(*) filter (where c.is_missing_principal)::bigint as missing_principal_count,
    count(*) filter (where c.has_both_reviews and c.is_implemented_early)::bigint
        as implemented_before_review_count,
from classified as c
group by c.school_code, c.year, c.category
