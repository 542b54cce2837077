-- cross_appointment per school at $as_of: Party-member deputies (副校长) and those also on the school's
-- Party committee (副书记 or 支部委员 at the same school), with names, so a leader sees who is missing.
-- SPEC counts persons across the district, and a deputy may serve two schools: _district_deputies and
-- _district_cross_appointed count each person at one school only (a school where the person is
-- cross-appointed if any, then the lowest code), so their sums over the rows are SPEC's district counts.
-- Columns starting with "_" are for those sums; tables and downloads leave them out. has_records: the
-- school has any 领导班子 row by $as_of (else 未报送).
with
schools_in_scope as (
    select fs.school_code, fs.school_name, fs.town, fs.stage, fs.area_type
    from filtered_schools($town, $stage, $area_type, $scope) as fs
),

person_posts as (
    select
        l.school_code,
        l.person_id,
        any_value(l.name) filter (where l.post = '副校长' and l.is_party_member) as name,
        bool_or(l.post = '副校长' and l.is_party_member) as is_deputy,
        bool_or(l.post in ('副书记', '支部委员')) as is_committee,
    from leaders as l
    where l.post in ('副校长', '副书记', '支部委员')
        and is_in_post(l.appointed_on, l.left_on, $as_of)
    group by l.school_code, l.person_id
),

flagged as (
    select pp.school_code, pp.person_id, pp.name, pp.is_committee as is_cross,
    from person_posts as pp
    semi join schools_in_scope as fs on fs.school_code = pp.school_code
    where pp.is_deputy
),

-- deputies at more than one school in scope, and the one school each is counted at
shared_deputies as (
    select
        f.person_id,
        coalesce(min(f.school_code) filter (where f.is_cross), min(f.school_code)) as counted_at,
    from flagged as f
    group by f.person_id
    having count(*) > 1
),

counted as (
    select f.*, sd.person_id is null or sd.counted_at = f.school_code as is_counted,
    from flagged as f
    left join shared_deputies as sd on sd.person_id = f.person_id
),

per_school as (
    select
        f.school_code,
        count(*)::bigint as deputies_count,
        count(*) filter (where f.is_cross)::bigint as cross_appointed_count,
        count(*) filter (where f.is_counted)::bigint as district_deputies,
        count(*) filter (where f.is_counted and f.is_cross)::bigint as district_cross_appointed,
        -- names joined from a sorted list: an ordered string_agg cost more than the rest of the query
        array_to_string(list_sort(list(f.name) filter (where not f.is_cross)), '、') as not_cross_names,
    from counted as f
    group by f.school_code
)

select
    fs.school_code,
    fs.school_name,
    fs.town,
    fs.stage,
    fs.area_type,
    coalesce(ps.deputies_count, 0)::bigint as deputies_count,
    coalesce(ps.cross_appointed_count, 0)::bigint as cross_appointed_count,
    share(ps.cross_appointed_count, ps.deputies_count) as cross_appointed_share,
    ps.not_cross_names,
    coalesce(ps.district_deputies, 0)::bigint as _district_deputies,
    coalesce(ps.district_cross_appointed, 0)::bigint as _district_cross_appointed,
    ls.school_code is not null as has_records,
from schools_in_scope as fs
left join per_school as ps on ps.school_code = fs.school_code
left join leader_schools($as_of) as ls on ls.school_code = fs.school_code
order by fs.school_code
