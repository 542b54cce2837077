-- 整改台账: every 整改 item with its school, oldest first (序号 follows this order). The state is the
-- stored one (待整改, 整改中, 待复核, 已销号, 反弹); 逾期 and its level are read from the deadline by
-- metrics.rectification. $scope: the school codes a 学校 account may see (null = the whole district).
select
    i.item_id,
    i.school_code,
    s.school_name,
    s.town,
    i.indicator,
    i.year,
    i.school_year,
    i.problem,
    i.source,
    i.state,
    i.measures,
    i.responsible,
    i.deadline,
    i.opened_at,
    i.opened_by,
    i.opened_after_batch,
    i.submitted_at,
    i.closed_at,
    i.closed_by,
    i.close_basis,
    i.close_reason,
    i.closed_year,
    i.reopened_count,
    i.updated_at,
from rectifications as i
left join schools as s on s.school_code = i.school_code
where $scope is null or list_contains($scope, i.school_code)
order by i.item_id
