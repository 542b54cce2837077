-- split_roles: schools split / combined / vacant at $as_of and split_share = split / (split + combined).
with
filtered_schools as (
    select s.school_code, s.town, s.stage
    from schools as s
    where ($town is null or s.town = $town)
        and ($stage is null or s.stage = $stage)
        and ($area_type is null or s.area_type = $area_type)
),

current_posts as (
    select l.school_code, l.person_id, l.post
    from leaders as l
    where l.post in ('书记', '校长')
        and l.appointed_on <= $as_of
        and (l.left_on is null or l.left_on > $as_of)
),

holders as (
    select
        cp.school_code,
        cp.person_id,
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
    from holders as h
    group by h.school_code
),

school_status as (
    select
        fs.school_code,
        fs.town,
        fs.stage,
        case
            when coalesce(ps.secretary_count, 0) = 0 or coalesce(ps.principal_count, 0) = 0 then '空缺'
            when ps.both_count > 0 then '一肩挑'
            else '分设'
        end as split_status,
    from filtered_schools as fs
    left join per_school as ps on ps.school_code = fs.school_code
),

counts as (
    select
        count(*)::bigint as schools,
        count(*) filter (where st.split_status = '分设')::bigint as split,
        count(*) filter (where st.split_status = '一肩挑')::bigint as combined,
        count(*) filter (where st.split_status = '空缺')::bigint as vacant,
    from school_status as st
)

select
    c.*,
    c.split / nullif(c.split + c.combined, 0)::double as split_share,
from counts as c
