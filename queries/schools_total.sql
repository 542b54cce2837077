-- schools.total: the number of schools passing the town / stage / area_type filters.
with
filtered_schools as (
    select s.school_code
    from schools as s
    where ($town is null or s.town = $town)
        and ($stage is null or s.stage = $stage)
        and ($area_type is null or s.area_type = $area_type)
)

select count(*)::bigint as total,
from filtered_schools
