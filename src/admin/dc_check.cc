#include "admin/dc_check.h"

#include "client/tgs_client.h"
#include "cloud/partial_tgt.h"
#include "kdc/errc.h"
#include "kdc/kerberos_server.h"
#include "pac/sid.h"

namespace kb::admin {
namespace {

// The partial TGT the cloud would mint for the probe account.
Result<client::Credential> probe_ticket(store::DirectoryStore& directory,
                                        const crypto::MasterKey& mk, const std::string& account,
                                        const Clock& clock, Rng& rng) {
  auto info = KB_TRY(kdc::read_kerberos_server(directory));
  if (!info) {
    return Error(store::Errc::kNotFound,
                 "the domain has no Kerberos server object (keybridge dc kerberos-server create)");
  }
  store::Domain domain;
  std::optional<store::Account> a;
  KB_CHECK(directory.read([&](store::DirectoryTxn& t) -> Result<void> {
    auto d = KB_TRY(t.domain());
    if (!d) return Error(store::Errc::kNotFound, "the directory holds no domain");
    domain = std::move(*d);
    a = KB_TRY(t.account_by_sam(account));
    return ok();
  }));
  if (!a) return Error(store::Errc::kNotFound, "no account named " + account);
  const crypto::Key key = KB_TRY(kdc::kerberos_server_key(directory, mk));
  cloud::OnPremUser u{a->sam_account_name,
                      a->user_principal_name.empty() ? a->sam_account_name + "@" + domain.dns_name
                                                     : a->user_principal_name,
                      domain.dns_name, domain.netbios_name,
                      KB_TRY(pac::Sid::parse(store::rid_sid(domain, a->rid)))};
  auto minted = KB_TRY(
      cloud::mint_partial_tgt(u, {info->branch_id, info->key_version, &key}, {}, clock, rng));
  return client::open_as_rep(minted.as_rep, minted.client_key);
}

// How a DC's refusal reads: codes that need the ticket decrypted and the account looked up
// mean the DC trades; codes about the key or the object mean it does not (an RODC, another
// domain's DC, or a DC without the current key).
Answer trade_from_refusal(std::int32_t code) {
  using kdc::Errc;
  switch (static_cast<Errc>(code)) {
    case Errc::kTgtRevoked:
    case Errc::kClientRevoked:
    case Errc::kKeyExpired:
    case Errc::kCPrincipalUnknown:
      return Answer::kYes;
    case Errc::kBadKeyVer:
    case Errc::kSPrincipalUnknown:
    case Errc::kBadIntegrity:
    case Errc::kPolicy:
    case Errc::kNoKey:
      return Answer::kNo;
    default:
      return Answer::kUnknown;
  }
}

DcCheck check_one(const std::string& dc, const client::Credential& probe, const std::string& realm,
                  const KdcExchange& exchange, const Clock& clock, Rng& rng) {
  DcCheck out;
  out.dc = dc;
  client::TgsRequest req;
  req.realm = realm;
  req.sname = krb5::PrincipalName{krb5::name_type::kSrvInst, {"krbtgt", realm}};
  req.kdc_options = client::trade_options();
  req.key_list = true;
  auto prepared = client::build_tgs_req(probe, req, clock, rng);
  if (!prepared) {
    out.detail = prepared.error().to_string();
    return out;
  }
  auto reply = exchange(dc, prepared->bytes);
  if (!reply) {
    out.detail = "no answer: " + reply.error().to_string();
    return out;
  }
  out.reachable = true;
  auto rep = client::read_tgs_rep(*reply, probe, *prepared);
  if (rep) {
    out.trade = Answer::kYes;
    out.key_list = rep->nt_hash ? Answer::kYes : Answer::kNo;
    out.detail = rep->nt_hash ? "full TGT and key list returned" : "full TGT, no key list";
    return out;
  }
  const std::int32_t code = client::kerberos_error_code(rep.error());
  out.trade = trade_from_refusal(code);
  out.detail = rep.error().to_string();
  if (out.trade == Answer::kYes)
    out.detail += " (the probe account is refused: try an allowed one)";
  return out;
}

}  // namespace

std::string_view answer_name(Answer a) {
  switch (a) {
    case Answer::kYes:
      return "yes";
    case Answer::kNo:
      return "no";
    case Answer::kUnknown:
      break;
  }
  return "unknown";
}

Result<std::vector<DcCheck>> dc_check(store::DirectoryStore& directory, const crypto::MasterKey& mk,
                                      const DcCheckRequest& request, const KdcExchange& exchange,
                                      const Clock& clock, Rng& rng) {
  const client::Credential probe =
      KB_TRY(probe_ticket(directory, mk, request.probe_account, clock, rng));
  std::vector<DcCheck> out;
  for (const auto& dc : request.dcs) {
    out.push_back(check_one(dc, probe, probe.crealm, exchange, clock, rng));
  }
  return out;
}

}  // namespace kb::admin
