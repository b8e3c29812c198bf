#include "krb_requests.h"

namespace kb::bench {

krb5::PrincipalName principal(const std::string& s, std::int32_t type) {
  krb5::PrincipalName p{type, {}};
  std::size_t start = 0;
  for (;;) {
    auto slash = s.find('/', start);
    p.name_string.push_back(
        s.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return p;
}

std::uint32_t KrbRequests::nonce() {
  std::uint8_t b[4];
  rng_.fill(b);
  return (std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | b[3]) &
         0x7fffffffu;
}

krb5::AsReq KrbRequests::make_as_req(bool with_timestamp, SysTime now) {
  krb5::AsReq r;
  auto& b = r.req_body.value;
  b.kdc_options.set(krb5::kdc_option::kForwardable).set(krb5::kdc_option::kRenewableOk);
  b.cname = principal(cfg_.user, krb5::name_type::kPrincipal);
  b.realm = cfg_.realm;
  b.sname = krb5::PrincipalName{krb5::name_type::kSrvInst, {"krbtgt", cfg_.realm}};
  b.till = krb5::KerberosTime::from_sys(now + std::chrono::hours(10));
  b.nonce = nonce();
  b.etype = {static_cast<krb5::Int32>(crypto::EncType::kAes256CtsHmacSha196)};
  if (with_timestamp) {
    // RFC 4120 §5.2.7.2 PA-ENC-TS-ENC under the user's key, usage 1.
    krb5::PaEncTsEnc ts;
    ts.patimestamp = krb5::KerberosTime::from_sys(now);
    ts.pausec = static_cast<krb5::Int32>(now.time_since_epoch().count() % 1000000);
    krb5::EncryptedData ed;
    ed.etype = static_cast<krb5::Int32>(user_key_.enctype());
    ed.cipher =
        *crypto::encrypt(user_key_, crypto::KeyUsage::kAsReqPaEncTimestamp, der::encode(ts), rng_);
    r.padata = std::vector<krb5::PaData>{{krb5::padata_type::kEncTimestamp, der::encode(ed)}};
  }
  return r;
}

Bytes KrbRequests::as_req(SysTime now) {
  return der::encode(make_as_req(true, now));
}

Bytes KrbRequests::tgs_req(SysTime now) {
  krb5::TgsReq r;
  auto& b = r.req_body.value;
  b.kdc_options.set(krb5::kdc_option::kForwardable);
  b.realm = cfg_.realm;
  b.sname = principal(cfg_.service, krb5::name_type::kSrvHst);
  b.till = krb5::KerberosTime::from_sys(now + std::chrono::hours(10));
  b.nonce = nonce();
  b.etype = {static_cast<krb5::Int32>(crypto::EncType::kAes256CtsHmacSha196)};
  const Bytes body = der::encode(b);
  // RFC 4120 §5.5.1: the authenticator carries the checksum of the request body (usage 6)
  // and is encrypted in the TGT session key (usage 7).
  krb5::Authenticator a;
  a.crealm = cfg_.realm;
  a.cname = principal(cfg_.user, krb5::name_type::kPrincipal);
  a.cksum = krb5::Checksum{
      static_cast<krb5::Int32>(crypto::mandatory_checksum(tgt_session_.enctype())),
      *crypto::make_checksum(tgt_session_, crypto::KeyUsage::kTgsReqAuthCksum, body)};
  a.ctime = krb5::KerberosTime::from_sys(now);
  a.cusec = static_cast<krb5::Int32>(now.time_since_epoch().count() % 1000000);
  krb5::ApReq ap;
  ap.ticket = tgt_;
  ap.authenticator.etype = static_cast<krb5::Int32>(tgt_session_.enctype());
  ap.authenticator.cipher =
      *crypto::encrypt(tgt_session_, crypto::KeyUsage::kTgsReqAuthenticator, der::encode(a), rng_);
  r.padata = std::vector<krb5::PaData>{{krb5::padata_type::kTgsReq, der::encode(ap)}};
  return der::encode(r);
}

Result<void> KrbRequests::sign_in(const Exchange& exchange, const SecretString& password,
                                  SysTime now) {
  const Bytes first = exchange(der::encode(make_as_req(false, now)));
  auto err = der::decode<krb5::KrbError>(first);
  if (!err || err->error_code != 25 || !err->e_data) {
    return Error(BaseErrc::kInvalidArgument,
                 "expected PREAUTH_REQUIRED from the KDC, got " +
                     (first.empty() ? std::string("no reply")
                      : err         ? "error code " + std::to_string(err->error_code)
                                    : "an undecodable reply: " + err.error().to_string()));
  }
  std::string salt = cfg_.realm + cfg_.user;
  if (auto md = der::decode<krb5::MethodData>(*err->e_data)) {
    for (const auto& p : *md) {
      if (p.padata_type != krb5::padata_type::kEtypeInfo2) continue;
      auto info = der::decode<krb5::EtypeInfo2>(p.padata_value);
      if (info && !info->empty() && (*info)[0].salt) salt = *(*info)[0].salt;
    }
  }
  user_key_ = KB_TRY(crypto::string_to_key(crypto::EncType::kAes256CtsHmacSha196, password, salt));
  auto rep = der::decode<krb5::AsRep>(exchange(as_req(now)));
  if (!rep)
    return Error(BaseErrc::kInvalidArgument, "the KDC did not issue a TGT (wrong password?)");
  auto plain =
      KB_TRY(crypto::decrypt(user_key_, crypto::KeyUsage::kAsRepEncPart, rep->enc_part.cipher));
  auto part = KB_TRY(der::decode<krb5::EncAsRepPart>(plain.reveal()));
  auto sk_type = crypto::enctype_from_int(part.key.keytype);
  if (!sk_type) return Error(BaseErrc::kInvalidArgument, "TGT session key enctype unknown");
  tgt_ = rep->ticket;
  tgt_session_ = KB_TRY(crypto::Key::from_bytes(*sk_type, part.key.keyvalue.reveal()));
  return ok();
}

KrbRequests KrbRequests::clone() const {
  KrbRequests c(cfg_);
  if (!user_key_.empty()) c.user_key_ = user_key_.clone();
  c.tgt_ = tgt_;
  if (!tgt_session_.empty()) c.tgt_session_ = tgt_session_.clone();
  return c;
}

}  // namespace kb::bench
