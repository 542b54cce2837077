-- What each school reported after a batch: per table, school, period and batch, the rows in force now
-- that batches later than p_after_batch wrote. A row counts for the school it belongs to (for 党组织's
-- records, the org's school) and for the period its table is kept by: a calendar year (年度, or the
-- year of the record's date), a school year (学年), or none (学校, 党组织, 领导班子 are standing
-- records). Rows of a rolled-back batch are never in force, so a rollback takes its rows out of here
-- by itself; an upsert that changes a row writes a new version in force. 报送任务 and the 整改台账's
-- "data loaded after the item opened" both read this.
create or replace macro school_arrivals(p_after_batch) as table
with
orgs as (
    select o.org_code, o.school_code
    from party_orgs as o
),

arrived as (
    select 'schools' as table_name, h.school_code, null::integer as year, null::varchar as school_year, h._batch_id
    from schools__history as h
    where h._current and h._batch_id > p_after_batch
    union all
    select 'party_orgs', h.school_code, null, null, h._batch_id
    from party_orgs__history as h
    where h._current and h._batch_id > p_after_batch
    union all
    select 'leaders', h.school_code, null, null, h._batch_id
    from leaders__history as h
    where h._current and h._batch_id > p_after_batch
    union all
    select 'honors', o.school_code, h.year, null, h._batch_id
    from honors__history as h
    join orgs as o on o.org_code = h.org_code
    where h._current and h._batch_id > p_after_batch
    union all
    select 'rotation_quotas', h.school_code, null, h.school_year, h._batch_id
    from rotation_quotas__history as h
    where h._current and h._batch_id > p_after_batch
    union all
    select 'rotations', h.from_school_code, null, h.school_year, h._batch_id
    from rotations__history as h
    where h._current and h._batch_id > p_after_batch
    union all
    select 'matters', h.school_code, year(h.registered_on)::integer, null, h._batch_id
    from matters__history as h
    where h._current and h._batch_id > p_after_batch
    union all
    select 'meetings', o.school_code, year(h.held_on)::integer, null, h._batch_id
    from meetings__history as h
    join orgs as o on o.org_code = h.org_code
    where h._current and h._batch_id > p_after_batch
    union all
    select 'duty_reports', h.school_code, h.year::integer, null, h._batch_id
    from duty_reports__history as h
    where h._current and h._batch_id > p_after_batch
    union all
    select 'activities', h.school_code, year(h.held_on)::integer, null, h._batch_id
    from activities__history as h
    where h._current and h._batch_id > p_after_batch
    union all
    select 'unified_subject_staffing', h.school_code, null, h.school_year, h._batch_id
    from unified_subject_staffing__history as h
    where h._current and h._batch_id > p_after_batch
)

select
    a.table_name,
    a.school_code,
    a.year,
    a.school_year,
    a._batch_id as batch_id,
    count(*)::bigint as rows_count,
from arrived as a
where a.school_code is not null
group by all
