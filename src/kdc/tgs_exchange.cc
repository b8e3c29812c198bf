#include "kdc/tgs_exchange.h"

#include <algorithm>

#include "kdc/accounts.h"
#include "kdc/enctype_choice.h"
#include "kdc/pac_options.h"
#include "kdc/rodc_trade.h"
#include "kdc/tgs_state.h"
#include "kdc/ticket_seal.h"
#include "pac/pac.h"
#include "pac/sign.h"

namespace kb::kdc {
namespace {

namespace kf = krb5::kdc_option;
constexpr std::int32_t kPaS4uX509User = 130;  // MS-SFU §2.2.2
namespace tf = krb5::ticket_flag;
using crypto::EncType;
constexpr auto kAccountRecheckAge = std::chrono::minutes(20);

// PA-TGS-REQ (RFC 4120 §5.2.7.1): the AP-REQ whose ticket is the TGT.
Result<void> decode_tgs_req(TgsState& s, ByteView request) {
  s.req = KB_TRY(der::decode<krb5::TgsReq>(request));
  if (s.req.pvno != krb5::kPvno) return Error(Errc::kGeneric, "pvno is not 5");
  if (s.req.padata) {
    for (const auto& p : *s.req.padata) {
      if (p.padata_type != krb5::padata_type::kTgsReq) continue;
      auto ap = der::decode<krb5::ApReq>(p.padata_value);
      if (!ap)
        return Error(Errc::kGeneric, "PA-TGS-REQ does not decode: " + ap.error().to_string());
      s.ap = std::move(*ap);
      return ok();
    }
  }
  return Error(Errc::kPadataTypeNoSupp, "TGS-REQ without PA-TGS-REQ");
}

// The TGT: ours (krbtgt/<our realm>), decrypted with the krbtgt key of its kvno (current
// or previous, so a krbtgt key change does not break TGTs in flight).
Result<void> open_tgt(KdcEnv& env, TgsState& s, SysTime now) {
  const auto& t = s.ap.ticket;
  if (!is_tgs_principal(t.sname) || !env.directory.is_our_realm(t.sname.name_string[1]) ||
      !env.directory.is_our_realm(t.realm)) {
    return Error(Errc::kPolicy, "the presented ticket is not a TGT of this realm");
  }
  const std::uint32_t kvno = t.enc_part.kvno.value_or(0);
  auto etype = crypto::enctype_from_int(t.enc_part.etype);
  if (!etype) return Error(Errc::kEtypeNoSupp, "TGT enctype not supported");
  const auto krbtgt_ptr = KB_TRY(env.directory.krbtgt_shared());
  const store::Account& krbtgt = *krbtgt_ptr;
  auto sign_etype = ticket_enctype(krbtgt);
  if (!sign_etype) return Error(Errc::kGeneric, "the krbtgt account has no usable key");
  s.kdc_key = KB_TRY(env.directory.key(krbtgt, *sign_etype, 0));
  if (is_rodc_kvno(kvno)) {
    // MS-KILE §3.1.5.8: issued by an RODC (ours: a cloud's Kerberos server object).
    KB_CHECK(find_rodc_ticket_key(env, s, *etype, kvno));
  } else {
    auto key = env.directory.key(krbtgt, *etype, kvno);
    if (!key) return Error(Errc::kBadKeyVer, "no krbtgt key for this kvno and enctype");
    s.ticket_key = *key;
  }
  auto plain = crypto::decrypt(*s.ticket_key, crypto::KeyUsage::kKdcRepTicket, t.enc_part.cipher);
  if (!plain) return Error(Errc::kBadIntegrity, "TGT does not decrypt");
  s.tgt = KB_TRY(der::decode<krb5::EncTicketPart>(plain->reveal()));
  auto sk_type = crypto::enctype_from_int(s.tgt.key.keytype);
  if (!sk_type) return Error(Errc::kEtypeNoSupp, "TGT session key type not supported");
  s.tgt_session = KB_TRY(crypto::Key::from_bytes(*sk_type, s.tgt.key.keyvalue.reveal()));

  const auto skew = std::chrono::seconds(s.domain->max_clock_skew_s);
  const bool renew = s.req.req_body.value.kdc_options.test(kf::kRenew);
  if (s.tgt.flags.test(tf::kInvalid)) return Error(Errc::kTktNotYetValid, "TGT is marked invalid");
  if (s.tgt.starttime && s.tgt.starttime->to_sys() > now + skew) {
    return Error(Errc::kTktNotYetValid, "TGT not yet valid");
  }
  if (!renew && s.tgt.endtime.to_sys() + skew < now) return Error(Errc::kTktExpired, "TGT expired");
  return ok();
}

// RFC 4120 §3.2.3 / §3.3.3: the authenticator under the TGT session key (usage 7), its
// client matching the ticket's, its time within the skew, seen once, and its checksum
// over the request body as received (usage 6).
Result<void> check_authenticator(KdcEnv& env, ReplayCache& replay, TgsState& s, SysTime now) {
  auto plain = crypto::decrypt(s.tgt_session, crypto::KeyUsage::kTgsReqAuthenticator,
                               s.ap.authenticator.cipher);
  if (!plain)
    return Error(Errc::kBadIntegrity, "authenticator does not decrypt under the TGT session key");
  s.authenticator = KB_TRY(der::decode<krb5::Authenticator>(plain->reveal()));
  const auto& a = s.authenticator;
  if (a.cname != s.tgt.cname || !env.directory.is_our_realm(a.crealm) || a.crealm != s.tgt.crealm) {
    return Error(Errc::kBadMatch, "authenticator client is not the ticket's client");
  }
  const auto skew = std::chrono::seconds(s.domain->max_clock_skew_s);
  const auto t = a.ctime.to_sys();
  if (t > now + skew || t < now - skew)
    return Error(Errc::kSkew, "authenticator time outside the allowed skew");
  if (!a.cksum) return Error(Errc::kInappCksum, "authenticator without a request-body checksum");
  // A keyed checksum that fits the session key (RFC 4120 §7.2.2; digest A.6): an unkeyed
  // or foreign type is INAPP_CKSUM, a wrong value MODIFIED.
  auto ctype = crypto::checksum_type_from_int(a.cksum->cksumtype);
  if (!ctype) return Error(Errc::kInappCksum, "unsupported checksum type");
  auto sum = crypto::verify_checksum(*ctype, s.tgt_session, crypto::KeyUsage::kTgsReqAuthCksum,
                                     s.req.req_body.encoding, a.cksum->checksum);
  if (!sum) {
    if (sum.error().is(crypto::Errc::kBadChecksum))
      return Error(Errc::kModified, "request body checksum does not match");
    return Error(Errc::kInappCksum, "checksum type does not fit the session key");
  }
  if (!replay.first_use(s.ap.authenticator.cipher, now))
    return Error(Errc::kRepeat, "authenticator replayed");
  return ok();
}

// The client must still exist and be usable; the TGT's PAC must be ours and name it
// (REQUESTOR = the account's SID: CVE-2021-42287 hardening, as Samba and Windows do).
Result<pac::Pac> check_client_and_pac(KdcEnv& env, TgsState& s, SysTime now) {
  auto client = env.directory.client(s.tgt.cname);
  if (!client) return Error(Errc::kTgtRevoked, "the TGT's client no longer exists");
  s.client = std::move(*client);
  if (s.client.user_account_control & store::uac::kAccountDisable) {
    return Error(Errc::kClientRevoked, "account disabled");
  }
  // MS-KILE 3.3.5.7.1: for a TGT older than 20 minutes (product note <68>) the account must
  // still be in good standing: not locked out or expired either.
  if (now - s.tgt.authtime.to_sys() > kAccountRecheckAge) {
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
    KB_CHECK(check_account_usable(s.client, *s.domain, secs.count()));
  }
  auto pac_bytes = KB_TRY(find_pac(s.tgt));
  if (!pac_bytes) return Error(Errc::kTgtRevoked, "TGT without PAC");
  auto parsed = pac::parse(*pac_bytes);
  if (!parsed)
    return Error(Errc::kTgtRevoked, "TGT PAC does not parse: " + parsed.error().to_string());
  if (!pac::verify(*parsed, {*s.ticket_key, s.ticket_key.get()})) {
    return Error(Errc::kTgtRevoked, "TGT PAC signatures do not verify");
  }
  const pac::Sid sid = KB_TRY(pac::Sid::parse(store::rid_sid(*s.domain, s.client.rid)));
  if (!parsed->pac.requestor || *parsed->pac.requestor != sid) {
    return Error(Errc::kTgtRevoked, "PAC REQUESTOR is not the client's SID");
  }
  return std::move(parsed->pac);
}

// What a writable DC does not do with an RODC-issued TGT: S4U2Self (Windows Server 2022
// refuses it with C_PRINCIPAL_UNKNOWN; digest D.3 step 7), and renewing or validating it
// (the cloud renews partial TGTs; the trade always starts a new full TGT). DESIGN.
Result<void> check_rodc_request(const TgsState& s) {
  if (s.req.padata) {
    for (const auto& p : *s.req.padata) {
      if (p.padata_type == krb5::padata_type::kForUser || p.padata_type == kPaS4uX509User) {
        return Error(Errc::kCPrincipalUnknown, "S4U2Self with an RODC-issued TGT");
      }
    }
  }
  const auto& opts = s.req.req_body.value.kdc_options;
  if (opts.test(kf::kRenew) || opts.test(kf::kValidate)) {
    return Error(Errc::kBadOption, "an RODC-issued TGT is traded, not renewed or validated");
  }
  return ok();
}

struct Issued {
  krb5::KerberosFlags flags;
  krb5::KerberosTime authtime, starttime, endtime;
  std::optional<krb5::KerberosTime> renew_till;
};

// RFC 4120 §3.3.3: new times within the TGT's, renewal of a renewable TGT, forwardable and
// forwarded as the TGT allows.
Result<Issued> times_and_flags(const TgsState& s, SysTime now, bool to_tgs) {
  const auto& body = s.req.req_body.value;
  const auto& opts = body.kdc_options;
  Issued out;
  out.authtime = s.tgt.authtime;
  out.starttime = krb5::KerberosTime::from_sys(now);
  if (opts.test(kf::kPostdated) || opts.test(kf::kAllowPostdate)) {
    return Error(Errc::kCannotPostdate, "postdated tickets are not issued");
  }
  if (opts.test(kf::kRenew)) {
    if (!to_tgs) return Error(Errc::kBadOption, "only TGTs are renewed here");
    if (!s.tgt.flags.test(tf::kRenewable) || !s.tgt.renew_till) {
      return Error(Errc::kBadOption, "the TGT is not renewable");
    }
    if (s.tgt.renew_till->to_sys() < now)
      return Error(Errc::kTktExpired, "renewable life has ended");
    const auto start = s.tgt.starttime ? s.tgt.starttime->to_sys() : s.tgt.authtime.to_sys();
    const auto life = s.tgt.endtime.to_sys() - start;
    out.endtime = krb5::KerberosTime::from_sys(std::min(now + life, s.tgt.renew_till->to_sys()));
    out.renew_till = s.tgt.renew_till;
    out.flags = s.tgt.flags;
    out.flags.set(tf::kInitial, false);
    return out;
  }
  const auto max_end = now + std::chrono::seconds(s.domain->max_ticket_lifetime_s);
  auto end = std::min(s.tgt.endtime.to_sys(), max_end);
  if (std::chrono::duration_cast<std::chrono::seconds>(body.till.to_sys().time_since_epoch())
          .count() != 0) {
    end = std::min(end, body.till.to_sys());
  }
  if (end <= now) return Error(Errc::kNeverValid, "requested end time is in the past");
  out.endtime = krb5::KerberosTime::from_sys(end);
  if ((opts.test(kf::kRenewable) || opts.test(kf::kRenewableOk)) &&
      s.tgt.flags.test(tf::kRenewable) && s.tgt.renew_till) {
    auto renew = s.tgt.renew_till->to_sys();
    if (body.rtime && opts.test(kf::kRenewable)) renew = std::min(renew, body.rtime->to_sys());
    if (renew > end) {
      out.renew_till = krb5::KerberosTime::from_sys(renew);
      out.flags.set(tf::kRenewable);
    }
  }
  if (s.tgt.flags.test(tf::kPreAuthent)) out.flags.set(tf::kPreAuthent);
  const bool delegable = !(s.client.user_account_control & store::uac::kNotDelegated);
  if (opts.test(kf::kForwardable) && s.tgt.flags.test(tf::kForwardable) && delegable) {
    out.flags.set(tf::kForwardable);
  }
  if (opts.test(kf::kForwarded)) {
    if (!s.tgt.flags.test(tf::kForwardable) || !delegable)
      return Error(Errc::kBadOption, "TGT not forwardable");
    out.flags.set(tf::kForwarded);
  }
  if (s.tgt.flags.test(tf::kForwarded)) out.flags.set(tf::kForwarded);
  if (!to_tgs && (s.server->user_account_control & store::uac::kTrustedForDelegation)) {
    out.flags.set(tf::kOkAsDelegate);
  }
  return out;
}

Result<Bytes> issue(KdcEnv& env, TgsState& s, pac::Pac pac_contents, SysTime now,
                    std::optional<krb5::MethodData> enc_padata) {
  const auto& body = s.req.req_body.value;
  const krb5::PrincipalName sname = *body.sname;
  const bool to_tgs = is_tgs_principal(sname);
  auto session_etype = first_common_enctype(body.etype, *s.server);
  auto ticket_etype = ticket_enctype(*s.server);
  if (!session_etype || !ticket_etype)
    return Error(Errc::kEtypeNoSupp, "no enctype in common with the service");
  Issued t = KB_TRY(times_and_flags(s, now, to_tgs));
  crypto::Key session = crypto::Key::random(*session_etype, env.rng);
  const auto sk_type = static_cast<krb5::Int32>(*session_etype);

  SealRequest seal;
  seal.realm = s.domain->realm;
  seal.sname = sname;
  seal.part.flags = t.flags;
  seal.part.key = krb5::EncryptionKey{sk_type, session.bytes().clone()};
  seal.part.crealm = s.tgt.crealm;
  seal.part.cname = s.tgt.cname;
  seal.part.transited = s.tgt.transited;
  seal.part.authtime = t.authtime;
  seal.part.starttime = t.starttime;
  seal.part.endtime = t.endtime;
  seal.part.renew_till = t.renew_till;
  const auto caddr = body.kdc_options.test(kf::kForwarded) ? body.addresses : s.tgt.caddr;
  seal.part.caddr = caddr;
  // MS-KILE 3.3.5.3: a service ticket carries no PAC when the service account has the NA
  // bit (NO_AUTH_DATA_REQUIRED) in userAccountControl; TGTs and referrals always do.
  if (to_tgs || !(s.server->user_account_control & store::uac::kNoAuthDataRequired)) {
    seal.pac = std::move(pac_contents);
  }
  auto server_key = KB_TRY(env.directory.key(*s.server, *ticket_etype, 0));
  seal.server_key = server_key.get();
  seal.server_kvno = current_kvno(*s.server);
  seal.kdc_key = s.kdc_key.get();
  seal.service_ticket = !to_tgs;
  krb5::Ticket ticket = KB_TRY(seal_ticket(std::move(seal), env.rng));

  krb5::EncTgsRepPart part;
  part.key = krb5::EncryptionKey{sk_type, session.bytes().clone()};
  part.last_req = {krb5::LastReqEntry{0, t.authtime}};
  part.nonce = body.nonce;
  part.flags = t.flags;
  part.authtime = t.authtime;
  part.starttime = t.starttime;
  part.endtime = t.endtime;
  part.renew_till = t.renew_till;
  part.srealm = s.domain->realm;
  part.sname = sname;
  part.caddr = caddr;
  // RFC 6806 §11 encrypted-pa-data: the key list (MS-KILE §3.3.5.7.8). The enc-pa-rep flag
  // stays clear: it promises a PA-REQ-ENC-PA-REP checksum, which a TGS reply does not carry.
  part.encrypted_pa_data = std::move(enc_padata);
  Bytes plain = der::encode(part);
  // RFC 4120 §3.3.3: encrypted in the authenticator's subkey (usage 9) when there is one,
  // else in the TGT session key (usage 8).
  Result<Bytes> cipher = Error(Errc::kGeneric, "unset");
  krb5::Int32 reply_etype = s.tgt.key.keytype;
  if (s.authenticator.subkey) {
    auto st = crypto::enctype_from_int(s.authenticator.subkey->keytype);
    if (!st) return Error(Errc::kEtypeNoSupp, "authenticator subkey type not supported");
    crypto::Key sub =
        KB_TRY(crypto::Key::from_bytes(*st, s.authenticator.subkey->keyvalue.reveal()));
    cipher = crypto::encrypt(sub, crypto::KeyUsage::kTgsRepEncPartSubkey, plain, env.rng);
    reply_etype = s.authenticator.subkey->keytype;
  } else {
    cipher =
        crypto::encrypt(s.tgt_session, crypto::KeyUsage::kTgsRepEncPartSessionKey, plain, env.rng);
  }
  secure_wipe(plain.data(), plain.size());
  if (!cipher) return std::move(cipher).error();

  krb5::TgsRep rep;
  rep.crealm = s.tgt.crealm;
  rep.cname = s.tgt.cname;
  rep.ticket = std::move(ticket);
  rep.enc_part.etype = reply_etype;
  rep.enc_part.cipher = std::move(*cipher);
  return der::encode(rep);
}

}  // namespace

Bytes handle_tgs_req(KdcEnv& env, ReplayCache& replay, ByteView request, bool udp,
                     RequestLog& log) {
  log.kind = "TGS";
  KdcDirectory::RequestScope scope(env.directory);
  const SysTime now = env.clock.now();
  const store::Domain* domain = nullptr;
  if (auto d = env.directory.domain(); d) domain = *d;
  const krb5::Realm realm = domain ? domain->realm : krb5::Realm("UNKNOWN");
  krb5::PrincipalName sname{krb5::name_type::kSrvInst, {"krbtgt", realm}};
  std::optional<krb5::PrincipalName> cname;
  TgsState s;
  s.domain = domain;

  auto refuse = [&](const Error& e) {
    log.error_code = krb_error_code(e);
    log.detail = e.to_string();
    return make_krb_error(now, e, realm, sname,
                          cname ? std::optional<krb5::Realm>(realm) : std::nullopt, cname);
  };
  if (domain == nullptr) return refuse(Error(Errc::kGeneric, "KDC has no domain"));
  if (auto r = decode_tgs_req(s, request); !r) {
    return refuse(r.error().domain() == ErrorDomain::kKdc
                      ? r.error()
                      : Error(Errc::kGeneric, r.error().to_string()));
  }
  const auto& body = s.req.req_body.value;
  if (body.sname) sname = *body.sname;
  log.service = body.sname ? principal_to_string(*body.sname) : "";

  auto run = [&]() -> Result<Bytes> {
    if (!body.sname) return Error(Errc::kSPrincipalUnknown, "TGS-REQ without sname");
    // MS-KILE 2.2.10 / MS-SFU 2.2.5: read strictly; we act on none of the bits (pac_options.h).
    if (auto opts = KB_TRY(read_pac_options(s.req.padata))) {
      log.pac_options = describe_pac_options(*opts);
    }
    if (!env.directory.is_our_realm(body.realm))
      return Error(Errc::kWrongRealm, "realm " + body.realm);
    KB_CHECK(open_tgt(env, s, now));
    cname = s.tgt.cname;
    log.client = principal_to_string(s.tgt.cname);
    KB_CHECK(check_authenticator(env, replay, s, now));
    pac::Pac pac_contents;
    if (s.rodc) {
      KB_CHECK(check_rodc_request(s));
      pac_contents = KB_TRY(confirm_rodc_client(env, s, now, log));
    } else {
      pac_contents = KB_TRY(check_client_and_pac(env, s, now));
    }
    s.server = KB_TRY(env.directory.service_shared(*body.sname));
    if ((s.server->user_account_control & store::uac::kAccountDisable) &&
        s.server->rid != store::kRidKrbtgt) {
      return Error(Errc::kServiceRevoked, "service account disabled");
    }
    std::optional<krb5::MethodData> enc_padata;
    if (auto key_list = KB_TRY(key_list_reply(env, s))) {
      enc_padata = krb5::MethodData{};
      enc_padata->push_back(std::move(*key_list));
    }
    return issue(env, s, std::move(pac_contents), now, std::move(enc_padata));
  };
  auto reply = run();
  if (!reply) return refuse(reply.error());
  if (udp && reply->size() > env.policy.max_udp_reply) {
    return refuse(Error(Errc::kResponseTooBig, "reply too big for UDP; retry over TCP"));
  }
  return std::move(*reply);
}

}  // namespace kb::kdc
