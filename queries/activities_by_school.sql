-- activities per school held in $year: every filtered school with its count, participants and kinds;
-- has_records false for a school that held none (the page lists them). District-level activities have
-- no school and are not here (activities_by_kind counts them).
with
schools_in_scope as (
    select fs.school_code, fs.school_name, fs.town, fs.stage, fs.area_type
    from filtered_schools($town, $stage, $area_type, $scope) as fs
),

per_school as (
    select
        a.school_code,
        count(*)::bigint as activities_count,
        coalesce(sum(a.participants), 0)::bigint as participants_count,
        string_agg(distinct a.kind, '、' order by a.kind) as activity_kinds,
        max(a.held_on) as latest_held_on,
    from activities as a
    where is_in_year(a.held_on, $year)
        and a.school_code in (select fs.school_code from schools_in_scope as fs)
    group by a.school_code
)

select
    fs.*,
    coalesce(ps.activities_count, 0)::bigint as activities_count,
    coalesce(ps.participants_count, 0)::bigint as participants_count,
    ps.activity_kinds,
    ps.latest_held_on,
    ps.school_code is not null as has_records,
from schools_in_scope as fs
left join per_school as ps on ps.school_code = fs.school_code
order by fs.school_code
