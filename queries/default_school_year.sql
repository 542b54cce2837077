-- The default school year of calendar year $year: the one ending in $year when rotation_quotas has it,
-- else the latest one before it (null when there is none; the caller then names the one ending in $year).
select max(q.school_year) as school_year,
from rotation_quotas as q
where q.school_year <= ($year - 1)::varchar || '-' || $year::varchar
