// Issuing a PRT once a grant is accepted (token_routes.cc): the new PRT row, the session
// key wrapped at rest, and the optional partial TGT. Internal to kb_cloud_service.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/secret.h"
#include "cloud/service/context.h"
#include "crypto/pkey.h"
#include "store/cloud.h"

namespace kb::cloud {

struct GrantSubject {
  store::CloudUser user;
  store::Device device;
  SecretBytes session_key;                     // fresh on first sign-in, kept on refresh
  std::optional<crypto::PublicKey> transport;  // first sign-in: session_key_jwe goes to it
  Bytes replaced_prt;                          // refresh: SHA-256 of the PRT being replaced
  // First sign-in: the security-key credential that signed in (id and COSE public key),
  // returned to the device for cached sign-in. Empty on refresh.
  Bytes credential_id;
  Bytes credential_public_key;
};

// Associated data binding a wrapped PRT session key to its tenant and PRT hash.
Bytes prt_session_binding(std::string_view tenant_id, ByteView prt_hash);

// The user's on-prem realm (upper-cased DNS domain).
std::string realm_of(const store::CloudUser& user);

// Stores a fresh PRT for `subject` (lifetime from the tenant policy; the replaced one, if
// any, revoked in the same transaction), mints a partial TGT when `want_tgt`, and builds
// the MS-OAPXBC response JSON. A missing Kerberos server object is a tgt error in the
// response, not a failed sign-in (reference 000).
Result<std::string> issue_prt(ServiceContext& ctx, std::string_view tenant_id, GrantSubject subject,
                              bool want_tgt);

}  // namespace kb::cloud
