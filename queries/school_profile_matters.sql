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
        case
            when sm.principal_meeting_on is null and sm.party_meeting_on is null
                then '缺校长办公会议和党组织会议审议'
            when sm.party_meeting_on is null then '缺党组织会议审议'
            when sm.principal_meeting_on is null then '缺校长办公会议审议'
            when sm.implemented_on < greatest(sm.principal_meeting_on, sm.party_meeting_on)
                then '先实施后审议'
            else '合规'
        end as review_status,
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
