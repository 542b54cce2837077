-- charter: schools whose charter is revised by $as_of (charter_revised and charter_revised_on empty or
-- <= $as_of); rate = revised / schools.
with
filtered_schools as (
    select s.school_code, s.school_name, s.town, s.stage, s.area_type, s.charter_revised, s.charter_revised_on
    from schools as s
    where ($town is null or s.town = $town)
        and ($stage is null or s.stage = $stage)
        and ($area_type is null or s.area_type = $area_type)
),

flagged as (
    select fs.charter_revised and coalesce(fs.charter_revised_on <= $as_of, true) as is_revised,
    from filtered_schools as fs
)

select
    count(*)::bigint as schools,
    count(*) filter (where f.is_revised)::bigint as revised,
    count(*) filter (where f.is_revised) / nullif(count(*), 0)::double as rate,
from flagged as f
