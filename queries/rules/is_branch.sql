-- The org types 三会一课 is judged on (schema.BRANCH_TYPES; tests/test_indicators.py holds the two equal).
create or replace macro is_branch(p_org_type) as p_org_type in ('党支部', '联合党支部')
