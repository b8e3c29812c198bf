#include "cloud/prt.h"

#include <boost/json.hpp>

#include "base/base64.h"
#include "cloud/errors.h"
#include "crypto/certificate.h"
#include "crypto/public_key_cache.h"
#include "jose/jwt.h"
#include "jose/oapxbc.h"

namespace kb::cloud {
namespace {

Error invalid(std::string detail) {
  return Error(CloudErrc::kInvalidGrant, std::move(detail));
}

// Any failure below is the client's: one code, the reason for the log only.
template <typename T>
Result<T> grant(Result<T> r, std::string_view what) {
  if (!r) return invalid(std::string(what) + ": " + r.error().to_string());
  return r;
}

Result<std::string> string_claim(const boost::json::object& claims, std::string_view name) {
  const auto* v = claims.if_contains(name);
  if (v == nullptr || !v->is_string() || v->as_string().empty()) {
    return invalid("claim " + std::string(name) + " missing or not a string");
  }
  return std::string(v->as_string());
}

Result<void> fresh(const boost::json::object& claims, SysTime now) {
  jose::ClaimChecks checks;
  checks.require_exp = true;
  checks.require_iat = true;
  checks.max_age = kRequestMaxAge;
  return grant(jose::check_claims(claims, checks, now), "request claims");
}

Result<void> expect(const boost::json::object& claims, std::string_view name,
                    std::string_view value) {
  const std::string got = KB_TRY(string_claim(claims, name));
  if (got != value) return invalid("claim " + std::string(name) + " is " + got);
  return ok();
}

// RFC 7515 §4.1.6: x5c holds standard base64 DER certificates, the signer's first.
Result<Bytes> first_x5c(const boost::json::object& header) {
  const auto* x5c = header.if_contains("x5c");
  if (x5c == nullptr || !x5c->is_array() || x5c->as_array().empty() ||
      !x5c->as_array().front().is_string()) {
    return invalid("header x5c missing");
  }
  return grant(base64_decode(std::string_view(x5c->as_array().front().as_string())), "x5c");
}

// An unsigned JWT (MS-OAPXBC: the id_token need not be signed; the client reads it only
// for display).
std::string unsigned_jwt(const boost::json::object& claims) {
  const std::string header = R"({"typ":"JWT","alg":"none"})";
  return base64url_encode(as_bytes(header)) + "." +
         base64url_encode(as_bytes(boost::json::serialize(claims))) + ".";
}

Result<void> add_tgt(boost::json::object& out, const TgtOutcome& t, const SecretBytes& session,
                     Rng& rng) {
  boost::json::object ad;
  ad["realm"] = t.realm;
  ad["sn"] = "krbtgt/" + t.realm;
  if (!t.tgt) {
    ad["keyType"] = 0;
    ad["clientKey"] = "";
    ad["messageBuffer"] = "";
    ad["error"] = t.error.empty() ? "no ticket" : t.error;
    out["tgt_error_message"] = ad["error"];
    out["tgt_ad"] = boost::json::serialize(ad);
    return ok();
  }
  const PartialTgt& p = *t.tgt;
  const auto key_type = static_cast<std::int64_t>(p.client_key.enctype());
  // Digest F.3 DESIGN: the client key travels as a derived-key JWE (dir/A256GCM + ctx).
  const std::string client_key =
      KB_TRY(jose::oapxbc::encrypt_with_session_key(session, p.client_key.bytes().reveal(), rng));
  const std::string buffer = base64_encode(p.as_rep);
  out["tgt_client_key"] = client_key;
  out["tgt_key_type"] = key_type;
  out["tgt_message_buffer"] = buffer;
  ad["clientKey"] = client_key;
  ad["keyType"] = key_type;
  ad["messageBuffer"] = buffer;
  ad["cn"] = p.cname.name_string.empty() ? "" : p.cname.name_string.front();
  ad["sessionKeyType"] = key_type;
  ad["accountType"] = 1;  // observed in libhimmelblau: 1 = user
  ad["error"] = "";
  out["tgt_ad"] = boost::json::serialize(ad);
  return ok();
}

// The device certificate is decoded once here; every check below runs on that one value.
template <typename DecodeOf, typename KeyOf>
Result<DevicePrtRequest> verify_request(std::string_view jwt, const crypto::Certificate& device_ca,
                                        SysTime now, DecodeOf decode, KeyOf key_of) {
  const jose::Jws parsed = KB_TRY(grant(jose::parse_jws(jwt), "request JWT"));
  DevicePrtRequest out;
  out.device_certificate = KB_TRY(first_x5c(parsed.header));
  out.certificate = KB_TRY(grant(decode(ByteView(out.device_certificate)), "device certificate"));
  KB_CHECK(grant(out.certificate.verify_issued_by(device_ca, now), "device certificate"));
  out.device_key = KB_TRY(grant(key_of(out.certificate), "device key"));
  // The algorithm follows the certified key, never the header (RFC 8725 3.1): RS256 for an
  // RSA device key, ES256 for a P-256 one (issue 4: "a device public key (ES256 or RS256)").
  const jose::JwsAlg alg = out.device_key.type() == crypto::KeyType::kEcP256 ? jose::JwsAlg::kEs256
                                                                             : jose::JwsAlg::kRs256;
  KB_TRY(grant(jose::verify_jws(jwt, alg, out.device_key), "device signature"));
  out.device_id = KB_TRY(grant(out.certificate.subject_cn(), "CN"));
  const auto claims = KB_TRY(grant(jose::parse_claims(parsed.payload), "claims"));
  KB_CHECK(fresh(claims, now));
  KB_CHECK(expect(claims, "client_id", kBrokerClientId));
  KB_CHECK(expect(claims, "grant_type", kGrantWebauthn));
  out.username = KB_TRY(string_claim(claims, "username"));
  out.request_nonce = KB_TRY(string_claim(claims, "request_nonce"));
  const auto* assertion = claims.if_contains("assertion");
  if (assertion == nullptr || !assertion->is_object()) return invalid("assertion missing");
  out.assertion = boost::json::serialize(*assertion);
  return out;
}

}  // namespace

Result<DevicePrtRequest> verify_device_prt_request(std::string_view jwt, ByteView device_ca,
                                                   SysTime now) {
  const auto ca = KB_TRY(grant(crypto::Certificate::parse(device_ca), "device CA"));
  return verify_request(
      jwt, ca, now, [](ByteView der) { return crypto::Certificate::parse(der); },
      [](const crypto::Certificate& cert) { return cert.public_key(); });
}

Result<DevicePrtRequest> verify_device_prt_request(std::string_view jwt, ByteView device_ca,
                                                   SysTime now, crypto::PublicKeyCache& keys) {
  const auto ca = KB_TRY(grant(crypto::Certificate::parse(device_ca), "device CA"));
  return verify_request(
      jwt, ca, now, [](ByteView der) { return crypto::Certificate::parse(der); },
      [&keys](const crypto::Certificate& cert) { return keys.from_certificate(cert); });
}

Result<DevicePrtRequest> verify_device_prt_request(std::string_view jwt,
                                                   const crypto::Certificate& device_ca,
                                                   SysTime now, crypto::PublicKeyCache& keys,
                                                   crypto::CertificateCache& device_certs) {
  return verify_request(
      jwt, device_ca, now, [&device_certs](ByteView der) { return device_certs.get(der); },
      [&keys](const crypto::Certificate& cert) { return keys.from_certificate(cert); });
}

Result<std::string> peek_refresh_token(std::string_view jws) {
  const jose::Jws parsed = KB_TRY(grant(jose::parse_jws(jws), "refresh JWS"));
  const auto claims = KB_TRY(grant(jose::parse_claims(parsed.payload), "claims"));
  return string_claim(claims, "refresh_token");
}

Result<RefreshPrtRequest> verify_refresh_prt_request(std::string_view jws,
                                                     const SecretBytes& session_key, SysTime now) {
  const jose::Jws v = KB_TRY(
      grant(jose::oapxbc::verify_with_session_key(session_key, jws, jose::oapxbc::KdfVersion::kV2),
            "session key signature"));
  const auto claims = KB_TRY(grant(jose::parse_claims(v.payload), "claims"));
  KB_CHECK(fresh(claims, now));
  KB_CHECK(expect(claims, "client_id", kBrokerClientId));
  KB_CHECK(expect(claims, "grant_type", kGrantRefreshToken));
  RefreshPrtRequest out;
  out.refresh_token = KB_TRY(string_claim(claims, "refresh_token"));
  out.request_nonce = KB_TRY(string_claim(claims, "request_nonce"));
  return out;
}

Result<std::string> build_prt_response(const PrtGrant& g, SysTime now, Rng& rng) {
  if (g.session_key.size() != jose::oapxbc::kSessionKeySize) {
    return Error(CloudErrc::kInternal, "session key of the wrong size");
  }
  const auto iat = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  boost::json::object out;
  out["token_type"] = "pop";
  out["expires_in"] = 3600;
  out["ext_expires_in"] = 3600;
  out["expires_on"] = iat + 3600;
  out["refresh_token"] = g.refresh_token;
  out["refresh_token_expires_in"] = g.refresh_token_expires_in;
  if (g.transport) {
    out["session_key_jwe"] =
        KB_TRY(jose::oapxbc::make_session_key_jwe(g.session_key, *g.transport, rng));
  }
  boost::json::object id;
  id["aud"] = kBrokerClientId;
  id["iat"] = iat;
  id["exp"] = iat + 3600;
  id["tid"] = g.tenant_id;
  id["oid"] = g.user_id;
  id["upn"] = g.upn;
  out["id_token"] = unsigned_jwt(id);
  boost::json::object client_info{{"uid", g.user_id}, {"utid", g.tenant_id}};
  out["client_info"] = base64url_encode(as_bytes(boost::json::serialize(client_info)));
  out["device_tenant_id"] = g.tenant_id;
  if (g.tgt_ad) KB_CHECK(add_tgt(out, *g.tgt_ad, g.session_key, rng));
  // DESIGN (not in MS-OAPXBC): the credential that signed in, with its public key, so that
  // the device can verify the same security key offline later (reference 002: cached
  // sign-in after one online sign-in), also for a key registered on another device. The
  // key is public; the device checks it against the assertion it just made before keeping it.
  if (!g.credential_id.empty() && !g.credential_public_key.empty()) {
    out["keybridge_credential"] =
        boost::json::object{{"id", base64url_encode(g.credential_id)},
                            {"public_key", base64url_encode(g.credential_public_key)}};
  }
  return boost::json::serialize(out);
}

}  // namespace kb::cloud
