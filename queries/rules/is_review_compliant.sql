-- two_level_review: a matter is compliant when both reviews are recorded and it was not carried out
-- before either of them (not carried out yet is fine).
create or replace macro is_review_compliant(p_principal_meeting_on, p_party_meeting_on, p_implemented_on) as
    p_principal_meeting_on is not null
    and p_party_meeting_on is not null
    and not is_implemented_early(p_principal_meeting_on, p_party_meeting_on, p_implemented_on)
