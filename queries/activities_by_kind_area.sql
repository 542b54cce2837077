-- activities held in $year per kind and area (rule filtered_activities): how many, participants, and the
-- three titles held most often, as a list (the Word report names them: 领航型校长培训, 网上团课 ...).
with
year_activities as (
    select fa.kind, fa.area, fa.title, fa.participants
    from filtered_activities($town, $stage, $area_type, $scope) as fa
    where is_in_year(fa.held_on, $year)
),

titles as (
    select
        ya.kind,
        ya.area,
        ya.title,
        row_number() over (partition by ya.kind, ya.area order by count(*) desc, ya.title) as title_rank,
    from year_activities as ya
    group by ya.kind, ya.area, ya.title
),

top_titles as (
    select t.kind, t.area, list(t.title order by t.title_rank) as top_titles,
    from titles as t
    where t.title_rank <= 3
    group by t.kind, t.area
)

select
    ya.kind as activity_kind,
    ya.area,
    count(*)::bigint as activities_count,
    coalesce(sum(ya.participants), 0)::bigint as participants_count,
    any_value(tt.top_titles) as top_titles,
from year_activities as ya
left join top_titles as tt on tt.kind = ya.kind and tt.area = ya.area
group by ya.kind, ya.area
order by ya.kind, ya.area
