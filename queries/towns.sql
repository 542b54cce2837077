-- Every 乡镇街道 of the schools, for the sidebar's town filter.
select distinct s.town,
from schools as s
where s.town is not null
order by s.town
