-- strongest_branches per level: distinct (org_code, level) honoured in a year <= $year, and how many of
-- them were honoured at that level for the first time in $year. Levels partition the pairs, so the
-- total is the sum over levels.
select
    hp.level,
    count(*)::bigint as honored_count,
    count(*) filter (where hp.first_year = $year)::bigint as new_count,
from honored_pairs($year, $town, $stage, $area_type, $scope) as hp
group by hp.level
order by hp.level
