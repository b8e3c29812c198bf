#include "cloud/service/admin_tenants.h"

#include "base/base64.h"
#include "base/error.h"
#include "crypto/crypto.h"

namespace kb::cloud {
namespace {

constexpr std::size_t kTokenBytes = 32;  // 256 bits
constexpr std::size_t kMaxTenantName = 256;

SecretString new_token_secret(Rng& rng) {
  SecretBytes raw(kTokenBytes);
  rng.fill(raw.reveal_mutable());
  return SecretString::adopt("kbat_" + base64url_encode(raw.reveal()));
}

Result<void> insert_token(store::CloudTxn& t, std::string_view tenant_id, std::string_view token_id,
                          const SecretString& secret, std::string_view description, SysTime now) {
  store::AdminToken at;
  at.tenant_id = std::string(tenant_id);
  at.token_id = std::string(token_id);
  at.secret_hash = crypto::sha256(as_bytes(secret.reveal()));
  at.created = now;
  at.description = std::string(description);
  return t.add_admin_token(at);
}

}  // namespace

Result<NewTenant> create_tenant_with_token(store::CloudStore& store, std::string_view name,
                                           const Clock& clock, Rng& rng) {
  if (name.empty() || name.size() > kMaxTenantName) {
    return Error(BaseErrc::kInvalidArgument, "tenant name must be 1..256 bytes");
  }
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Error(BaseErrc::kInvalidArgument, "tenant name has a control character");
    }
  }
  NewTenant out;
  out.tenant_id = store::new_uuid(rng);
  out.admin_token = new_token_secret(rng);
  const std::string token_id = store::new_uuid(rng);
  const SysTime now = clock.now();
  KB_CHECK(store.transact([&](store::CloudTxn& t) -> Result<void> {
    KB_CHECK(t.create_tenant({out.tenant_id, std::string(name), now}));
    return insert_token(t, out.tenant_id, token_id, out.admin_token, "initial", now);
  }));
  return out;
}

Result<SecretString> add_admin_token(store::CloudStore& store, std::string_view tenant_id,
                                     std::string_view description, const Clock& clock, Rng& rng) {
  SecretString secret = new_token_secret(rng);
  const std::string token_id = store::new_uuid(rng);
  const SysTime now = clock.now();
  KB_CHECK(store.transact([&](store::CloudTxn& t) -> Result<void> {
    auto tenant = KB_TRY(t.tenant(tenant_id));
    if (!tenant) return Error(store::Errc::kNotFound, "no such tenant");
    return insert_token(t, tenant_id, token_id, secret, description, now);
  }));
  return secret;
}

}  // namespace kb::cloud
