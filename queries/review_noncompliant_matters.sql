-- The matters registered in $year that fail two_level_review, with the reason in Chinese, newest first.
with
filtered_schools as (
    select s.school_code, s.school_name, s.town, s.stage, s.area_type
    from schools as s
    where ($town is null or s.town = $town)
        and ($stage is null or s.stage = $stage)
        and ($area_type is null or s.area_type = $area_type)
),

matters_of_year as (
    select m.*
    from matters as m
    where m.registered_on >= make_date($year, 1, 1)
        and m.registered_on < make_date($year + 1, 1, 1)
),

reasons as (
    select
        my.*,
        case
            when my.principal_meeting_on is null and my.party_meeting_on is null
                then '缺校长办公会议和党组织会议审议'
            when my.party_meeting_on is null then '缺党组织会议审议'
            when my.principal_meeting_on is null then '缺校长办公会议审议'
            when my.implemented_on < greatest(my.principal_meeting_on, my.party_meeting_on)
                then '先实施后审议'
        end as problem,
    from matters_of_year as my
)

select
    fs.school_code,
    fs.school_name,
    fs.town,
    r.matter_id,
    r.category,
    r.title,
    r.amount_yuan,
    r.registered_on,
    r.principal_meeting_on,
    r.party_meeting_on,
    r.implemented_on,
    r.problem,
from reasons as r
join filtered_schools as fs on fs.school_code = r.school_code
where r.problem is not null
order by r.registered_on desc, r.matter_id
