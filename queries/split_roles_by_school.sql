-- split_roles per school at $as_of: who holds 书记 and 校长 now, and whether the posts are 分设 (split),
-- 一肩挑 (one person_id holds both) or 空缺 (either post has no current holder); has_records: the school
-- has any 领导班子 row by $as_of (else it is 未报送, not 空缺).
with
schools_in_scope as (
    select fs.school_code, fs.school_name, fs.town, fs.stage, fs.area_type
    from filtered_schools($town, $stage, $area_type, $scope) as fs
),

current_posts as (
    select l.school_code, l.person_id, l.name, l.post
    from leaders as l
    where l.post in ('书记', '校长')
        and is_in_post(l.appointed_on, l.left_on, $as_of)
),

holders as (
    select
        cp.school_code,
        cp.person_id,
        any_value(cp.name) as name,
        bool_or(cp.post = '书记') as is_secretary,
        bool_or(cp.post = '校长') as is_principal,
    from current_posts as cp
    group by cp.school_code, cp.person_id
),

per_school as (
    select
        h.school_code,
        count(*) filter (where h.is_secretary) as secretary_count,
        count(*) filter (where h.is_principal) as principal_count,
        count(*) filter (where h.is_secretary and h.is_principal) as both_count,
        -- names joined from a sorted list: an ordered string_agg cost more than the rest of the query
        array_to_string(list_sort(list(h.name) filter (where h.is_secretary)), '、') as secretary_names,
        array_to_string(list_sort(list(h.name) filter (where h.is_principal)), '、') as principal_names,
    from holders as h
    group by h.school_code
)

select
    fs.school_code,
    fs.school_name,
    fs.town,
    fs.stage,
    fs.area_type,
    ps.secretary_names,
    ps.principal_names,
    split_status(ps.secretary_count, ps.principal_count, ps.both_count) as split_status,
    ls.school_code is not null as has_records,
from schools_in_scope as fs
left join per_school as ps on ps.school_code = fs.school_code
left join leader_schools($as_of) as ls on ls.school_code = fs.school_code
order by fs.school_code
