-- Changes whenever a 报送任务 round or a 整改 item changes (every change of an item writes an event):
-- with data_version, the cache key of the 报送任务 and 整改台账 pages.
select
    (select count(*) from rounds)::varchar
    || '-' || (select count(closed_at) from rounds)::varchar
    || '-' || (select count(*) from rectification_events)::varchar as tasks_version,
