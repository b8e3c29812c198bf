// JWS compact serialization (RFC 7515), restricted to what Keybridge signs and checks:
//   RS256  RSASSA-PKCS1-v1_5 SHA-256 (device keys, the cloud's tokens)
//   ES256  ECDSA P-256 SHA-256, raw r||s signature (device keys)
//   HS256  HMAC-SHA256 under a symmetric key (MS-OAPXBC requests signed with a key derived
//          from the session key; see oapxbc.h)
// "none" and every other alg are refused. The verifier is told which alg to expect with
// which key (fixed per key); the header's alg must equal it, so a token can never pick its
// own algorithm (no RS256/HS256 confusion).
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "base/secret.h"
#include "crypto/pkey.h"
#include "jose/compact.h"

namespace kb::jose {

enum class JwsAlg { kRs256, kEs256, kHs256 };
std::string_view alg_name(JwsAlg a);  // "RS256", "ES256", "HS256"

// A parsed (not yet verified) JWS.
struct Jws {
  boost::json::object header;
  std::string alg;            // the header's alg, a string
  Bytes payload;              // decoded payload
  Bytes signature;            // decoded signature
  std::string signing_input;  // ASCII(BASE64URL(header) || '.' || BASE64URL(payload))
};

// Structure only: exactly three segments, strict base64url, header a JSON object without
// duplicate members carrying a string alg, no crit/zip/b64, bounded sizes. No crypto.
Result<Jws> parse_jws(std::string_view compact, const Limits& limits = {});

// Checks the header alg against `expected` (kUnsupportedAlg for "none" or an unknown alg,
// kAlgMismatch otherwise) and the signature under `key` (kBadKey when the key does not fit
// the alg, kBadSignature). Returns the parsed JWS on success.
Result<Jws> verify_jws(std::string_view compact, JwsAlg expected, const crypto::PublicKey& key,
                       const Limits& limits = {});
// The same for HS256 under a symmetric key (at least 32 bytes).
Result<Jws> verify_jws_hs256(std::string_view compact, const SecretBytes& key,
                             const Limits& limits = {});
// The signature check of an already parsed JWS, for callers that must read the header
// before they know the key (the MS-OAPXBC ctx member). Constant-time MAC comparison.
Result<void> check_hs256(const Jws& jws, const SecretBytes& key);

// Signs `payload` with `extra_header` members followed by "alg". `extra_header` must not
// carry alg, crit, zip or b64 itself (kUnsupportedHeader). RS256 / ES256 only here.
Result<std::string> sign_jws(const boost::json::object& extra_header, ByteView payload, JwsAlg alg,
                             const crypto::PrivateKey& key);
Result<std::string> sign_jws_hs256(const boost::json::object& extra_header, ByteView payload,
                                   const SecretBytes& key);

}  // namespace kb::jose
