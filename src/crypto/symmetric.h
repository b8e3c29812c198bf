// Symmetric primitives for JOSE and MS-OAPXBC: SP 800-108 KDF (counter mode, HMAC-SHA256),
// AES-256-GCM with AAD, AES-256-CBC with PKCS#7 padding, and HMAC-SHA256 (JWS HS256).
//
// All of them run on OpenSSL EVP (the KDF is OpenSSL's "KBKDF"). Errors are PkeyErrc.
#pragma once

#include <cstddef>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "base/secret.h"
#include "crypto/pkey.h"

namespace kb::crypto {

// NIST SP 800-108 KDF in counter mode with HMAC-SHA256, r = 32, L encoded as 32 bits:
// output = first out_len bytes of HMAC(key, [i]_32 || label || 0x00 || context || [L]_32)
// for i = 1, 2, ... (out_len 1..1024).
Result<SecretBytes> kbkdf_hmac_sha256(ByteView key, ByteView label, ByteView context,
                                      std::size_t out_len);

// MS-OAPXBC 3.1.5.2.1.3 derived key: kbkdf_hmac_sha256(session_key,
// "AzureAD-SecureConversation", ctx, 32).
inline constexpr std::string_view kOapxbcKdfLabel = "AzureAD-SecureConversation";
Result<SecretBytes> oapxbc_derive_key(const SecretBytes& session_key, ByteView ctx);
// KDF version 2 (header "kdf_ver": 2): the context is SHA-256(ctx || payload), where payload
// is the decoded JWT payload (ROADtools calculate_derived_key_v2).
Result<SecretBytes> oapxbc_derive_key_v2(const SecretBytes& session_key, ByteView ctx,
                                         ByteView payload);

inline constexpr std::size_t kGcmIvSize = 12;
inline constexpr std::size_t kGcmTagSize = 16;
inline constexpr std::size_t kAesBlock = 16;

struct GcmSealed {
  Bytes ciphertext;
  Bytes tag;  // 16 bytes
};
// AES-256-GCM (key 32 bytes, IV 12 bytes, full 16-byte tag). The caller supplies a fresh IV.
Result<GcmSealed> aes256_gcm_encrypt(const SecretBytes& key, ByteView iv, ByteView aad,
                                     ByteView plaintext);
// kIntegrity when the tag does not match; kBadLength for a wrong key/IV/tag length (a
// truncated tag is never accepted).
Result<SecretBytes> aes256_gcm_decrypt(const SecretBytes& key, ByteView iv, ByteView aad,
                                       ByteView ciphertext, ByteView tag);

// AES-256-CBC with PKCS#7 padding (key 32 bytes, IV 16 bytes). Unauthenticated: only for the
// MS-OAPXBC CBC JWE variant that peers send.
Result<Bytes> aes256_cbc_encrypt(const SecretBytes& key, ByteView iv, ByteView plaintext);
// kBadLength when the ciphertext is empty or not whole blocks, kIntegrity on bad padding.
Result<SecretBytes> aes256_cbc_decrypt(const SecretBytes& key, ByteView iv, ByteView ciphertext);

// HMAC-SHA256 (32 bytes).
Result<Bytes> hmac_sha256(ByteView key, ByteView data);

}  // namespace kb::crypto
