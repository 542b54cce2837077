-- What each school reported after a batch: per table, school, period and batch in force, the rows that
-- batches later than p_after_batch brought (table batch_arrivals, written by every load: changed rows or
-- not, so a school sending the same rows again has still reported). A row counts for the school it
-- belongs to (for 党组织's records, the org's school) and for the period its table is kept by: a calendar
-- year (年度, or the year of the record's date), a school year (学年), or none (学校, 党组织, 领导班子 are
-- standing records); engine.ledger.ARRIVALS says which. A rolled-back batch's arrivals are left out, so
-- a rollback puts a task back by itself. 报送任务 and the 整改台账's "data loaded after the item opened"
-- both read this.
create or replace macro school_arrivals(p_after_batch) as table
select
    a.table_name,
    a.school_code,
    a.year,
    a.school_year,
    a.batch_id,
    a.rows_count,
from batch_arrivals as a
join batches as b on b.batch_id = a.batch_id
where a.batch_id > p_after_batch and not b.rolled_back
