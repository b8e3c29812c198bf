#include "jose/jws.h"

#include "base/base64.h"
#include "base/json.h"
#include "crypto/symmetric.h"

namespace kb::jose {

namespace {

constexpr std::size_t kMinHmacKey = 32;  // RFC 7518 3.2: a key at least the hash size

bool known_alg(std::string_view a) {
  return a == "RS256" || a == "ES256" || a == "HS256";
}

// RFC 7515 5.2 step 8 with RFC 8725 3.1: the header's alg must be exactly the one this key is
// used with.
Result<void> check_alg(const Jws& jws, JwsAlg expected) {
  if (jws.alg == alg_name(expected)) return kb::ok();
  if (!known_alg(jws.alg)) return Error(JoseErrc::kUnsupportedAlg, "alg not supported");
  return Error(JoseErrc::kAlgMismatch, "alg differs from the key's algorithm");
}

Error from_crypto(const Error& e) {
  if (e.is(crypto::PkeyErrc::kBadSignature)) {
    return Error(JoseErrc::kBadSignature, "signature does not verify");
  }
  if (e.is(crypto::PkeyErrc::kBadKey)) return Error(JoseErrc::kBadKey, e.detail());
  return Error(JoseErrc::kCrypto, e.detail());
}

Result<std::string> header_with_alg(const boost::json::object& extra, JwsAlg alg) {
  for (std::string_view reserved : {"alg", "crit", "zip", "b64"}) {
    if (extra.contains(reserved)) {
      return Error(JoseErrc::kUnsupportedHeader, "caller header sets " + std::string(reserved));
    }
  }
  boost::json::object h = extra;
  h["alg"] = alg_name(alg);
  std::string text = json::serialize(h);
  return base64url_encode(as_bytes(text));
}

crypto::SignatureAlg to_sig_alg(JwsAlg a) {
  return a == JwsAlg::kRs256 ? crypto::SignatureAlg::kRs256 : crypto::SignatureAlg::kEs256;
}

}  // namespace

std::string_view alg_name(JwsAlg a) {
  switch (a) {
    case JwsAlg::kRs256:
      return "RS256";
    case JwsAlg::kEs256:
      return "ES256";
    case JwsAlg::kHs256:
      return "HS256";
  }
  return "";
}

Result<Jws> parse_jws(std::string_view compact, const Limits& limits) {
  auto seg = KB_TRY(split_compact(compact, 3, limits));
  Jws j;
  j.header = KB_TRY(decode_header(seg[0], limits));
  j.alg = KB_TRY(header_string(j.header, "alg"));
  KB_CHECK(refuse_extensions(j.header));
  j.payload = KB_TRY(decode_segment(seg[1], "payload"));
  // RFC 7515 3.1 / 7518 3.6: an empty signature is "none", which we never accept.
  if (seg[2].empty()) return Error(JoseErrc::kUnsupportedAlg, "unsigned JWS");
  j.signature = KB_TRY(decode_segment(seg[2], "signature"));
  j.signing_input = std::string(compact.substr(0, seg[0].size() + 1 + seg[1].size()));
  return j;
}

Result<Jws> verify_jws(std::string_view compact, JwsAlg expected, const crypto::PublicKey& key,
                       const Limits& limits) {
  if (expected == JwsAlg::kHs256) {
    return Error(JoseErrc::kBadKey, "HS256 needs a symmetric key");
  }
  Jws j = KB_TRY(parse_jws(compact, limits));
  KB_CHECK(check_alg(j, expected));
  auto r = crypto::verify(key, to_sig_alg(expected), as_bytes(j.signing_input), j.signature);
  if (!r) return from_crypto(r.error());
  return j;
}

Result<void> check_hs256(const Jws& jws, const SecretBytes& key) {
  KB_CHECK(check_alg(jws, JwsAlg::kHs256));
  if (key.size() < kMinHmacKey) return Error(JoseErrc::kBadKey, "HS256 key shorter than 32 bytes");
  auto mac = crypto::hmac_sha256(key.reveal(), as_bytes(jws.signing_input));
  if (!mac) return Error(JoseErrc::kCrypto, mac.error().detail());
  if (!constant_time_equal(*mac, jws.signature)) {
    return Error(JoseErrc::kBadSignature, "MAC does not verify");
  }
  return kb::ok();
}

Result<Jws> verify_jws_hs256(std::string_view compact, const SecretBytes& key,
                             const Limits& limits) {
  Jws j = KB_TRY(parse_jws(compact, limits));
  KB_CHECK(check_hs256(j, key));
  return j;
}

Result<std::string> sign_jws(const boost::json::object& extra_header, ByteView payload, JwsAlg alg,
                             const crypto::PrivateKey& key) {
  if (alg == JwsAlg::kHs256) return Error(JoseErrc::kBadKey, "HS256 needs a symmetric key");
  std::string input = KB_TRY(header_with_alg(extra_header, alg));
  input += '.';
  input += base64url_encode(payload);
  auto sig = crypto::sign(key, to_sig_alg(alg), as_bytes(input));
  if (!sig) return from_crypto(sig.error());
  input += '.';
  input += base64url_encode(*sig);
  return input;
}

Result<std::string> sign_jws_hs256(const boost::json::object& extra_header, ByteView payload,
                                   const SecretBytes& key) {
  if (key.size() < kMinHmacKey) return Error(JoseErrc::kBadKey, "HS256 key shorter than 32 bytes");
  std::string input = KB_TRY(header_with_alg(extra_header, JwsAlg::kHs256));
  input += '.';
  input += base64url_encode(payload);
  auto mac = crypto::hmac_sha256(key.reveal(), as_bytes(input));
  if (!mac) return Error(JoseErrc::kCrypto, mac.error().detail());
  input += '.';
  input += base64url_encode(*mac);
  return input;
}

}  // namespace kb::jose
