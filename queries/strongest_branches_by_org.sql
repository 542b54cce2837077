-- strongest_branches per org and level up to $year: when first and last honoured, how many years, and
-- whether $year is the first time (is_new).
with
orgs_in_scope as (
    select fo.org_code, fo.org_name, fo.org_type, fo.school_code
    from filtered_orgs($town, $stage, $area_type, $scope) as fo
),

schools_named as (
    select s.school_code, s.school_name
    from schools as s
)

select
    fo.org_code,
    fo.org_name,
    fo.org_type,
    fo.school_code,
    sn.school_name,
    hp.level,
    hp.first_year::bigint as first_year,
    hp.latest_year::bigint as latest_year,
    hp.years_count,
    hp.first_year = $year as is_new,
from honored_pairs($year, $town, $stage, $area_type, $scope) as hp
join orgs_in_scope as fo on fo.org_code = hp.org_code
left join schools_named as sn on sn.school_code = fo.school_code
order by
    case hp.level when '市级' then 1 when '区级' then 2 else 3 end,
    hp.first_year desc,
    fo.org_code
