#include "cloud/service/kerberos_servers.h"

#include "base/error.h"
#include "crypto/master_key.h"

namespace kb::cloud {

Bytes kerberos_server_key_binding(std::string_view tenant_id, std::string_view domain,
                                  std::uint16_t key_version, std::int32_t enctype) {
  std::string owner = "kerberos-server:";
  owner += tenant_id;
  owner += '/';
  owner += store::ascii_lower(domain);
  return crypto::key_binding(owner, key_version, enctype);
}

Result<store::KerberosServerKey> wrap_kerberos_server_key(ServiceContext& ctx,
                                                          std::string_view tenant_id,
                                                          std::string_view domain,
                                                          std::uint16_t key_version,
                                                          std::int32_t enctype, ByteView raw_key) {
  if (enctype != static_cast<std::int32_t>(crypto::EncType::kAes256CtsHmacSha196)) {
    return Error(BaseErrc::kInvalidArgument, "unsupported enctype");
  }
  // Validates the length for the enctype before anything is stored.
  if (!crypto::Key::from_bytes(crypto::EncType::kAes256CtsHmacSha196, raw_key)) {
    return Error(BaseErrc::kInvalidArgument, "key length does not fit the enctype");
  }
  store::KerberosServerKey k;
  k.enctype = enctype;
  k.kvno = key_version;
  k.wrapped_key = KB_TRY(ctx.master_key.wrap(
      raw_key, kerberos_server_key_binding(tenant_id, domain, key_version, enctype), ctx.rng));
  return k;
}

Result<std::optional<KerberosServerKeyMaterial>> load_kerberos_server_key(
    ServiceContext& ctx, std::string_view tenant_id, std::string_view domain) {
  std::optional<store::KerberosServerKeys> keys;
  KB_CHECK(ctx.store.read([&](store::CloudTxn& t) -> Result<void> {
    keys = KB_TRY(t.kerberos_server_keys(tenant_id, store::ascii_lower(domain)));
    return ok();
  }));
  if (!keys) return std::optional<KerberosServerKeyMaterial>();
  const store::KerberosServerKey& cur = keys->current;
  SecretBytes raw = KB_TRY(ctx.master_key.unwrap(
      cur.wrapped_key, kerberos_server_key_binding(tenant_id, domain, cur.kvno, cur.enctype)));
  crypto::Key key =
      KB_TRY(crypto::Key::from_bytes(static_cast<crypto::EncType>(cur.enctype), raw.reveal()));
  return std::optional<KerberosServerKeyMaterial>(
      KerberosServerKeyMaterial{keys->branch_id, cur.kvno, std::move(key)});
}

}  // namespace kb::cloud
