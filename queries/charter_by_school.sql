-- charter per school at $as_of: the recorded flag and date, and whether it counts as revised.
with
filtered_schools as (
    select s.school_code, s.school_name, s.town, s.stage, s.area_type, s.charter_revised, s.charter_revised_on
    from schools as s
    where ($town is null or s.town = $town)
        and ($stage is null or s.stage = $stage)
        and ($area_type is null or s.area_type = $area_type)
),

flagged as (
    select
        fs.*,
        fs.charter_revised and coalesce(fs.charter_revised_on <= $as_of, true) as is_revised,
    from filtered_schools as fs
)

select
    f.school_code,
    f.school_name,
    f.town,
    f.stage,
    f.area_type,
    f.charter_revised,
    f.charter_revised_on,
    coalesce(f.is_revised, false) as is_revised,
from flagged as f
order by f.school_code
