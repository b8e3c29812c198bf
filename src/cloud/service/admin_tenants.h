// Tenants and their admin tokens, for `keybridge cloud init` / `cloud tenant add` and tests.
// An admin token is 32 random bytes (256 bits) in base64url; the store keeps only its
// SHA-256 (store/cloud.h AdminToken), so the secret is shown once, to whoever created it.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "base/secret.h"
#include "store/cloud.h"

namespace kb::cloud {

struct NewTenant {
  std::string tenant_id;
  SecretString admin_token;  // the only copy of the secret
};

// Creates a tenant named `name` (1..256 bytes, no control characters) and its first admin
// token, in one transaction.
Result<NewTenant> create_tenant_with_token(store::CloudStore& store, std::string_view name,
                                           const Clock& clock, Rng& rng);

// Adds another admin token to an existing tenant (kNotFound when there is none).
Result<SecretString> add_admin_token(store::CloudStore& store, std::string_view tenant_id,
                                     std::string_view description, const Clock& clock, Rng& rng);

}  // namespace kb::cloud
