-- Every change of every 整改 item, in order: who did what, from which state to which, and the note
-- (the measures written, the reason of a 销号 without data). $scope as in rectification_items.
select
    e.item_id,
    i.school_code,
    e.happened_at,
    e.username,
    e.action,
    e.state_from,
    e.state_to,
    e.note,
from rectification_events as e
join rectifications as i on i.item_id = e.item_id
where $scope is null or list_contains($scope, i.school_code)
order by e.item_id, e.happened_at, e.state_to
