-- The headline of every indicator for every year present in the yearly records (matters registered,
-- meetings held, honours, duty reports) that starts by $as_of, each year judged at its last day or $as_of
-- if earlier; rotation per school year instead. schools and party_orgs have no history in the data, so
-- they repeat today's count. Columns: period ('2024' or '2023-2024'), indicator (catalog key), value.
with
filtered_schools as (
    select s.school_code, s.charter_revised, s.charter_revised_on
    from schools as s
    where ($town is null or s.town = $town)
        and ($stage is null or s.stage = $stage)
        and ($area_type is null or s.area_type = $area_type)
),

filtered_orgs as (
    select o.org_code, o.org_type, o.parent_org_code, o.founded_on
    from party_orgs as o
    where o.school_code in (select fs.school_code from filtered_schools as fs)
        or (o.school_code is null and $town is null and $stage is null and $area_type is null)
),

periods as (
    select ry.year, least(make_date(ry.year, 12, 31), $as_of) as period_as_of,
    from record_years as ry
    where ry.is_yearly_record and make_date(ry.year, 1, 1) <= $as_of
),

-- split_roles at each period's as-of date
split_holders as (
    select
        p.year,
        l.school_code,
        l.person_id,
        bool_or(l.post = '书记') as is_secretary,
        bool_or(l.post = '校长') as is_principal,
    from leaders as l
    join periods as p
        on l.appointed_on <= p.period_as_of and (l.left_on is null or l.left_on > p.period_as_of)
    where l.post in ('书记', '校长')
        and l.school_code in (select fs.school_code from filtered_schools as fs)
    group by p.year, l.school_code, l.person_id
),

split_schools as (
    select
        sh.year,
        sh.school_code,
        bool_or(sh.is_secretary) and bool_or(sh.is_principal) as has_both_posts,
        bool_or(sh.is_secretary and sh.is_principal) as has_one_holding_both,
    from split_holders as sh
    group by sh.year, sh.school_code
),

split_value as (
    select
        ss.year,
        count(*) filter (where ss.has_both_posts and not ss.has_one_holding_both)
        / nullif(count(*) filter (where ss.has_both_posts), 0)::double as value,
    from split_schools as ss
    group by ss.year
),

-- cross_appointment at each period's as-of date: only persons ever a Party-member deputy at the school
-- can count, so the other committee seats are dropped before the join with the periods
deputy_pairs as (
    select distinct l.school_code, l.person_id
    from leaders as l
    where l.post = '副校长' and l.is_party_member
),

cross_posts as (
    select
        p.year,
        l.school_code,
        l.person_id,
        bool_or(l.post = '副校长' and l.is_party_member) as is_deputy,
        bool_or(l.post in ('副书记', '支部委员')) as is_committee,
    from leaders as l
    semi join deputy_pairs as dp on dp.school_code = l.school_code and dp.person_id = l.person_id
    join periods as p
        on l.appointed_on <= p.period_as_of and (l.left_on is null or l.left_on > p.period_as_of)
    where l.post in ('副校长', '副书记', '支部委员')
        and l.school_code in (select fs.school_code from filtered_schools as fs)
    group by p.year, l.school_code, l.person_id
),

-- SPEC counts persons: a deputy is cross-appointed if at some school in scope he or she is both
cross_persons as (
    select
        cp.year,
        cp.person_id,
        bool_or(cp.is_deputy) as is_deputy,
        bool_or(cp.is_deputy and cp.is_committee) as is_cross,
    from cross_posts as cp
    group by cp.year, cp.person_id
),

cross_value as (
    select
        cp.year,
        count(*) filter (where cp.is_cross) / nullif(count(*) filter (where cp.is_deputy), 0)::double as value,
    from cross_persons as cp
    group by cp.year
),

appointments_value as (
    select year(l.appointed_on) as year, count(*)::double as value,
    from leaders as l
    where l.post = '书记'
        and l.school_code in (select fs.school_code from filtered_schools as fs)
    group by year(l.appointed_on)
),

first_honors as (
    select h.org_code, h.level, min(h.year) as first_year,
    from honors as h
    where h.org_code in (select fo.org_code from filtered_orgs as fo)
    group by h.org_code, h.level
),

honors_value as (
    select p.year, count(*)::double as value,
    from first_honors as fh
    join periods as p on fh.first_year <= p.year
    group by p.year
),

-- rotation per school year
quotas as (
    select q.school_year, q.school_code, q.eligible_teachers
    from rotation_quotas as q
    where q.school_code in (select fs.school_code from filtered_schools as fs)
),

