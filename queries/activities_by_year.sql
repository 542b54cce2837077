-- activities per calendar year up to $year (every year with one): how many, participants, and the
-- 教学观摩 / 蹲校教研 and 结对共建 the district summary counts (rule filtered_activities).
with
activities_in_scope as (
    select year(fa.held_on) as year, fa.kind, fa.participants
    from filtered_activities($town, $stage, $area_type, $scope) as fa
    where year(fa.held_on) <= $year
)

select
    ais.year::bigint as year,
    count(*)::bigint as activities_count,
    coalesce(sum(ais.participants), 0)::bigint as participants_count,
    count(*) filter (where ais.kind in ('教学观摩', '蹲校教研'))::bigint as observation_count,
    count(*) filter (where ais.kind = '结对共建')::bigint as pairing_count,
from activities_in_scope as ais
group by ais.year
order by ais.year
