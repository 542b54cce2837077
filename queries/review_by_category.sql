-- two_level_review per 类别 for matters registered in $year (same rules as two_level_review_summary.sql).
with
filtered_schools as (
    select s.school_code, s.school_name, s.town, s.stage, s.area_type
    from schools as s
    where ($town is null or s.town = $town)
        and ($stage is null or s.stage = $stage)
        and ($area_type is null or s.area_type = $area_type)
),

matters_of_year as (
    select
        m.matter_id,
        m.school_code,
        m.category,
        m.principal_meeting_on is not null and m.party_meeting_on is not null as has_both_reviews,
        m.party_meeting_on is null as is_missing_party,
        m.principal_meeting_on is null as is_missing_principal,
        m.implemented_on < greatest(m.principal_meeting_on, m.party_meeting_on) as is_implemented_early,
    from matters as m
    where m.registered_on >= make_date($year, 1, 1)
        and m.registered_on < make_date($year + 1, 1, 1)
        and m.school_code in (select fs.school_code from filtered_schools as fs)
),

classified as (
    select
        my.*,
        my.has_both_reviews and not coalesce(my.is_implemented_early, false) as is_compliant,
        my.has_both_reviews and coalesce(my.is_implemented_early, false) as is_implemented_before_review,
    from matters_of_year as my
)

select
    c.category,
    count(*)::bigint as matters_count,
    count(*) filter (where c.is_compliant)::bigint as compliant_count,
    count(*) filter (where c.is_missing_party)::bigint as missing_party_count,
    count(*) filter (where c.is_missing_principal)::bigint as missing_principal_count,
    count(*) filter (where c.is_implemented_before_review)::bigint as implemented_before_review_count,
    count(*) filter (where c.is_compliant) / nullif(count(*), 0)::double as compliant_share,
from classified as c
group by c.category
order by c.category
