// The JOSE shapes of MS-OAPXBC (PRT protocol) that Keybridge's cloud and sign-in client use:
//
//  session_key_jwe   RSA-OAEP + A256GCM JWE; only the encrypted-key segment matters: it is
//                    the 32-byte session key wrapped to the device transport key with
//                    RSA-OAEP (SHA-1) (MS-OAPXBC 3.2.5.1.2.2).
//  derived-key JWE   {"alg":"dir","enc":"A256GCM","ctx":<base64>}: content encrypted under
//                    the key derived from the session key and ctx (SP 800-108, label
//                    "AzureAD-SecureConversation"; MS-OAPXBC 3.1.5.2.1.3). A 12-byte IV
//                    means AES-256-GCM with AAD = the ASCII header; a 16-byte IV means the
//                    older AES-256-CBC/PKCS#7 form with an empty tag (observed, see
//                    docs/jose.md).
//  derived-key JWS   HS256 under the derived key with ctx (and optionally "kdf_ver": 2,
//                    context = SHA-256(ctx || payload)) in the header: requests signed with
//                    the session key.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"
#include "base/secret.h"
#include "crypto/pkey.h"
#include "jose/jwe.h"
#include "jose/jws.h"

namespace kb::jose::oapxbc {

inline constexpr std::size_t kSessionKeySize = 32;
inline constexpr std::size_t kCtxSize = 24;  // what Entra and ROADtools send
inline constexpr std::size_t kMinCtx = 16;
inline constexpr std::size_t kMaxCtx = 64;

enum class KdfVersion { kV1 = 1, kV2 = 2 };

// Cloud side: a fresh session_key_jwe carrying `session_key` (32 bytes) to the transport key.
// It is a complete, standard RSA-OAEP/A256GCM JWE whose CEK is the session key and whose
// plaintext is empty.
Result<std::string> make_session_key_jwe(const SecretBytes& session_key,
                                         const crypto::PublicKey& transport_key, Rng& rng);
// Client side: the session key from a session_key_jwe. The header must say RSA-OAEP and
// A256GCM; the encrypted key must unwrap to 32 bytes. The other segments are only checked
// for form (MS-OAPXBC: only the encrypted key matters; Entra's content does not decrypt
// under the session key).
Result<SecretBytes> unwrap_session_key_jwe(std::string_view jwe,
                                           const crypto::PrivateKey& transport_key,
                                           const Limits& limits = {});

// The ctx header member: standard base64 of kMinCtx..kMaxCtx bytes.
Result<Bytes> read_ctx(const boost::json::object& header);

// Derived-key JWE (GCM form) with a fresh 24-byte ctx and IV from `rng`.
Result<std::string> encrypt_with_session_key(const SecretBytes& session_key, ByteView plaintext,
                                             Rng& rng);
// Either form (GCM by IV length 12, CBC by 16). kdf_ver other than absent/1 is
// kUnsupportedHeader: what a JWE's KDFv2 "payload" is has not been confirmed.
Result<SecretBytes> decrypt_with_session_key(const SecretBytes& session_key, std::string_view jwe,
                                             const Limits& limits = {});
// The CBC form, for tests and for peers that want it: IV 16 bytes from `rng`, empty tag.
Result<std::string> encrypt_with_session_key_cbc(const SecretBytes& session_key, ByteView plaintext,
                                                 Rng& rng);

// Derived-key JWS: `extra_header` members, then ctx (fresh from `rng`), kdf_ver (v2 only)
// and alg HS256. Under KDFv2 the context hashes the payload bytes as signed.
Result<std::string> sign_with_session_key(const SecretBytes& session_key,
                                          const boost::json::object& extra_header, ByteView payload,
                                          KdfVersion kdf, Rng& rng);
// Verifies a derived-key JWS: alg must be HS256, ctx present, kdf_ver absent/1 or 2 (else
// kUnsupportedHeader). `minimum` refuses KDFv1 when set to kV2.
Result<Jws> verify_with_session_key(const SecretBytes& session_key, std::string_view jws,
                                    KdfVersion minimum = KdfVersion::kV1,
                                    const Limits& limits = {});

}  // namespace kb::jose::oapxbc
