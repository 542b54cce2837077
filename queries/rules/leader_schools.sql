-- The schools that have reported their leadership by a day: any 领导班子 row whose post began by then.
-- A school without one is 未报送 on the indicators read from that table (split_roles, cross_appointment),
-- not 空缺 or 未达标.
create or replace macro leader_schools(p_day) as table
select distinct l.school_code,
from leaders as l
where l.appointed_on <= p_day
