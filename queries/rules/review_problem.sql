-- What is wrong with a 三重一大 matter, in the words a leader reads; null when it is compliant.
create or replace macro review_problem(p_principal_meeting_on, p_party_meeting_on, p_implemented_on) as
    case
        when p_principal_meeting_on is null and p_party_meeting_on is null then '缺校长办公会议和党组织会议审议'
        when p_party_meeting_on is null then '缺党组织会议审议'
        when p_principal_meeting_on is null then '缺校长办公会议审议'
        when is_implemented_early(p_principal_meeting_on, p_party_meeting_on, p_implemented_on) then '先实施后审议'
    end
