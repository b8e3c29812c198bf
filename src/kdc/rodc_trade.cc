#include "kdc/rodc_trade.h"

#include <strings.h>

#include <algorithm>
#include <charconv>

#include "kdc/accounts.h"
#include "kdc/enctype_choice.h"
#include "kdc/kerberos_server.h"
#include "kdc/pac_builder.h"
#include "kdc/ticket_seal.h"
#include "pac/sign.h"

namespace kb::kdc {
namespace {

std::int64_t seconds(SysTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

const std::vector<std::string>& values(const store::Account& a, const char* name) {
  static const std::vector<std::string> kNone;
  auto it = a.attributes.find(name);
  return it == a.attributes.end() ? kNone : it->second;
}

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Digest D.3 step 4 (Samba test_tgs_rodc_no_krbtgt_link, _no_partial_secrets): the RODC
// computer that links to this krbtgt, with PARTIAL_SECRETS_ACCOUNT; KDC_ERR_POLICY otherwise.
Result<store::Account> rodc_computer(KdcEnv& env, const store::Account& krbtgt) {
  const auto& dn = values(krbtgt, attr::kDistinguishedName);
  if (dn.empty()) return Error(Errc::kPolicy, "RODC krbtgt without a distinguishedName");
  auto linked = KB_TRY(env.directory.accounts_with(attr::kKrbTgtLink, dn.front()));
  if (linked.empty()) return Error(Errc::kPolicy, "no RODC computer links to " + dn.front());
  if (linked.size() > 1) return Error(Errc::kPolicy, "several computers link to " + dn.front());
  store::Account c = std::move(linked.front());
  if (!(c.user_account_control & store::uac::kPartialSecretsAccount)) {
    return Error(Errc::kPolicy, c.sam_account_name + " lacks PARTIAL_SECRETS_ACCOUNT");
  }
  return c;
}

// Digest D.3 step 3 (Samba: missing PAC or REQUESTOR -> TGT_REVOKED; digest I: missing
// LOGON_INFO or CLIENT_INFO refused): the RODC's PAC, signed with the RODC key.
Result<pac::Pac> rodc_pac(const TgsState& s) {
  auto pac_bytes = KB_TRY(find_pac(s.tgt));
  if (!pac_bytes) return Error(Errc::kTgtRevoked, "RODC-issued TGT without PAC");
  auto parsed = pac::parse(*pac_bytes);
  if (!parsed)
    return Error(Errc::kTgtRevoked, "RODC PAC does not parse: " + parsed.error().to_string());
  const pac::Pac& p = parsed->pac;
  if (!p.logon_info) return Error(Errc::kTgtRevoked, "RODC PAC without LOGON_INFO");
  if (!p.client_info) return Error(Errc::kTgtRevoked, "RODC PAC without CLIENT_INFO");
  if (!p.requestor) return Error(Errc::kTgtRevoked, "RODC PAC without REQUESTOR");
  // Server and KDC signatures are both made with the RODC krbtgt key, the KDC signature
  // carrying the RODC identifier (MS-PAC §2.8; digest I).
  auto v = pac::verify(*parsed, {*s.ticket_key, s.ticket_key.get(), std::nullopt, s.rodc->branch});
  if (!v) return Error(Errc::kBadIntegrity, "RODC PAC signature: " + v.error().to_string());
  return std::move(parsed->pac);
}

// Architecture "Wire decisions": the PAC must name the account the ticket names, by SID
// (REQUESTOR and LOGON_INFO) and by name (CLIENT_INFO). A cloud whose synced SID or name
// changed must never turn into another account's TGT.
Result<void> check_pac_names_client(const TgsState& s, const pac::Pac& p, RequestLog& log) {
  const std::string account_sid = store::rid_sid(*s.domain, s.client.rid);
  const pac::Sid sid = KB_TRY(pac::Sid::parse(account_sid));
  const auto& li = *p.logon_info;
  const bool logon_sid_ok = li.logon_domain_id && li.logon_domain_id->with_rid(li.user_id) == sid;
  const bool name_ok = iequal(p.client_info->name, s.tgt.cname.name_string.front());
  if (*p.requestor == sid && logon_sid_ok && name_ok) return ok();
  std::string what = "RODC ticket for " + s.client.sam_account_name + " (" + account_sid +
                     ") carries a PAC naming ";
  what += !(*p.requestor == sid) ? "SID " + p.requestor->to_string()
          : !logon_sid_ok        ? "a LOGON_INFO SID that is not the account's"
                                 : "client " + p.client_info->name;
  what += " (branch " + std::to_string(s.rodc->branch) + ")";
  log.alert = what;
  return Error(Errc::kTgtRevoked, "PAC does not name the ticket's account");
}

// Digest D.3 step 5-6.1: accounts whose secrets an RODC may never get.
Result<void> check_account(const TgsState& s, SysTime now) {
  const auto& a = s.client;
  if (a.user_account_control & store::uac::kInterdomainTrustAccount) {
    return Error(Errc::kTgtRevoked, "trust accounts are not traded");
  }
  if (!values(a, attr::kKrbTgtLinkBl).empty() || !values(a, attr::kSecondaryKrbTgtNumber).empty()) {
    return Error(Errc::kTgtRevoked, "RODC krbtgt accounts are not traded");
  }
  KB_CHECK(check_account_usable(a, *s.domain, seconds(now)));
  return check_password_current(a, *s.domain, seconds(now));
}

}  // namespace

PrpDecision prp_decision(const std::vector<std::string>& token_sids,
                         const std::vector<std::string>& never_reveal,
                         const std::vector<std::string>& reveal_on_demand) {
  auto in = [](const std::vector<std::string>& list, const std::string& sid) {
    return std::find(list.begin(), list.end(), sid) != list.end();
  };
  for (const auto& sid : token_sids) {
    if (in(never_reveal, sid)) return {false, sid};
  }
  for (const auto& sid : token_sids) {
    if (in(reveal_on_demand, sid)) return {true, sid};
  }
  return {false, ""};
}

Result<void> find_rodc_ticket_key(KdcEnv& env, TgsState& s, crypto::EncType etype,
                                  std::uint32_t kvno) {
  RodcIssuer issuer;
  issuer.branch = static_cast<std::uint16_t>(kvno >> 16);
  issuer.key_version = static_cast<std::uint16_t>(kvno & 0xffff);
  auto found = KB_TRY(
      env.directory.accounts_with(attr::kSecondaryKrbTgtNumber, std::to_string(issuer.branch)));
  if (found.size() != 1) {
    return Error(Errc::kSPrincipalUnknown,
                 "no RODC krbtgt has branch " + std::to_string(issuer.branch));
  }
  issuer.krbtgt = std::move(found.front());
  auto key = env.directory.key(issuer.krbtgt, etype, issuer.key_version);
  if (!key) {
    return Error(Errc::kBadKeyVer, issuer.krbtgt.sam_account_name + " has no key version " +
                                       std::to_string(issuer.key_version) + " of this enctype");
  }
  s.ticket_key = *key;
  s.rodc = std::move(issuer);
  return ok();
}

Result<pac::Pac> confirm_rodc_client(KdcEnv& env, TgsState& s, SysTime now, RequestLog& log) {
  const pac::Pac rodc = KB_TRY(rodc_pac(s));
  s.rodc->computer = KB_TRY(rodc_computer(env, s.rodc->krbtgt));
  auto client = env.directory.client(s.tgt.cname);
  if (!client) return Error(Errc::kCPrincipalUnknown, "the RODC ticket's client does not exist");
  s.client = std::move(*client);
  KB_CHECK(check_pac_names_client(s, rodc, log));
  KB_CHECK(check_account(s, now));

  // Digest D.3 step 6.2-6.5 on the token the directory gives, never the RODC PAC's groups.
  const std::string user_sid = store::rid_sid(*s.domain, s.client.rid);
  std::vector<std::string> token = KB_TRY(env.directory.token_groups(s.client));
  token.insert(token.begin(), user_sid);
  if (s.client.rid == s.rodc->computer.rid) return Error(Errc::kTgtRevoked, "the RODC itself");
  const auto& c = s.rodc->computer;
  const PrpDecision d = prp_decision(token, values(c, attr::kNeverRevealGroup),
                                     values(c, attr::kRevealOnDemandGroup));
  if (!d.allowed) {
    return Error(Errc::kTgtRevoked,
                 d.deciding_sid.empty()
                     ? "password replication policy: " + s.client.sam_account_name +
                           " is in no group of msDS-RevealOnDemandGroup of " + c.sam_account_name
                     : "password replication policy: " + s.client.sam_account_name +
                           " denied by msDS-NeverRevealGroup member " +
                           env.directory.group_name(d.deciding_sid) + " (" + d.deciding_sid +
                           ") of " + c.sam_account_name);
  }
  // Digest D.3 step 7: the full PAC comes from the directory.
  PacInputs in;
  in.domain = s.domain;
  in.account = &s.client;
  in.token_groups = KB_TRY(env.directory.token_groups(s.client));
  in.authtime = s.tgt.authtime.to_sys();
  return build_pac(in);
}

Result<std::optional<krb5::PaData>> key_list_reply(KdcEnv& env, const TgsState& s) {
  const auto& body = s.req.req_body.value;
  if (!s.rodc || !body.sname || !is_tgs_principal(*body.sname) || !s.req.padata) {
    return std::optional<krb5::PaData>();
  }
  const krb5::PaData* req = nullptr;
  for (const auto& p : *s.req.padata) {
    if (p.padata_type == krb5::padata_type::kKerbKeyListReq) req = &p;
  }
  if (req == nullptr) return std::optional<krb5::PaData>();
  auto wanted = der::decode<krb5::KerbKeyListReq>(req->padata_value);
  if (!wanted) return Error(Errc::kGeneric, "KERB-KEY-LIST-REQ does not decode");
  const auto rc4 = static_cast<krb5::Int32>(crypto::EncType::kRc4Hmac);
  if (std::find(wanted->begin(), wanted->end(), rc4) == wanted->end()) {
    return std::optional<krb5::PaData>();
  }
  auto nt_hash = KB_TRY(env.directory.key(s.client, crypto::EncType::kRc4Hmac, 0));
  krb5::KerbKeyListRep rep;
  rep.push_back(krb5::EncryptionKey{rc4, nt_hash->bytes().clone()});
  return std::optional<krb5::PaData>(
      krb5::PaData{krb5::padata_type::kKerbKeyListRep, der::encode(rep)});
}

}  // namespace kb::kdc
