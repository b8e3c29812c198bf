// The DC half of the sign-in flow (reference 000 step 5; digest E "Client use"): locate a
// writable DC, trade the partial TGT, store the full TGT, remember what happened.
#include <variant>

#include "client/ccache_writer.h"
#include "client/credential_ccache.h"
#include "client/key_binding.h"
#include "client/signin_internal.h"
#include "formats/ccache.h"
#include "kdc/errc.h"

namespace kb::client::detail {

namespace {

// What one DC's answer means for the trade: a full TGT, or a refusal that ends it.
using Attempt = std::variant<TgsReply, Error>;

// KRB-ERRORs that are the account's fate at any writable DC, so asking the next one is
// pointless (docs/rodc-trade.md steps 5-7).
std::optional<Error> final_refusal(const Error& e) {
  const std::int32_t code = kerberos_error_code(e);
  const std::string what = "KRB-ERROR " + std::to_string(code) + ": " + e.detail();
  switch (code) {
    case static_cast<std::int32_t>(kdc::Errc::kTgtRevoked):
    case static_cast<std::int32_t>(kdc::Errc::kPolicy):
      return Error(SigninErrc::kDcPolicy, what);
    case static_cast<std::int32_t>(kdc::Errc::kKeyExpired):
      return Error(SigninErrc::kPasswordExpired, what);
    case static_cast<std::int32_t>(kdc::Errc::kClientRevoked):
      return Error(SigninErrc::kAccountRevoked, what);
    default:
      return std::nullopt;
  }
}

std::string describe(const DcCandidate& dc, const Error& e) {
  return dc.address + ": " + e.to_string();
}

}  // namespace

Result<TradeResult> trade(const Credential& partial, bool ntlm, const LocatorConfig& locator,
                          const SrvLookup& srv, const KdcTransport& kdc, const Clock& clock,
                          Rng& rng) {
  auto dcs = locate_dcs(partial.crealm, locator, srv, rng);
  if (!dcs) return Error(SigninErrc::kNoDcReachable, dcs.error().to_string());
  TgsRequest req;
  req.realm = partial.crealm;
  req.sname = krb5::PrincipalName{krb5::name_type::kSrvInst, {"krbtgt", partial.crealm}};
  req.kdc_options = trade_options();
  req.key_list = ntlm;
  DcIterator it(std::move(*dcs));
  auto outcome = try_each_dc<Attempt>(it, [&](const DcCandidate& dc) -> Result<Attempt> {
    // A fresh request (nonce, authenticator time) per DC: a DC never sees a replay.
    PreparedTgsReq prepared = KB_TRY(build_tgs_req(partial, req, clock, rng));
    Bytes reply = KB_TRY(kdc(dc.address, prepared.bytes));
    auto rep = read_tgs_rep(reply, partial, prepared);
    if (!rep) {
      if (auto refusal = final_refusal(rep.error())) return Attempt(std::move(*refusal));
      return std::move(rep).error();
    }
    // An RODC answers with a TGT under its own krbtgt (kvno = branch << 16 | version,
    // MS-KILE 3.1.5.8): not the full TGT we came for; a writable DC may still trade.
    const auto kvno = rep->credential.ticket.enc_part.kvno.value_or(0);
    if ((kvno >> 16) != 0) {
      return Error(SigninErrc::kNoDcReachable,
                   "answered as an RODC (ticket kvno " + std::to_string(kvno) + ")");
    }
    return Attempt(std::move(*rep));
  });
  TradeResult out;
  for (const auto& [dc, e] : it.failures()) out.failures.push_back(describe(dc, e));
  out.answered = it.answered_dcs();
  if (!outcome) return Error(SigninErrc::kNoDcReachable, outcome.error().detail());
  out.dc = it.current() ? it.current()->address : "";
  if (auto* refusal = std::get_if<Error>(&*outcome)) {
    out.refusal = std::move(*refusal);
  } else {
    out.reply = std::move(std::get<TgsReply>(*outcome));
  }
  return out;
}

std::string principal_text(const Credential& c) {
  std::string out;
  for (const auto& part : c.cname.name_string) out += (out.empty() ? "" : "/") + part;
  return out + "@" + c.crealm;
}

Result<SecretBytes> credential_image(const Credential& c) {
  Bytes image = KB_TRY(formats::encode_ccache(ccache_of(c)));
  return SecretBytes::adopt(std::move(image));
}

Result<Credential> credential_from_image(ByteView image) {
  formats::Ccache cc = KB_TRY(formats::parse_ccache(image));
  if (cc.credentials.size() != 1) {
    return Error(DeviceStateErrc::kBadFile, "cached TGT: not exactly one credential");
  }
  formats::CcacheCredential& cr = cc.credentials[0];
  auto seconds = [](std::uint32_t t) {
    return krb5::KerberosTime::from_sys(SysTime(std::chrono::seconds(t)));
  };
  Credential c;
  c.crealm = cr.client.realm;
  c.cname =
      krb5::PrincipalName{static_cast<krb5::Int32>(cr.client.name_type), cr.client.components};
  c.ticket = KB_TRY(der::decode<krb5::Ticket>(cr.ticket));
  c.session_key =
      KB_TRY(crypto::Key::from_bytes(static_cast<crypto::EncType>(cr.enctype), cr.key.reveal()));
  c.flags.bits = cr.ticket_flags;
  c.authtime = seconds(cr.authtime);
  c.starttime = seconds(cr.starttime);
  c.endtime = seconds(cr.endtime);
  if (cr.renew_till != 0) c.renew_till = seconds(cr.renew_till);
  return c;
}

Result<void> keep_prt(DeviceState& state, PrtResponse& prt) {
  state.prt = SecretString(prt.refresh_token);
  state.prt_expiry = prt.refresh_token_expires;
  if (prt.session_key) state.session_key = std::move(*prt.session_key);
  if (!prt.tgt_realm.empty()) state.realm = prt.tgt_realm;
  if (prt.partial_tgt) {
    state.partial_tgt = KB_TRY(credential_image(*prt.partial_tgt));
    state.partial_tgt_expiry = prt.partial_tgt->endtime.to_sys();
    state.realm = prt.partial_tgt->crealm;
  }
  return ok();
}

Result<SigninResult> trade_and_store(DeviceState& state, const std::filesystem::path& state_path,
                                     const Credential& partial,
                                     const std::optional<std::string>& ccache, bool ntlm,
                                     const LocatorConfig& locator, const SrvLookup& srv,
                                     const KdcTransport& kdc, const Clock& clock, Rng& rng) {
  auto traded = trade(partial, ntlm, locator, srv, kdc, clock, rng);
  if (!traded || traded->refusal) {
    if (traded) state.dcs_answered = traded->answered;
    KB_CHECK(save_device_state(state_path, state, rng));
    return traded ? std::move(*traded->refusal) : std::move(traded).error();
  }
  const Credential& full = traded->reply->credential;
  SigninResult out;
  out.ccache = KB_TRY(store_credential(full, ccache));
  out.device_id = state.device_id;
  out.principal = principal_text(full);
  out.tgt_expiry = full.endtime.to_sys();
  out.prt_expiry = state.prt_expiry;
  out.dc = traded->dc;
  out.dc_failures = traded->failures;
  out.nt_hash = traded->reply->nt_hash.has_value();
  KB_CHECK(keep_full_tgt(state, KB_TRY(credential_image(full)), rng));
  state.full_tgt_expiry = out.tgt_expiry;
  state.dcs_answered = traded->answered;
  state.key_list = out.nt_hash;
  // --ntlm keeps the NT hash (encrypted under the state's file key); without it, none is kept.
  if (traded->reply->nt_hash) {
    state.nt_hash = std::move(*traded->reply->nt_hash);
  } else {
    state.nt_hash.reset();
  }
  KB_CHECK(save_device_state(state_path, state, rng));
  return out;
}

}  // namespace kb::client::detail
