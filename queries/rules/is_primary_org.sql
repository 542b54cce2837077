-- A primary org (一级党组织) sits directly under the bureau's committee: no parent org recorded.
create or replace macro is_primary_org(p_parent_org_code) as coalesce(p_parent_org_code, '') = ''
