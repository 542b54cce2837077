-- activities held in $year per kind (活动类型): how many, and their participants (empty = 0). School
-- filters apply to activities with a school; a district-level activity counts only when no filter is set
-- (the rule filtered_activities). Kinds without an activity are absent; the indicator lists every kind.
with
year_activities as (
    select fa.kind, fa.participants
    from filtered_activities($town, $stage, $area_type, $scope) as fa
    where is_in_year(fa.held_on, $year)
)

select
    ya.kind as activity_kind,
    count(*)::bigint as activities_count,
    coalesce(sum(ya.participants), 0)::bigint as participants_count,
from year_activities as ya
group by ya.kind
order by ya.kind
