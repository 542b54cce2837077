-- rotation: a school is below target when it has eligible teachers and rotated a smaller share of them
-- than the target (false for a school without eligible teachers: it is not measured).
create or replace macro is_below_target(p_rotated_count, p_eligible_teachers, p_target) as
    coalesce(share(coalesce(p_rotated_count, 0), p_eligible_teachers) < p_target, false)
