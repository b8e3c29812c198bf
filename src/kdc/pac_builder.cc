#include "kdc/pac_builder.h"

#include <algorithm>
#include <cctype>

#include "pac/text.h"

namespace kb::kdc {
namespace {

constexpr std::int64_t kMinPasswordAgeS = 86400;  // AD default minPwdAge: one day

pac::FileTime ft(std::int64_t unix_s) {
  return pac::filetime_from_unix(unix_s);
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

// Splits token groups into domain-relative RIDs (GroupIds) and other SIDs. BUILTIN groups
// (S-1-5-32-*) are domain-local to the DC and stay out of the PAC, as on Windows.
void place_groups(const PacInputs& in, pac::KerbValidationInfo& li) {
  const std::string prefix = in.domain->sid + "-";
  for (const auto& sid : in.token_groups) {
    if (sid.rfind(prefix, 0) == 0 && sid.find('-', prefix.size()) == std::string::npos) {
      auto rid = static_cast<std::uint32_t>(std::stoul(sid.substr(prefix.size())));
      li.group_ids.push_back({rid, pac::kGroupAttributesDefault});
    }
  }
  std::sort(li.group_ids.begin(), li.group_ids.end(),
            [](const auto& a, const auto& b) { return a.relative_id < b.relative_id; });
}

}  // namespace

std::uint32_t samr_account_control(std::uint32_t uac) {
  std::uint32_t out = 0;
  if (uac & store::uac::kAccountDisable) out |= 0x00000001;  // USER_ACCOUNT_DISABLED
  if (uac & store::uac::kPasswdNotReqd) out |= 0x00000004;   // USER_PASSWORD_NOT_REQUIRED
  if (uac & store::uac::kNormalAccount) out |= 0x00000010;   // USER_NORMAL_ACCOUNT
  if (uac & store::uac::kInterdomainTrustAccount) out |= 0x00000040;
  if (uac & store::uac::kWorkstationTrustAccount) out |= 0x00000080;
  if (uac & store::uac::kServerTrustAccount) out |= 0x00000100;
  if (uac & store::uac::kDontExpirePassword) out |= 0x00000200;  // USER_DONT_EXPIRE_PASSWORD
  if (uac & store::uac::kSmartcardRequired) out |= 0x00001000;
  if (uac & store::uac::kTrustedForDelegation) out |= 0x00002000;
  if (uac & store::uac::kNotDelegated) out |= 0x00004000;
  if (uac & store::uac::kDontRequirePreauth) out |= 0x00010000;
  if (uac & store::uac::kPasswordExpired) out |= 0x00020000;
  if (uac & store::uac::kTrustedToAuthForDelegation) out |= 0x00040000;
  if (uac & store::uac::kNoAuthDataRequired) out |= 0x00080000;  // USER_NO_AUTH_DATA_REQUIRED
  return out;
}

Result<pac::Pac> build_pac(const PacInputs& in) {
  const store::Domain& d = *in.domain;
  const store::Account& a = *in.account;
  const pac::Sid domain_sid = KB_TRY(pac::Sid::parse(d.sid));
  const pac::Sid user_sid = domain_sid.with_rid(a.rid);
  const std::int64_t auth_s =
      std::chrono::duration_cast<std::chrono::seconds>(in.authtime.time_since_epoch()).count();

  pac::KerbValidationInfo li;
  li.logon_time = ft(auth_s);
  li.password_last_set = ft(a.pwd_last_set);
  li.password_can_change =
      a.pwd_last_set == 0 ? pac::kFileTimeUnset : ft(a.pwd_last_set + kMinPasswordAgeS);
  const bool expires =
      d.max_password_age_s > 0 && !(a.user_account_control & store::uac::kDontExpirePassword);
  li.password_must_change =
      a.pwd_last_set == 0
          ? pac::kFileTimeUnset
          : (expires ? ft(a.pwd_last_set + d.max_password_age_s) : pac::kFileTimeNever);
  li.kick_off_time = a.account_expires != 0 ? ft(a.account_expires) : pac::kFileTimeNever;
  li.effective_name = a.sam_account_name;
  li.full_name = a.display_name;
  li.bad_password_count =
      static_cast<std::uint16_t>(std::min<std::uint32_t>(a.bad_pwd_count, 0xffff));
  li.user_id = a.rid;
  li.primary_group_id = a.primary_group_id;
  place_groups(in, li);
  li.logon_server = d.netbios_name;
  li.logon_domain_name = d.netbios_name;
  li.logon_domain_id = domain_sid;
  li.user_account_control = samr_account_control(a.user_account_control);
  li.extra_sids.push_back({KB_TRY(pac::Sid::parse(kAuthenticationAuthorityAssertedIdentity)),
                           pac::kGroupAttributesDefault});

  pac::Pac p;
  p.logon_info = std::move(li);
  p.client_info = pac::ClientInfo{ft(auth_s), a.sam_account_name};
  pac::UpnDnsInfo upn;
  if (a.user_principal_name.empty()) {
    upn.upn = a.sam_account_name + "@" + d.dns_name;
    upn.flags = pac::kUpnDnsFlagUpnConstructed;
  } else {
    upn.upn = a.user_principal_name;
  }
  upn.dns_domain_name = upper(d.dns_name);
  upn.sam_name_and_sid = pac::UpnDnsInfo::SamNameAndSid{a.sam_account_name, user_sid};
  p.upn_dns_info = std::move(upn);
  p.attributes_info = pac::AttributesInfo{
      2, in.pac_requested ? pac::kPacWasRequested : pac::kPacWasGivenImplicitly};
  p.requestor = user_sid;
  return p;
}

}  // namespace kb::kdc
