#include "kdc/as_exchange.h"

#include <algorithm>

#include "kdc/accounts.h"
#include "kdc/enctype_choice.h"
#include "kdc/pac_builder.h"
#include "kdc/pac_options.h"
#include "kdc/ticket_seal.h"

namespace kb::kdc {
namespace {

namespace kf = krb5::kdc_option;
namespace tf = krb5::ticket_flag;
using crypto::EncType;

std::int64_t seconds(SysTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

const krb5::PaData* find_padata(const krb5::KdcReq& req, std::int32_t type) {
  if (!req.padata) return nullptr;
  for (const auto& p : *req.padata) {
    if (p.padata_type == type) return &p;
  }
  return nullptr;
}

// Everything an AS exchange works out, step by step.
struct AsState {
  krb5::AsReq req;
  store::Account client;
  store::Account server;
  const store::Domain* domain = nullptr;
  EncType reply_etype{};
  EncType session_etype{};
  EncType ticket_etype{};
  bool preauthenticated = false;
  bool bad_password = false;  // the timestamp failed to decrypt under the current key
  krb5::KerberosTime authtime;
  krb5::KerberosTime endtime;
  std::optional<krb5::KerberosTime> renew_till;
  krb5::KerberosFlags flags;
};

// RFC 4120 §3.1.3: the KDC picks, from the client's list in its order, the first enctype
// it supports for which the client has a key (the reply key) and the first the service
// supports (the session key). The ticket is encrypted with the service's strongest key.
Result<void> choose_enctypes(AsState& s) {
  const auto& requested = s.req.req_body.value.etype;
  auto reply = first_common_enctype(requested, s.client);
  auto session = first_common_enctype(requested, s.server);
  auto ticket = ticket_enctype(s.server);
  if (!reply || !session || !ticket)
    return Error(Errc::kEtypeNoSupp, "no enctype in common with the request's list");
  s.reply_etype = *reply;
  s.session_etype = *session;
  s.ticket_etype = *ticket;
  return ok();
}

Result<void> check_client_usable(const AsState& s, std::int64_t now) {
  KB_CHECK(check_account_usable(s.client, *s.domain, now));
  if (s.server.user_account_control & store::uac::kAccountDisable &&
      s.server.rid != store::kRidKrbtgt) {
    return Error(Errc::kServiceRevoked, "service account disabled");
  }
  return ok();
}

bool is_password_change_service(const krb5::PrincipalName& sname) {
  return sname.name_string.size() == 2 && sname.name_string[0] == "kadmin" &&
         sname.name_string[1] == "changepw";
}

Bytes etype_info2(const AsState& s) {
  const store::StoredKey* k = newest_key(s.client, s.reply_etype);
  krb5::EtypeInfo2Entry e;
  e.etype = static_cast<std::int32_t>(s.reply_etype);
  if (k != nullptr && !k->salt.empty()) e.salt = k->salt;
  if (k != nullptr && !k->s2kparams.empty() &&
      k->s2kparams != crypto::default_s2kparams(s.reply_etype)) {
    e.s2kparams = k->s2kparams;
  }
  return der::encode(krb5::EtypeInfo2{e});
}

// METHOD-DATA for KDC_ERR_PREAUTH_REQUIRED (RFC 4120 §5.9.1): ETYPE-INFO2 with the salt,
// and an empty PA-ENC-TIMESTAMP saying which method we take.
Bytes preauth_required_e_data(const AsState& s) {
  krb5::MethodData md;
  md.push_back({krb5::padata_type::kEtypeInfo2, etype_info2(s)});
  md.push_back({krb5::padata_type::kEncTimestamp, {}});
  return der::encode(md);
}

bool is_previous_password(KdcEnv& env, const AsState& s, EncType et, ByteView cipher) {
  const std::uint32_t current = current_kvno(s.client);
  for (const auto& k : s.client.keys) {
    if (k.kvno >= current || k.enctype != static_cast<std::int32_t>(et)) continue;
    auto key = env.directory.key(s.client, et, k.kvno);
    if (key && crypto::decrypt(**key, crypto::KeyUsage::kAsReqPaEncTimestamp, cipher)) return true;
  }
  return false;
}

// RFC 4120 §5.2.7.2: PA-ENC-TIMESTAMP under the client's key, usage 1, within the skew.
Result<void> verify_encrypted_timestamp(KdcEnv& env, AsState& s, const krb5::PaData& pa,
                                        SysTime now) {
  auto enc = der::decode<krb5::EncryptedData>(pa.padata_value);
  if (!enc) return Error(Errc::kPreauthFailed, "PA-ENC-TIMESTAMP does not decode");
  auto et = crypto::enctype_from_int(enc->etype);
  if (!et || !has_key(s.client, *et))
    return Error(Errc::kEtypeNoSupp, "PA-ENC-TIMESTAMP enctype not available");
  auto key = KB_TRY(env.directory.key(s.client, *et, 0));
  auto plain = crypto::decrypt(*key, crypto::KeyUsage::kAsReqPaEncTimestamp, enc->cipher);
  if (!plain) {
    // Windows and Samba do not count a guess equal to a recent former password (a device
    // still holding it would lock the user out); we keep the previous kvno's keys and
    // check that one.
    s.bad_password = !is_previous_password(env, s, *et, enc->cipher);
    return Error(Errc::kPreauthFailed, "encrypted timestamp does not decrypt (wrong password)");
  }
  auto ts = der::decode<krb5::PaEncTsEnc>(plain->reveal());
  if (!ts) return Error(Errc::kPreauthFailed, "PA-ENC-TS-ENC does not decode");
  const auto skew = std::chrono::seconds(s.domain->max_clock_skew_s);
  const auto t = ts->patimestamp.to_sys();
  if (t > now + skew || t < now - skew)
    return Error(Errc::kSkew, "client clock outside the allowed skew");
  s.reply_etype = *et;  // the client proved this key; the reply uses it
  s.preauthenticated = true;
  return ok();
}

// Lifetimes by policy (RFC 4120 §3.1.3): end = min(till, now + max life); renewable when
// asked (or renewable-ok and till is beyond the maximum), up to now + max renew.
Result<void> compute_times_and_flags(AsState& s, SysTime now) {
  const auto& body = s.req.req_body.value;
  if (body.kdc_options.test(kf::kPostdated) || body.kdc_options.test(kf::kAllowPostdate)) {
    return Error(Errc::kCannotPostdate, "postdated tickets are not issued");
  }
  const auto max_end = now + std::chrono::seconds(s.domain->max_ticket_lifetime_s);
  const auto max_renew = now + std::chrono::seconds(s.domain->max_renew_lifetime_s);
  const bool till_infinite = seconds(body.till.to_sys()) == 0;
  auto end = till_infinite ? max_end : std::min(body.till.to_sys(), max_end);
  if (end <= now) return Error(Errc::kNeverValid, "requested end time is in the past");
  s.authtime = krb5::KerberosTime::from_sys(now);
  s.endtime = krb5::KerberosTime::from_sys(end);

  std::optional<SysTime> renew;
  if (body.kdc_options.test(kf::kRenewable)) {
    renew = body.rtime && seconds(body.rtime->to_sys()) != 0
                ? std::min(body.rtime->to_sys(), max_renew)
                : max_renew;
  } else if (body.kdc_options.test(kf::kRenewableOk) &&
             (till_infinite || body.till.to_sys() > end)) {
    renew = till_infinite ? max_renew : std::min(body.till.to_sys(), max_renew);
  }
  if (renew && *renew > end) s.renew_till = krb5::KerberosTime::from_sys(*renew);

  s.flags.set(tf::kInitial);
  if (s.preauthenticated) s.flags.set(tf::kPreAuthent);
  if (s.renew_till) s.flags.set(tf::kRenewable);
  const bool delegable = !(s.client.user_account_control & store::uac::kNotDelegated);
  if (body.kdc_options.test(kf::kForwardable) && delegable) s.flags.set(tf::kForwardable);
  if (body.kdc_options.test(kf::kProxiable) && delegable) s.flags.set(tf::kProxiable);
  return ok();
}

// PA-PAC-REQUEST (MS-KILE §2.2.2): a client may ask for no PAC; absent means "include".
bool pac_requested(const krb5::KdcReq& req, bool& explicit_request) {
  explicit_request = false;
  const krb5::PaData* p = find_padata(req, krb5::padata_type::kPacRequest);
  if (p == nullptr) return true;
  auto v = der::decode<krb5::PaPacRequest>(p->padata_value);
  if (!v) return true;
  explicit_request = true;
  return v->include_pac;
}

Result<Bytes> issue(KdcEnv& env, AsState& s, SysTime now) {
  crypto::Key session = crypto::Key::random(s.session_etype, env.rng);
  const auto session_etype = static_cast<krb5::Int32>(s.session_etype);
  const auto& body = s.req.req_body.value;
  const krb5::PrincipalName sname = *body.sname;

  SealRequest seal;
  seal.realm = s.domain->realm;
  seal.sname = sname;
  seal.part.flags = s.flags;
  seal.part.key = krb5::EncryptionKey{session_etype, session.bytes().clone()};
  seal.part.crealm = s.domain->realm;
  seal.part.cname = *body.cname;
  seal.part.authtime = s.authtime;
  seal.part.starttime = s.authtime;
  seal.part.endtime = s.endtime;
  seal.part.renew_till = s.renew_till;
  seal.part.caddr = body.addresses;
  bool explicit_pac = false;
  if (pac_requested(s.req, explicit_pac)) {
    PacInputs in{s.domain, &s.client, KB_TRY(env.directory.token_groups(s.client)), now,
                 explicit_pac};
    seal.pac = KB_TRY(build_pac(in));
  }
  auto server_key = KB_TRY(env.directory.key(s.server, s.ticket_etype, 0));
  // A TGT is a ticket for krbtgt/REALM; kadmin/changepw also lives on the krbtgt account
  // but gets a service ticket (with ticket and full-PAC signatures).
  const bool to_krbtgt = is_tgs_principal(sname);
  std::shared_ptr<const crypto::Key> krbtgt_key = server_key;
  if (!to_krbtgt) {
    const auto krbtgt = KB_TRY(env.directory.krbtgt_shared());
    krbtgt_key = KB_TRY(env.directory.key(*krbtgt, EncType::kAes256CtsHmacSha196, 0));
  }
  seal.server_key = server_key.get();
  seal.server_kvno = current_kvno(s.server);
  seal.kdc_key = krbtgt_key.get();
  seal.service_ticket = !to_krbtgt;
  krb5::Ticket ticket = KB_TRY(seal_ticket(std::move(seal), env.rng));

  krb5::EncAsRepPart part;
  part.key = krb5::EncryptionKey{session_etype, session.bytes().clone()};
  part.last_req = {krb5::LastReqEntry{0, s.authtime}};
  part.nonce = body.nonce;
  if (s.domain->max_password_age_s > 0 &&
      !(s.client.user_account_control & store::uac::kDontExpirePassword)) {
    part.key_expiration = krb5::KerberosTime::from_sys(
        SysTime(std::chrono::seconds(s.client.pwd_last_set + s.domain->max_password_age_s)));
  }
  part.flags = s.flags;
  part.authtime = s.authtime;
  part.starttime = s.authtime;
  part.endtime = s.endtime;
  part.renew_till = s.renew_till;
  part.srealm = s.domain->realm;
  part.sname = sname;
  part.caddr = body.addresses;
  Bytes plain = der::encode(part);
  auto reply_key = KB_TRY(env.directory.key(s.client, s.reply_etype, 0));
  auto cipher = crypto::encrypt(*reply_key, crypto::KeyUsage::kAsRepEncPart, plain, env.rng);
  secure_wipe(plain.data(), plain.size());
  if (!cipher) return std::move(cipher).error();

  krb5::AsRep rep;
  rep.padata = std::vector<krb5::PaData>{{krb5::padata_type::kEtypeInfo2, etype_info2(s)}};
  rep.crealm = s.domain->realm;
  rep.cname = *body.cname;
  rep.ticket = std::move(ticket);
  rep.enc_part.etype = static_cast<krb5::Int32>(s.reply_etype);
  rep.enc_part.kvno = current_kvno(s.client);
  rep.enc_part.cipher = std::move(*cipher);
  return der::encode(rep);
}

// MS-SAMR 3.1.1.8.10 bad-password accounting. A store failure here does not change the
// answer (the password check already decided it); the operator sees it in the log line.
void record_logon_outcome(KdcEnv& env, const AsState& s, bool issued, std::int64_t now,
                          RequestLog& log) {
  Result<void> r = ok();
  if (s.bad_password) {
    r = env.directory.record_bad_password(s.client.rid, now);
  } else if (issued && s.preauthenticated &&
             (s.client.bad_pwd_count != 0 || s.client.lockout_time != 0)) {
    r = env.directory.record_logon_success(s.client.rid);
  }
  if (!r) log.alert = "bad-password accounting failed: " + r.error().to_string();
}

}  // namespace

Bytes handle_as_req(KdcEnv& env, ByteView request, bool udp, RequestLog& log) {
  log.kind = "AS";
  KdcDirectory::RequestScope scope(env.directory);
  const SysTime now = env.clock.now();
  AsState s;
  const store::Domain* domain = nullptr;
  if (auto d = env.directory.domain(); d) domain = *d;
  const krb5::Realm realm = domain ? domain->realm : krb5::Realm("UNKNOWN");
  krb5::PrincipalName sname{krb5::name_type::kSrvInst, {"krbtgt", realm}};
  std::optional<krb5::PrincipalName> cname;

  auto refuse = [&](const Error& e, std::optional<Bytes> e_data = std::nullopt) {
    log.error_code = krb_error_code(e);
    log.detail = e.to_string();
    return make_krb_error(now, e, realm, sname, realm, cname, std::move(e_data));
  };

  auto decoded = der::decode<krb5::AsReq>(request);
  if (!decoded)
    return refuse(Error(Errc::kGeneric, "AS-REQ does not decode: " + decoded.error().to_string()));
  s.req = std::move(*decoded);
  const auto& body = s.req.req_body.value;
  if (body.sname) sname = *body.sname;
  cname = body.cname;
  log.client = body.cname ? principal_to_string(*body.cname) : "";
  log.service = body.sname ? principal_to_string(*body.sname) : "";
  if (domain == nullptr) return refuse(Error(Errc::kGeneric, "KDC has no domain"));
  s.domain = domain;

  if (s.req.pvno != krb5::kPvno) return refuse(Error(Errc::kGeneric, "pvno is not 5"));
  if (!env.directory.is_our_realm(body.realm))
    return refuse(Error(Errc::kWrongRealm, "realm " + body.realm));
  if (!body.cname) return refuse(Error(Errc::kCPrincipalUnknown, "AS-REQ without cname"));
  if (!body.sname) return refuse(Error(Errc::kSPrincipalUnknown, "AS-REQ without sname"));

  auto run = [&]() -> Result<Bytes> {
    // MS-KILE 2.2.10: read strictly; we act on none of the bits (pac_options.h).
    if (auto opts = KB_TRY(read_pac_options(s.req.padata))) {
      log.pac_options = describe_pac_options(*opts);
    }
    s.client = KB_TRY(env.directory.client(*body.cname));
    s.server = KB_TRY(env.directory.service(*body.sname));
    KB_CHECK(check_client_usable(s, seconds(now)));
    KB_CHECK(choose_enctypes(s));
    const krb5::PaData* ts = find_padata(s.req, krb5::padata_type::kEncTimestamp);
    if (ts != nullptr) {
      KB_CHECK(verify_encrypted_timestamp(env, s, *ts, now));
    } else if (env.policy.require_preauth &&
               !(s.client.user_account_control & store::uac::kDontRequirePreauth)) {
      return Error(Errc::kPreauthRequired, "pre-authentication required");
    }
    // An expired or must-change password still gets a ticket for the password-change
    // service, and only for it (MS-KILE §3.3.5.6.1; what kinit's change prompt needs).
    if (!is_password_change_service(*body.sname))
      KB_CHECK(check_password_current(s.client, *s.domain, seconds(now)));
    KB_CHECK(compute_times_and_flags(s, now));
    return issue(env, s, now);
  };
  auto reply = run();
  record_logon_outcome(env, s, reply.has_value(), seconds(now), log);
  if (!reply) {
    if (reply.error().is(Errc::kPreauthRequired)) {
      // Not a failure: the normal first round of a pre-authenticated AS exchange.
      return refuse(reply.error(), preauth_required_e_data(s));
    }
    return refuse(reply.error());
  }
  if (udp && reply->size() > env.policy.max_udp_reply) {
    return refuse(Error(Errc::kResponseTooBig,
                        "reply of " + std::to_string(reply->size()) + " bytes; retry over TCP"));
  }
  return std::move(*reply);
}

}  // namespace kb::kdc
