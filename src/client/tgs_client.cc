#include "client/tgs_client.h"

#include "kdc/errc.h"

namespace kb::client {
namespace {

namespace kf = krb5::kdc_option;

Error bad_reply(std::string detail) {
  return Error(Errc::kBadReply, std::move(detail));
}

krb5::UInt32 random_nonce(Rng& rng) {
  std::uint8_t b[4];
  rng.fill(b);
  // Kept below 2^31: some KDCs decode the nonce as a signed 32-bit integer.
  return ((std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
          b[3]) &
         0x7fffffffu;
}

Credential credential_from(const krb5::KdcRep& rep, const krb5::EncKdcRepPart& part,
                           crypto::Key session) {
  Credential c{rep.crealm,    rep.cname,      rep.ticket,   std::move(session), part.flags,
               part.authtime, part.starttime, part.endtime, part.renew_till};
  return c;
}

Result<crypto::Key> reply_session_key(const krb5::EncryptionKey& k) {
  auto type = crypto::enctype_from_int(k.keytype);
  if (!type) return bad_reply("session key of an unsupported enctype");
  return crypto::Key::from_bytes(*type, k.keyvalue.reveal());
}

}  // namespace

std::string_view error_code_name(Errc e) {
  switch (e) {
    case Errc::kBadReply:
      return "bad_reply";
  }
  return "unknown";
}

Result<Credential> open_as_rep(ByteView as_rep, const crypto::Key& reply_key) {
  auto rep = der::decode<krb5::AsRep>(as_rep);
  if (!rep) return bad_reply("not an AS-REP: " + rep.error().to_string());
  auto plain = crypto::decrypt(reply_key, crypto::KeyUsage::kAsRepEncPart, rep->enc_part.cipher);
  if (!plain) return bad_reply("the AS-REP does not decrypt with the client key");
  auto part = der::decode<krb5::EncAsRepPart>(plain->reveal());
  if (!part) return bad_reply("EncASRepPart: " + part.error().to_string());
  crypto::Key session = KB_TRY(reply_session_key(part->key));
  return credential_from(*rep, *part, std::move(session));
}

krb5::KerberosFlags trade_options() {
  krb5::KerberosFlags f;
  f.set(kf::kForwardable);
  f.set(kf::kRenewable);
  f.set(kf::kCanonicalize);
  return f;
}

Result<PreparedTgsReq> build_tgs_req(const Credential& tgt, const TgsRequest& req,
                                     const Clock& clock, Rng& rng) {
  const SysTime now = clock.now();
  PreparedTgsReq out;
  out.nonce = random_nonce(rng);
  krb5::TgsReq r;
  auto& b = r.req_body.value;
  b.kdc_options = req.kdc_options;
  b.realm = req.realm;
  b.sname = req.sname;
  b.till = krb5::KerberosTime::from_sys(now + req.lifetime);
  if (req.kdc_options.test(kf::kRenewable) && tgt.renew_till) b.rtime = tgt.renew_till;
  b.nonce = out.nonce;
  b.etype = req.etypes;
  const Bytes body = der::encode(b);

  krb5::Authenticator a;
  a.crealm = tgt.crealm;
  a.cname = tgt.cname;
  // RFC 4120 §7.2.2: a keyed checksum of the body with the session key's mandatory type.
  auto sum =
      KB_TRY(crypto::make_checksum(tgt.session_key, crypto::KeyUsage::kTgsReqAuthCksum, body));
  a.cksum = krb5::Checksum{
      static_cast<krb5::Int32>(crypto::mandatory_checksum(tgt.session_key.enctype())),
      std::move(sum)};
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch());
  a.ctime = krb5::KerberosTime::from_sys(now);
  a.cusec = static_cast<krb5::Int32>(us.count() % 1000000);
  krb5::ApReq ap;
  ap.ticket = tgt.ticket;
  ap.authenticator.etype = static_cast<krb5::Int32>(tgt.session_key.enctype());
  ap.authenticator.cipher = KB_TRY(crypto::encrypt(
      tgt.session_key, crypto::KeyUsage::kTgsReqAuthenticator, der::encode(a), rng));

  r.padata = std::vector<krb5::PaData>{{krb5::padata_type::kTgsReq, der::encode(ap)}};
  if (req.key_list) {
    // Digest E: SEQUENCE OF INTEGER { 23 }.
    krb5::KerbKeyListReq kl{static_cast<krb5::Int32>(crypto::EncType::kRc4Hmac)};
    r.padata->push_back({krb5::padata_type::kKerbKeyListReq, der::encode(kl)});
  }
  for (const auto& p : req.extra_padata) r.padata->push_back(p);
  out.bytes = der::encode(r);
  return out;
}

Result<TgsReply> read_tgs_rep(ByteView reply, const Credential& tgt,
                              const PreparedTgsReq& prepared) {
  if (auto err = der::decode<krb5::KrbError>(reply)) {
    return Error(static_cast<kdc::Errc>(err->error_code),
                 err->e_text.value_or("KDC refused the request"));
  }
  auto rep = der::decode<krb5::TgsRep>(reply);
  if (!rep) return bad_reply("neither TGS-REP nor KRB-ERROR: " + rep.error().to_string());
  auto plain = crypto::decrypt(tgt.session_key, crypto::KeyUsage::kTgsRepEncPartSessionKey,
                               rep->enc_part.cipher);
  if (!plain) return bad_reply("the TGS-REP does not decrypt with the TGT session key");
  auto part = der::decode<krb5::EncTgsRepPart>(plain->reveal());
  if (!part) return bad_reply("EncTGSRepPart: " + part.error().to_string());
  if (part->nonce != prepared.nonce) return bad_reply("the TGS-REP answers another request");
  TgsReply out{credential_from(*rep, *part, KB_TRY(reply_session_key(part->key))), std::nullopt};
  if (part->encrypted_pa_data) {
    for (const auto& p : *part->encrypted_pa_data) {
      if (p.padata_type != krb5::padata_type::kKerbKeyListRep) continue;
      auto keys = der::decode<krb5::KerbKeyListRep>(p.padata_value);
      if (!keys) return bad_reply("KERB-KEY-LIST-REP: " + keys.error().to_string());
      for (const auto& k : *keys) {
        if (k.keytype == static_cast<krb5::Int32>(crypto::EncType::kRc4Hmac)) {
          out.nt_hash = k.keyvalue.clone();
        }
      }
    }
  }
  return out;
}

std::int32_t kerberos_error_code(const Error& e) {
  return e.domain() == ErrorDomain::kKdc ? e.code() : 0;
}

}  // namespace kb::client
