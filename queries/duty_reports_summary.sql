-- duty_reports: schools with a row for $year where to_superior and to_staff are both true;
-- rate = both_done / schools.
with
filtered_schools as (
    select s.school_code, s.school_name, s.town, s.stage, s.area_type, s.charter_revised, s.charter_revised_on
    from schools as s
    where ($town is null or s.town = $town)
        and ($stage is null or s.stage = $stage)
        and ($area_type is null or s.area_type = $area_type)
),

done_rows as (
    select distinct d.school_code
    from duty_reports as d
    where d.year = $year and d.to_superior and d.to_staff
)

select
    count(*)::bigint as schools,
    count(dr.school_code)::bigint as both_done,
    count(dr.school_code) / nullif(count(*), 0)::double as rate,
from filtered_schools as fs
left join done_rows as dr on dr.school_code = fs.school_code
