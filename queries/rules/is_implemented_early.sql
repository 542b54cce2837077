-- A 三重一大 matter was carried out before one of its two reviews (false when either date is missing).
create or replace macro is_implemented_early(p_principal_meeting_on, p_party_meeting_on, p_implemented_on) as
    coalesce(p_implemented_on < greatest(p_principal_meeting_on, p_party_meeting_on), false)
