-- Derived table rotation_area_flows, rebuilt by the store whenever rotations or schools change: per
-- school year and sending school, rotations to each area type (城区 / 镇区 / 乡村) of the receiving school.
select
    r.school_year,
    r.from_school_code,
    ts.area_type as to_area_type,
    count(*)::bigint as rotations_count,
from rotations as r
join schools as ts on ts.school_code = r.to_school_code
group by r.school_year, r.from_school_code, ts.area_type
