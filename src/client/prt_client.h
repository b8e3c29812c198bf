// The Primary Refresh Token exchange, client side (MS-OAPXBC §3.2.5.1; digest F; the cloud
// side and the wire shapes are in src/cloud/prt.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "base/secret.h"
#include "client/tgs_client.h"
#include "crypto/pkey.h"

namespace kb::client {

// application/x-www-form-urlencoded body of a first sign-in PRT request: the JWT signed
// with the device key, x5c = the device certificate, carrying the WebAuthn assertion
// (PublicKeyCredential JSON) made over the nonce.
Result<std::string> make_device_prt_request(const crypto::PrivateKey& device_key,
                                            ByteView device_certificate, std::string_view username,
                                            std::string_view nonce, std::string_view assertion_json,
                                            bool tgt, const Clock& clock, Rng& rng);
// The same for a refresh: the JWS is HS256 under the session-key-derived key (KDFv2).
Result<std::string> make_refresh_prt_request(std::string_view prt, const SecretBytes& session_key,
                                             std::string_view nonce, bool tgt, const Clock& clock,
                                             Rng& rng);

struct PrtResponse {
  std::string refresh_token;
  SysTime refresh_token_expires;
  std::optional<SecretBytes> session_key;  // first sign-in: unwrapped with the transport key
  std::string upn;
  // The partial TGT (digest F.3) or why there is none.
  std::optional<Credential> partial_tgt;
  std::string tgt_realm;
  std::string tgt_error;
  // keybridge_credential (DESIGN, src/cloud/prt.cc): the credential that signed in and its
  // COSE public key; first sign-in only. Not trusted until an assertion verifies under it.
  struct SignedInCredential {
    Bytes id;
    Bytes public_key_cose;
  };
  std::optional<SignedInCredential> credential;
};
// Reads a PRT response. `transport_key` unwraps session_key_jwe on first sign-in; on a
// refresh there is none and `session_key` (the stored one) opens the TGT fields. Reads
// tgt_ad first, then the documented tgt_* fields. ClientErrc::kBadReply when malformed.
Result<PrtResponse> read_prt_response(std::string_view json,
                                      const crypto::PrivateKey* transport_key,
                                      const SecretBytes* session_key, SysTime now);

// "Nonce" of a srv_challenge response.
Result<std::string> read_nonce_response(std::string_view json);

// RFC 1866 §8.2.1 form encoding of name/value pairs.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace kb::client
