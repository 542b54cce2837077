-- The matters registered in $year that fail two_level_review, with the reason in Chinese, newest first.
with
schools_in_scope as (
    select fs.school_code, fs.school_name, fs.town, fs.stage, fs.area_type
    from filtered_schools($town, $stage, $area_type, $scope) as fs
),

matters_of_year as (
    select m.*
    from matters as m
    where is_in_year(m.registered_on, $year)
),

reasons as (
    select
        my.*,
        review_problem(my.principal_meeting_on, my.party_meeting_on, my.implemented_on) as problem,
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
join schools_in_scope as fs on fs.school_code = r.school_code
where r.problem is not null
order by r.registered_on desc, r.matter_id
