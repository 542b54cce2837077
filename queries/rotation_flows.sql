-- Rotations of school year $school_year between area types (城区 / 镇区 / 乡村): distinct (from school,
-- teacher) per from → to pair, for a Sankey. Filters apply to the sending school.
with
filtered_schools as (
    select s.school_code, s.area_type
    from schools as s
    where ($town is null or s.town = $town)
        and ($stage is null or s.stage = $stage)
        and ($area_type is null or s.area_type = $area_type)
),

all_schools as (
    select s.school_code, s.area_type
    from schools as s
),

moves as (
    -- (school_year, teacher_id, from_school_code) is the table's key, so one school year's rows are
    -- already distinct (from_school_code, teacher_id): no distinct needed
    select r.from_school_code, r.teacher_id, r.to_school_code
    from rotations as r
    where r.school_year = $school_year
)

select
    fs.area_type as from_area_type,
    ts.area_type as to_area_type,
    count(*)::bigint as rotations_count,
from moves as m
join filtered_schools as fs on fs.school_code = m.from_school_code
join all_schools as ts on ts.school_code = m.to_school_code
group by fs.area_type, ts.area_type
order by fs.area_type, ts.area_type
