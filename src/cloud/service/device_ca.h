// Each tenant's device CA (crypto/device_cert.h): an EC P-256 key and a self-signed
// certificate, created on first use and kept in the cloud store with the private key
// wrapped under the master key. Device certificates (POST /{tenant}/devices) are issued by
// it, and first sign-in PRT requests (POST /{tenant}/oauth2/token) must chain to it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "cloud/service/context.h"
#include "crypto/certificate.h"
#include "crypto/pkey.h"

namespace kb::cloud {

struct TenantDeviceCa {
  Bytes certificate;  // DER
  crypto::PrivateKey key;
};

// DESIGN: lifetimes of the CA and of the device certificates it issues.
inline constexpr std::chrono::hours kDeviceCaLifetime{24 * 365 * 20};
inline constexpr std::chrono::hours kDeviceCertLifetime{24 * 365 * 5};

// The associated data binding the wrapped CA key to its tenant.
Bytes device_ca_binding(std::string_view tenant_id);

// The tenant's CA, created when it has none. Two front ends creating it at once end with
// one CA: each inserts if absent and then uses what the store holds. kNotFound for an
// unknown tenant.
Result<TenantDeviceCa> ensure_device_ca(ServiceContext& ctx, std::string_view tenant_id);

// The tenant's CA certificate when it has one (read-only: sign-in never creates a CA).
Result<std::optional<Bytes>> device_ca_certificate(ServiceContext& ctx, std::string_view tenant_id);
// The same, decoded: the store is read every time, and the decoded certificate is reused
// from ctx.certs only while the stored bytes are unchanged (a replaced CA is decoded anew).
Result<std::optional<crypto::Certificate>> decoded_device_ca(ServiceContext& ctx,
                                                             std::string_view tenant_id);

}  // namespace kb::cloud
