-- Every school year in rotation_quotas, for the 学年 picker of the pages (oldest first).
select distinct q.school_year,
from rotation_quotas as q
where q.school_year is not null
order by q.school_year
