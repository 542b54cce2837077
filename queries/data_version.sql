-- The data version: changes whenever a batch is loaded or rolled back. Every page's cached result is
-- keyed on it, and the query runner checks that its parallel cursors all see the same one.
select
    coalesce(max(b.batch_id), 0)::varchar || '-' || (count(*) filter (where b.rolled_back))::varchar
        as data_version,
from batches as b
