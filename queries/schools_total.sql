-- schools.total: the number of schools passing the town / stage / area_type filters.
select count(*)::bigint as total,
from filtered_schools($town, $stage, $area_type, $scope) as fs
