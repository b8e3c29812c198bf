// JWE compact serialization (RFC 7516) with RSA-OAEP key wrapping and A256GCM content
// encryption (RFC 7518 4.3 and 5.3): the only key-transport JWE Keybridge uses.
//   RSA-OAEP      OAEP with SHA-1 / MGF1-SHA-1 (MS-OAPXBC session_key_jwe)
//   RSA-OAEP-256  OAEP with SHA-256 / MGF1-SHA-256
// The decrypter is told which alg to expect; enc must be A256GCM; zip and crit are refused.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"
#include "base/secret.h"
#include "crypto/pkey.h"
#include "jose/compact.h"

namespace kb::jose {

enum class JweKeyAlg { kRsaOaep, kRsaOaep256 };
std::string_view alg_name(JweKeyAlg a);  // "RSA-OAEP", "RSA-OAEP-256"

// The five decoded parts of a compact JWE; structure only, no crypto.
struct Jwe {
  boost::json::object header;
  std::string header_b64;  // the ASCII protected header: the AAD of the content encryption
  std::string alg;
  std::string enc;
  Bytes encrypted_key;
  Bytes iv;
  Bytes ciphertext;
  Bytes tag;
};
// Exactly five segments, strict base64url, header a JSON object without duplicates with
// string alg and enc, no crit/zip, bounded sizes.
Result<Jwe> parse_jwe(std::string_view compact, const Limits& limits = {});

// Encrypts under a fresh 32-byte CEK and 12-byte IV from `rng`. `extra_header` must not set
// alg, enc, zip or crit.
Result<std::string> encrypt_jwe(const crypto::PublicKey& key, JweKeyAlg alg, ByteView plaintext,
                                Rng& rng, const boost::json::object& extra_header = {});

// kAlgMismatch / kUnsupportedAlg for another alg or enc, kDecrypt when the CEK does not
// unwrap, kBadLength for a CEK, IV or tag of the wrong size, kIntegrity on a tag mismatch.
Result<SecretBytes> decrypt_jwe(std::string_view compact, const crypto::PrivateKey& key,
                                JweKeyAlg expected, const Limits& limits = {});

// A256GCM content encryption of an already parsed JWE under `cek` (AAD = header_b64).
Result<SecretBytes> decrypt_a256gcm_content(const Jwe& jwe, const SecretBytes& cek);
// Builds the compact form for `header` under `cek` with `encrypted_key`.
Result<std::string> seal_a256gcm(const boost::json::object& header, ByteView encrypted_key,
                                 const SecretBytes& cek, ByteView plaintext, Rng& rng);

}  // namespace kb::jose
