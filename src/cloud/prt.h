// The Primary Refresh Token exchange, cloud side (reference 000 steps 1-3; MS-OAPXBC
// §3.2.5.1; protocol digest F). Pure functions over bytes, keys and time: the HTTP handler
// looks up the device, the nonce, the user and the Kerberos server object, and calls these.
//
// Wire shapes (client: src/client/prt_client.h):
//   POST .../oauth2/token  grant_type=srv_challenge          -> {"Nonce": "..."}
//   POST .../oauth2/token  grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer
//                          request=<JWT>  windows_api_version=2.0  client_info=1  tgt=true
// The JWT, first sign-in: header {"typ":"JWT","alg":"RS256","x5c":[device certificate]},
// signed with the device key; payload {client_id, scope, request_nonce, iat, exp,
// grant_type:"urn:keybridge:params:oauth:grant-type:webauthn", username, assertion}.
// DESIGN (digest F.1, UNCONFIRMED how Entra carries a FIDO2 assertion): `assertion` is the
// WebAuthn PublicKeyCredential JSON whose challenge is the request nonce.
// The JWT, refresh: a derived-key JWS (HS256 under the session key, ctx and kdf_ver 2 in
// the header) with payload {client_id, request_nonce, iat, exp, grant_type:"refresh_token",
// refresh_token: <PRT>}.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "base/secret.h"
#include "cloud/partial_tgt.h"
#include "crypto/certificate.h"
#include "crypto/pkey.h"
#include "crypto/public_key_cache.h"
#include "jose/jws.h"

namespace kb::cloud {

// The broker client id of MS-OAPXBC's examples, which we use as ours (client_id, the
// id_token's aud).
inline constexpr std::string_view kBrokerClientId = "38aa3b87-a06d-4817-b275-7a316988d93b";
inline constexpr std::string_view kGrantJwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer";
inline constexpr std::string_view kGrantSrvChallenge = "srv_challenge";
inline constexpr std::string_view kGrantWebauthn = "urn:keybridge:params:oauth:grant-type:webauthn";
inline constexpr std::string_view kGrantRefreshToken = "refresh_token";
inline constexpr std::chrono::seconds kRequestMaxAge{600};

struct DevicePrtRequest {
  Bytes device_certificate;         // DER, x5c[0], chained to the tenant's device CA
  crypto::Certificate certificate;  // the same, decoded once
  crypto::PublicKey device_key;     // its subject key (the request's signing key)
  std::string device_id;            // its subject CN
  std::string username;             // the user's UPN
  std::string request_nonce;
  std::string assertion;  // WebAuthn PublicKeyCredential JSON, serialized
};

// Verifies a first sign-in PRT request JWT: x5c[0] is a device certificate issued by the
// tenant CA (`device_ca`) valid at `now`, the JWS is RS256 under its key, the claims are
// fresh (iat within kRequestMaxAge, exp not passed) with our client_id and the WebAuthn
// grant. CloudErrc::kInvalidGrant otherwise (detail for logs).
Result<DevicePrtRequest> verify_device_prt_request(std::string_view jwt, ByteView device_ca,
                                                   SysTime now);
// The same, with the certificate's key taken from `keys` (checked once per exact
// certificate bytes; the certificate itself is verified against the CA every time).
Result<DevicePrtRequest> verify_device_prt_request(std::string_view jwt, ByteView device_ca,
                                                   SysTime now, crypto::PublicKeyCache& keys);
// The same against an already decoded CA certificate (ServiceContext::certs), with x5c[0]
// decoded through `device_certs` (once per exact bytes; still verified every time).
Result<DevicePrtRequest> verify_device_prt_request(std::string_view jwt,
                                                   const crypto::Certificate& device_ca,
                                                   SysTime now, crypto::PublicKeyCache& keys,
                                                   crypto::CertificateCache& device_certs);

struct RefreshPrtRequest {
  std::string refresh_token;  // the PRT
  std::string request_nonce;
};
// The PRT a refresh request names, read before its signature can be checked (the key is
// that PRT's session key). Nothing here is trusted until verify_refresh_prt_request.
Result<std::string> peek_refresh_token(std::string_view jws);
// Verifies a refresh request under the PRT's session key (KDFv2 required) and its claims.
Result<RefreshPrtRequest> verify_refresh_prt_request(std::string_view jws,
                                                     const SecretBytes& session_key, SysTime now);

// What goes into tgt_ad (and the documented tgt_* fields): a partial TGT, or why not.
struct TgtOutcome {
  std::optional<PartialTgt> tgt;
  std::string realm;  // the user's AD realm, even when there is no ticket
  std::string error;  // why there is none (no Kerberos server object for the domain, ...)
};

struct PrtGrant {
  std::string refresh_token;  // the PRT (opaque)
  std::int64_t refresh_token_expires_in = 0;
  SecretBytes session_key;                     // 32 bytes
  std::optional<crypto::PublicKey> transport;  // first sign-in: wrap the session key to it
  std::string tenant_id;
  std::string user_id;
  std::string upn;
  std::optional<TgtOutcome> tgt_ad;  // present when the request asked tgt=true
  // The security-key credential of a first sign-in (empty on refresh): keybridge_credential.
  Bytes credential_id;
  Bytes credential_public_key;  // COSE_Key
};

// MS-OAPXBC §3.2.5.1.2.2 response JSON: token_type "pop", refresh_token,
// refresh_token_expires_in, session_key_jwe (first sign-in only), an unsigned id_token
// (aud = client id; upn, tid, oid), and, when asked, the partial TGT in both forms of
// digest F.3: tgt_client_key (derived-key JWE of the client key), tgt_key_type,
// tgt_message_buffer (base64 AS-REP), and tgt_ad (a JSON string: clientKey, keyType,
// messageBuffer, realm, sn, cn, sessionKeyType, accountType, error).
Result<std::string> build_prt_response(const PrtGrant& grant, SysTime now, Rng& rng);

}  // namespace kb::cloud
