-- two_level_review per school for matters registered in $year (same rules as
-- two_level_review_summary.sql); compliant_share is null for a school without matters.
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
),

per_school as (
    select
        c.school_code,
        count(*)::bigint as matters_count,
        count(*) filter (where c.is_compliant)::bigint as compliant_count,
        count(*) filter (where c.is_missing_party)::bigint as missing_party_count,
        count(*) filter (where c.is_missing_principal)::bigint as missing_principal_count,
        count(*) filter (where c.is_implemented_before_review)::bigint as implemented_before_review_count,
    from classified as c
    group by c.school_code
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
