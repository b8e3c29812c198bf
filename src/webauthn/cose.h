// COSE_Key (RFC 9052 7, RFC 9053 7, RFC 8230 4; WebAuthn 5.8.5) for credential public keys:
// strict parsing into a verified OpenSSL key, and canonical encoding for the software
// authenticator.
#pragma once

#include <cstdint>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/cose_key.h"
#include "webauthn/cbor.h"

namespace kb::webauthn {

// COSE key types (RFC 9053 7, RFC 8230 4).
enum class CoseKty : std::int64_t { kOkp = 1, kEc2 = 2, kRsa = 3 };

struct CoseKey {
  crypto::cose::Alg alg = crypto::cose::Alg::kEs256;
  CoseKty kty = CoseKty::kEc2;
  crypto::cose::PublicKey key;  // checked: point on the curve, sane RSA modulus
  Bytes encoded;                // the COSE_Key bytes exactly as received
};

// Parses a decoded COSE_Key map. Accepted: EC2 P-256 with ES256 (x, y 32 bytes each, point on
// the curve), OKP Ed25519 with EdDSA (x 32 bytes), RSA with RS256/PS256 (n 2048..8192 bits,
// e odd). `alg` (3) is required; unknown labels are ignored except private-key labels (d),
// which are refused. WebauthnErrc::kBadCoseKey or kUnsupportedAlgorithm.
Result<CoseKey> parse_cose_key(const cbor::Value& v, ByteView encoded);
// Decodes and parses one COSE_Key from the front of `in` (canonical CBOR required);
// `consumed` receives its length.
Result<CoseKey> parse_cose_key_prefix(ByteView in, std::size_t& consumed);

// The COSE_Key of a public key, for the given algorithm (canonical CBOR).
Result<Bytes> encode_cose_key(crypto::cose::Alg alg, const crypto::cose::PublicKey& key);

}  // namespace kb::webauthn
