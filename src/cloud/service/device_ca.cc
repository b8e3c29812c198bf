#include "cloud/service/device_ca.h"

#include "cloud/errors.h"
#include "crypto/device_cert.h"

namespace kb::cloud {

Bytes device_ca_binding(std::string_view tenant_id) {
  return crypto::key_binding("device-ca:" + std::string(tenant_id), 1, 0);
}

namespace {

Result<TenantDeviceCa> open_ca(ServiceContext& ctx, const store::DeviceCa& stored) {
  auto pkcs8 =
      KB_TRY(ctx.master_key.unwrap(stored.wrapped_key, device_ca_binding(stored.tenant_id)));
  auto key = KB_TRY(crypto::PrivateKey::from_pkcs8_der(pkcs8.reveal()));
  return TenantDeviceCa{stored.certificate, std::move(key)};
}

// A new CA, made outside any transaction (transact() may run its function twice).
Result<store::DeviceCa> make_ca(ServiceContext& ctx, std::string_view tenant_id) {
  auto key = KB_TRY(crypto::PrivateKey::generate_ec_p256());
  const SysTime now = ctx.clock.now();
  const crypto::Validity validity{now - std::chrono::hours(1), now + kDeviceCaLifetime};
  auto cert = KB_TRY(crypto::make_ca_certificate(
      key, "Keybridge device CA " + std::string(tenant_id), validity, ctx.rng));
  auto pkcs8 = KB_TRY(key.to_pkcs8_der());
  auto wrapped = KB_TRY(ctx.master_key.wrap(pkcs8.reveal(), device_ca_binding(tenant_id), ctx.rng));
  return store::DeviceCa{std::string(tenant_id), std::move(cert), std::move(wrapped), now};
}

}  // namespace

Result<TenantDeviceCa> ensure_device_ca(ServiceContext& ctx, std::string_view tenant_id) {
  std::optional<store::DeviceCa> stored;
  KB_CHECK(ctx.store.read([&](store::CloudTxn& t) -> Result<void> {
    stored = KB_TRY(t.device_ca(tenant_id));
    return ok();
  }));
  if (!stored) {
    const auto fresh = KB_TRY(make_ca(ctx, tenant_id));
    // Insert if absent, then re-read: a concurrent creator's CA wins if it came first.
    KB_CHECK(ctx.store.transact([&](store::CloudTxn& t) -> Result<void> {
      KB_CHECK(t.put_device_ca_if_absent(fresh));
      stored = KB_TRY(t.device_ca(tenant_id));
      return ok();
    }));
    if (!stored) return Error(CloudErrc::kInternal, "device CA vanished after insert");
  }
  return open_ca(ctx, *stored);
}

Result<std::optional<Bytes>> device_ca_certificate(ServiceContext& ctx,
                                                   std::string_view tenant_id) {
  std::optional<Bytes> out;
  KB_CHECK(ctx.store.read([&](store::CloudTxn& t) -> Result<void> {
    auto ca = KB_TRY(t.device_ca(tenant_id));
    if (ca) out = std::move(ca->certificate);
    return ok();
  }));
  return out;
}

Result<std::optional<crypto::Certificate>> decoded_device_ca(ServiceContext& ctx,
                                                             std::string_view tenant_id) {
  const auto der = KB_TRY(device_ca_certificate(ctx, tenant_id));
  if (!der) return std::optional<crypto::Certificate>();
  return std::optional<crypto::Certificate>(KB_TRY(ctx.certs->get(tenant_id, *der)));
}

}  // namespace kb::cloud
