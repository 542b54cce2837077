-- The 统编三科 teachers a staffing row still lacks: needed minus assigned, never below 0 (a subject staffed
-- beyond its need does not make up for another subject's or another school's gap).
create or replace macro teacher_gap(p_needed, p_assigned) as greatest(p_needed - p_assigned, 0)
