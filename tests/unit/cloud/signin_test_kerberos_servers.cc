// TEST-ONLY implementation of load_kerberos_server_key (cloud/service/kerberos_servers.h),
// whose production implementation (kerberos_servers.cc) belongs to the admin-API side.
// It unwraps the current key as that side stores it: store::CloudTxn::kerberos_server_keys,
// MasterKey::unwrap with key_binding("kerberos-server:" + tenant + "/" + domain, kvno,
// enctype). Drop this file from kb_cloud_signin_test once kerberos_servers.cc is in
// kb_cloud_service.
#include "cloud/errors.h"
#include "cloud/service/kerberos_servers.h"
#include "crypto/master_key.h"
#include "store/cloud.h"

namespace kb::cloud {

Result<std::optional<KerberosServerKeyMaterial>> load_kerberos_server_key(
    ServiceContext& ctx, std::string_view tenant_id, std::string_view domain) {
  std::optional<store::KerberosServerKeys> keys;
  const std::string d = store::ascii_lower(domain);
  KB_CHECK(ctx.store.read([&](store::CloudTxn& t) -> Result<void> {
    keys = KB_TRY(t.kerberos_server_keys(tenant_id, d));
    return ok();
  }));
  if (!keys) return std::optional<KerberosServerKeyMaterial>();
  const auto enctype = crypto::enctype_from_int(keys->current.enctype);
  if (!enctype) return Error(CloudErrc::kInternal, "unsupported Kerberos server enctype");
  const auto plain = KB_TRY(ctx.master_key.unwrap(
      keys->current.wrapped_key,
      crypto::key_binding("kerberos-server:" + std::string(tenant_id) + "/" + d, keys->current.kvno,
                          keys->current.enctype)));
  auto key = KB_TRY(crypto::Key::from_bytes(*enctype, plain.reveal()));
  return std::optional<KerberosServerKeyMaterial>(
      KerberosServerKeyMaterial{keys->branch_id, keys->current.kvno, std::move(key)});
}

}  // namespace kb::cloud