rotated as (
    select rc.school_year, sum(rc.rotated_count) as rotated_count,
    from rotation_counts as rc
    where rc.school_code in (select fs.school_code from filtered_schools as fs)
    group by rc.school_year
    having sum(rc.rotated_count) > 0
),

school_years as (
    select q.school_year from quotas as q
    union
    select rt.school_year from rotated as rt
),

rotation_value as (
    select
        sy.school_year,
        coalesce(rt.rotated_count, 0) / nullif(sum(q.eligible_teachers), 0)::double as value,
    from school_years as sy
    left join quotas as q on q.school_year = sy.school_year
    left join rotated as rt on rt.school_year = sy.school_year
    group by sy.school_year, rt.rotated_count
),

review_value as (
    select mr.year, sum(mr.compliant_count) / nullif(sum(mr.matters_count), 0)::double as value,
    from matter_reviews as mr
    where mr.school_code in (select fs.school_code from filtered_schools as fs)
    group by mr.year
),

-- three_meetings_one_lesson per year, quarters ended by the period's as-of date
branches as (
    select fo.org_code, fo.founded_on
    from filtered_orgs as fo
    where fo.org_type in ('党支部', '联合党支部')
),

period_quarters as (
    select
        p.year,
        r.range as quarter_no,
        make_date(p.year, 3 * r.range - 2, 1) as quarter_start,
    from periods as p
    cross join range(1, 5) as r
    where last_day(make_date(p.year, 3 * r.range, 1)) <= p.period_as_of
),

-- due branch-quarters are counted without the meetings, and compliant ones from the meeting summary
-- alone (a quarter without meetings is not compliant), so no join pairs every due quarter with its row
due_quarters as (
    select pq.year, count(*) as due_count,
    from branches as b
    join period_quarters as pq on b.founded_on is null or pq.quarter_start >= b.founded_on
    group by pq.year
),

compliant_quarters as (
    select pq.year, count(*) as compliant_count,
    from meeting_quarters as mq
    join period_quarters as pq on pq.year = mq.year and pq.quarter_no = mq.quarter_no
    join branches as b on b.org_code = mq.org_code
    where (b.founded_on is null or pq.quarter_start >= b.founded_on)
        and mq.is_compliant
    group by pq.year
),

meetings_value as (
    select dq.year, coalesce(cq.compliant_count, 0) / nullif(dq.due_count, 0)::double as value,
    from due_quarters as dq
    left join compliant_quarters as cq on cq.year = dq.year
),

charter_value as (
    select
        p.year,
        count(*) filter (
            where fs.charter_revised and coalesce(fs.charter_revised_on <= p.period_as_of, true)
        ) / nullif(count(*), 0)::double as value,
    from periods as p
    cross join filtered_schools as fs
    group by p.year
),

duty_done as (
    select d.year, count(distinct d.school_code) as done_count,
    from duty_reports as d
    where d.to_superior and d.to_staff
        and d.school_code in (select fs.school_code from filtered_schools as fs)
    group by d.year
),

duty_value as (
    select
        p.year,
        coalesce(dd.done_count, 0) / nullif((select count(*) from filtered_schools), 0)::double as value,
    from periods as p
    left join duty_done as dd on dd.year = p.year
),

constants as (
    select
        (select count(*) from filtered_schools)::double as schools_total,
        (select count(*) from filtered_orgs as fo where coalesce(fo.parent_org_code, '') = '')::double
            as primary_orgs,
),

yearly as (
    select p.year, 'schools' as indicator, c.schools_total as value,
    from periods as p cross join constants as c
    union all
    select p.year, 'party_orgs', c.primary_orgs from periods as p cross join constants as c
    union all
    select p.year, 'split_roles', sv.value from periods as p left join split_value as sv using (year)
    union all
    select p.year, 'cross_appointment', cv.value from periods as p left join cross_value as cv using (year)
    union all
    select p.year, 'appointments', coalesce(av.value, 0)
    from periods as p left join appointments_value as av using (year)
    union all
    select p.year, 'strongest_branches', coalesce(hv.value, 0)
    from periods as p left join honors_value as hv using (year)
    union all
    select p.year, 'two_level_review', rv.value from periods as p left join review_value as rv using (year)
    union all
    select p.year, 'three_meetings_one_lesson', mv.value
    from periods as p left join meetings_value as mv using (year)
    union all
    select p.year, 'charter', chv.value from periods as p left join charter_value as chv using (year)
    union all
    select p.year, 'duty_reports', dv.value from periods as p left join duty_value as dv using (year)
)

select cast(y.year as varchar) as period, y.indicator, y.value::double as value,
from yearly as y
union all
select rv.school_year, 'rotation', rv.value
from rotation_value as rv
order by indicator, period
