-- split_roles of one school from its current holders: 空缺 when either post has no holder, 一肩挑 when
-- one person holds both, else 分设.
create or replace macro split_status(p_secretary_count, p_principal_count, p_both_count) as
    case
        when coalesce(p_secretary_count, 0) = 0 or coalesce(p_principal_count, 0) = 0 then '空缺'
        when p_both_count > 0 then '一肩挑'
        else '分设'
    end
