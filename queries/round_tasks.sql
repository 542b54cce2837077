-- 报送任务: one row per round, school and table the school must report, with whether its rows for the
-- round's period arrived after the round opened (rule school_arrivals) and whether the deadline passed.
-- Never stored: an upload, an upsert and a rollback move a task by themselves. $scope: the school codes
-- a 学校 account may see (null = the whole district).
with
round_list as (
    select r.*
    from rounds as r
),

round_schools as (
    select
        r.round_id,
        fs.school_code,
        fs.school_name,
        fs.town,
    from round_list as r,
        filtered_schools(r.town, r.stage, r.area_type, $scope) as fs
    where r.school_codes is null or list_contains(r.school_codes, fs.school_code)
),

tasks as (
    select
        rs.round_id,
        rs.school_code,
        rs.school_name,
        rs.town,
        t.table_name,
    from round_schools as rs
    join round_list as r on r.round_id = rs.round_id
    cross join unnest(r.table_names) as t (table_name)
),

arrived as (
    select
        t.round_id,
        t.school_code,
        t.table_name,
        sum(a.rows_count)::bigint as rows_count,
        max(a.batch_id) as latest_batch_id,
    from tasks as t
    join round_list as r on r.round_id = t.round_id
    join school_arrivals((select coalesce(min(rl.after_batch_id), 0) from round_list as rl)) as a
        on a.table_name = t.table_name
        and a.school_code = t.school_code
        and a.batch_id > r.after_batch_id
        and (
            (a.year is null and a.school_year is null)
            or a.year = r.year
            or a.school_year = r.school_year
        )
    group by all
)

select
    t.round_id,
    r.round_name,
    t.school_code,
    t.school_name,
    t.town,
    t.table_name,
    r.deadline,
    coalesce(a.rows_count, 0)::bigint as rows_count,
    b.loaded_at as reported_at,
    b.user_name as reported_by,
    coalesce(a.rows_count, 0) > 0 as is_reported,
    coalesce(a.rows_count, 0) = 0 and $today > r.deadline as is_overdue,
from tasks as t
join round_list as r on r.round_id = t.round_id
left join arrived as a
    on a.round_id = t.round_id and a.school_code = t.school_code and a.table_name = t.table_name
left join batches as b on b.batch_id = a.latest_batch_id
order by t.round_id desc, t.school_code, t.table_name
