-- For each 整改 item, the tables in which its school has rows in force that a batch loaded after
-- the item opened (rule school_arrivals): 销号 on the data needs such rows, so a status from before the
-- item was opened can never close it.
with
items as (
    select i.item_id, i.school_code, i.opened_after_batch
    from rectifications as i
)

select distinct
    i.item_id,
    a.table_name,
from items as i
join school_arrivals((select coalesce(min(it.opened_after_batch), 0) from items as it)) as a
    on a.school_code = i.school_code and a.batch_id > i.opened_after_batch
order by i.item_id, a.table_name
