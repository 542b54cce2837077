-- activities held in $year per month and area (领域): how many and their participants (the page sums
-- them by month or by area). The same activities as activities_by_kind (rule filtered_activities).
with
year_activities as (
    select month(fa.held_on) as month_no, fa.area, fa.participants
    from filtered_activities($town, $stage, $area_type, $scope) as fa
    where is_in_year(fa.held_on, $year)
)

select
    ya.month_no::bigint as month_no,
    ya.area,
    count(*)::bigint as activities_count,
    coalesce(sum(ya.participants), 0)::bigint as participants_count,
from year_activities as ya
group by ya.month_no, ya.area
order by ya.month_no, ya.area
