-- One school ($school_code): every 三重一大 matter, all years, with its two_level_review outcome.
with
school_matters as (
    select m.*
    from matters as m
    where m.school_code = $school_code
),

judged as (
    select
        sm.*,
        coalesce(review_problem(sm.principal_meeting_on, sm.party_meeting_on, sm.implemented_on), '合规')
            as review_status,
    from school_matters as sm
)

select
    year(j.registered_on)::bigint as year,
    j.matter_id,
    j.category,
    j.title,
    j.amount_yuan,
    j.registered_on,
    j.principal_meeting_on,
    j.party_meeting_on,
    j.implemented_on,
    j.review_status,
    j.review_status = '合规' as is_compliant,
from judged as j
order by j.registered_on desc, j.matter_id
