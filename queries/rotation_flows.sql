-- Rotations of school year $school_year between area types (城区 / 镇区 / 乡村): distinct (from school,
-- teacher) per from → to pair, for a Sankey, from the derived table rotation_area_flows. Filters apply
-- to the sending school.
with
schools_in_scope as (
    select fs.school_code, fs.area_type
    from filtered_schools($town, $stage, $area_type, $scope) as fs
)

select
    fs.area_type as from_area_type,
    f.to_area_type,
    sum(f.rotations_count)::bigint as rotations_count,
from rotation_area_flows as f
join schools_in_scope as fs on fs.school_code = f.from_school_code
where f.school_year = $school_year
group by fs.area_type, f.to_area_type
order by fs.area_type, f.to_area_type
