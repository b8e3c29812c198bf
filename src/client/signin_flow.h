// `keybridge signin` as a library (issue 7; docs/signin.md): security key -> cloud (device
// registration, nonce, PRT with tgt=true) -> writable DC (partial-TGT trade) -> the user's
// credential cache; the refresh without the key; the cached (offline) sign-in.
//
// No sockets here (ARCHITECTURE.md: client never includes net): the cloud, the KDCs and DNS
// are functions the caller supplies. The program passes adapters over net::HttpsClient,
// net::send_to_kdc and net::lookup_srv; tests pass the cloud's Router and our KDC in process.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/http.h"
#include "base/result.h"
#include "base/secret.h"
#include "client/authenticator.h"
#include "client/dc_locator.h"
#include "crypto/pkey.h"

namespace kb::client {

// Each is a distinct message and exit code in the CLI (apps/keybridge/signin_commands.cc).
enum class SigninErrc {
  kCloudUnreachable = 600,  // transport failure and nothing cached that could stand in
  kKeyNotRegistered,        // the cloud refused the assertion (unknown key, other user's key)
  kAccessPassRefused,       // register-key: the temporary access pass was refused
  kCloudRefused,            // any other refusal by the cloud (policy, malformed request)
  kPasswordExpired,         // cloud `password_expired` or KDC_ERR_KEY_EXPIRED from the DC
  kNoKerberosServer,        // the PRT response's tgt error: no Kerberos server object
  kNoDcReachable,           // no DC located, or every DC failed / answered as an RODC
  kDcPolicy,                // KDC_ERR_TGT_REVOKED / KDC_ERR_POLICY: password replication policy
  kAccountRevoked,          // KDC_ERR_CLIENT_REVOKED: disabled, locked or expired account
  kNotSignedIn,             // refresh without a PRT in the state
  kPrtExpired,              // refresh after the PRT's expiry
  kCachedUnavailable,       // offline: no cached credential key or no valid cached TGT
  kCachedKeyRefused,        // offline: the assertion does not verify against the cached key
  kStateMismatch,           // the state file is another tenant's, user's or cloud's
  kBadReply,                // the cloud answered 200 with something malformed
};
constexpr ErrorDomain error_domain(SigninErrc) {
  return ErrorDomain::kClient;
}
std::string_view error_code_name(SigninErrc e);

// One HTTP exchange with the cloud; `request.target` is the path ("/{tenant}/oauth2/token").
// An Error means the cloud could not be reached (connection, TLS, timeout): that, and only
// that, lets sign_in fall back to the cached sign-in. Any HTTP status is a value.
using CloudTransport = std::function<Result<http::Response>(const http::Request& request)>;
// One request to the KDC at `address` ("host:port"), its reply bytes. An Error moves to the
// next DC.
using KdcTransport = std::function<Result<Bytes>(const std::string& address, ByteView request)>;

struct CloudOptions {
  std::string tenant;
  std::string cloud_url;  // recorded in the device state (the transport knows where to go)
  std::string origin;     // WebAuthn origin the client claims, "https://login.contoso.test"
  std::string user;       // UPN, "alice@contoso.test"
  const SecretString* pin = nullptr;
  std::filesystem::path state_path;
  std::string device_name = "keybridge";
  // The device key made at device registration (first use): RSA-2048 (RS256, what MS-DRS
  // clients register) or P-256 (ES256). The transport key is RSA-2048 either way.
  crypto::KeyType device_key_type = crypto::KeyType::kRsa;
};

struct SigninOptions {
  CloudOptions cloud;
  std::optional<std::string> ccache;  // default: the user's default cache
  bool ntlm = false;                  // KERB-KEY-LIST-REQ; keep the NT hash in the state
  LocatorConfig locator;              // configured DCs first, else DNS SRV
  bool allow_cached = true;           // fall back to the cached sign-in when offline
};

struct SigninResult {
  enum class Mode { kOnline, kCached, kRefreshed };
  Mode mode = Mode::kOnline;
  bool device_registered = false;  // this run registered the device
  std::string device_id;
  std::string principal;  // "alice@CONTOSO.TEST"
  std::string ccache;     // full name of the cache written
  SysTime tgt_expiry;     // the full TGT's endtime
  std::optional<SysTime> prt_expiry;
  std::string dc;                        // the DC that traded ("" for a cached TGT)
  std::vector<std::string> dc_failures;  // "address: reason" for each DC passed over
  bool nt_hash = false;                  // the key list answered (with --ntlm)
};

// First use registers the device (RSA-2048 device and transport keys, 0600 state via
// device_state.h); then nonce, assertion over it, PRT request with tgt=true, partial TGT,
// DC trade, ccache. The state is saved after each step that changed it, so a DC refusal
// still leaves the PRT in the state. When the cloud is unreachable and allow_cached is set,
// a cached sign-in: an assertion over a locally generated challenge is verified against the
// cached credential public key (UV required, counter increase), then the cached full TGT is
// stored in the cache while valid. Errors: SigninErrc above, plus authenticator and
// device-state errors as they come.
Result<SigninResult> sign_in(const SigninOptions& options, Authenticator& authenticator,
                             const CloudTransport& cloud, const KdcTransport& kdc,
                             const SrvLookup& srv, const Clock& clock, Rng& rng);

struct RefreshOptions {
  std::filesystem::path state_path;
  std::optional<std::string> ccache;
  bool ntlm = false;
  LocatorConfig locator;
};
// Refreshes the PRT and the partial TGT with the session key (no security key) and re-trades.
// kNotSignedIn / kPrtExpired when there is nothing to refresh; a refused PRT (revoked,
// device disabled) is kKeyNotRegistered's sibling kCloudRefused.
Result<SigninResult> refresh(const RefreshOptions& options, const CloudTransport& cloud,
                             const KdcTransport& kdc, const SrvLookup& srv, const Clock& clock,
                             Rng& rng);

struct RegisterKeyResult {
  std::string credential_id;  // base64url
  std::string user_id;
  std::string name;
  std::string device_id;
  bool device_registered = false;
};
// Registers the user's first security key with a temporary access pass (cloud route
// webauthn/registration), verifying the attestation locally to learn the credential public
// key; then registers this device with an assertion by the new key (unless the state
// already names a device of this tenant) and records the credential in the device state,
// so that a later cached sign-in can verify the key offline.
Result<RegisterKeyResult> register_key(const CloudOptions& options, const SecretString& access_pass,
                                       std::string_view key_name, Authenticator& authenticator,
                                       const CloudTransport& cloud, const Clock& clock, Rng& rng);

}  // namespace kb::client
