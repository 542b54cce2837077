-- Every 报送任务 round, newest first: what it asks for, of whom and by when (its tasks and their state
-- are round_tasks). A 学校 account ($scope) sees only the rounds that ask something of its schools.
select
    r.round_id,
    r.round_name,
    r.year,
    r.school_year,
    r.table_names,
    r.deadline,
    r.town,
    r.stage,
    r.area_type,
    r.school_codes,
    r.opened_at,
    r.opened_by,
    r.after_batch_id,
    r.closed_at,
    r.closed_by,
    r.closed_at is null as is_open,
from rounds as r
where $scope is null
    or exists (
        select 1
        from filtered_schools(r.town, r.stage, r.area_type, $scope) as fs
        where r.school_codes is null or list_contains(r.school_codes, fs.school_code)
    )
order by r.round_id desc
