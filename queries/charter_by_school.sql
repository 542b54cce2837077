-- charter per school at $as_of: the recorded flag and date, and whether it counts as revised.
with
schools_in_scope as (
    select fs.school_code, fs.school_name, fs.town, fs.stage, fs.area_type, fs.charter_revised, fs.charter_revised_on
    from filtered_schools($town, $stage, $area_type, $scope) as fs
),

flagged as (
    select
        fs.*,
        is_charter_revised(fs.charter_revised, fs.charter_revised_on, $as_of) as is_revised,
    from schools_in_scope as fs
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
    true as has_records,  -- 章程已修订 is a required column of 学校: every school has reported it
from flagged as f
order by f.school_code
