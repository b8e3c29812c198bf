// Kerberos server objects' keys at rest: the admin API wraps each key with the master key
// before the store sees it, and the sign-in code unwraps the current key to mint partial
// TGTs. Both sides use the same binding (associated data), so a wrapped blob copied onto
// another tenant's or domain's object, or onto another version, does not unwrap.
//
// Binding (DESIGN, docs/cloud.md): crypto::key_binding("kerberos-server:" + tenant_id +
// "/" + lower-case domain, key version, enctype).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "cloud/service/context.h"
#include "crypto/crypto.h"

namespace kb::cloud {

struct KerberosServerKeyMaterial {
  std::uint16_t branch_id;
  std::uint16_t key_version;
  crypto::Key key;
};

// The associated data that binds a wrapped Kerberos server key to its object.
Bytes kerberos_server_key_binding(std::string_view tenant_id, std::string_view domain,
                                  std::uint16_t key_version, std::int32_t enctype);

// Wraps a raw server key for storage. BaseErrc::kInvalidArgument when the key length does
// not fit the enctype (only aes256-cts-hmac-sha1-96, 18, is accepted).
Result<store::KerberosServerKey> wrap_kerberos_server_key(ServiceContext& ctx,
                                                          std::string_view tenant_id,
                                                          std::string_view domain,
                                                          std::uint16_t key_version,
                                                          std::int32_t enctype, ByteView raw_key);

// The current key of the tenant's Kerberos server object for `domain` (any case), unwrapped.
// Empty when the tenant has no object for the domain; an unwrap failure (a tampered or
// misplaced blob, another master key) is an error, never an empty result.
Result<std::optional<KerberosServerKeyMaterial>> load_kerberos_server_key(
    ServiceContext& ctx, std::string_view tenant_id, std::string_view domain);

}  // namespace kb::cloud
