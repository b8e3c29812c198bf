// Device registration (MS-DRS-like, digest F.2), cloud join:
//   POST /{tenant}/devices {username, challenge_id, assertion, device_key, transport_key,
//                           display_name}
//   -> {device_id, certificate}
// The user proves presence with an assertion over an authentication challenge; the device
// gets a certificate for its device key (CN = device id) from the tenant's device CA.
#include "base/base64.h"
#include "cloud/errors.h"
#include "cloud/service/device_ca.h"
#include "cloud/service/device_registration.h"
#include "cloud/service/signin_common.h"
#include "cloud/service/signin_routes.h"
#include "crypto/device_cert.h"

namespace kb::cloud {
namespace {

constexpr std::size_t kMaxSpkiText = 4096;  // base64url of an RSA-4096 SPKI is ~740 chars

// A SubjectPublicKeyInfo, base64url.
Result<std::pair<Bytes, crypto::PublicKey>> read_key(const boost::json::object& body,
                                                     std::string_view name) {
  const auto text = KB_TRY(required_string(body, name, kMaxSpkiText));
  auto der = base64url_decode(text);
  if (!der) return Error(CloudErrc::kBadRequest, std::string(name) + " is not base64url");
  auto key = crypto::PublicKey::from_spki_der(*der);
  if (!key) return Error(CloudErrc::kBadRequest, std::string(name) + " is not a usable key");
  return std::pair<Bytes, crypto::PublicKey>{std::move(*der), std::move(*key)};
}

Result<boost::json::value> register_device(ServiceContext& ctx, const http::Request& request,
                                           std::string_view tenant_id) {
  const auto body = KB_TRY(read_json_body(request));
  const auto username = KB_TRY(required_string(body, "username"));
  // The request is well formed before anything is looked up or consumed: the assertion's
  // members are checked again by check_user_key_assertion, which uses them.
  KB_TRY(required_string(body, "challenge_id"));
  const auto display_name = KB_TRY(required_string(body, "display_name", kMaxDisplayName));
  const auto* assertion = body.if_contains("assertion");
  if (assertion == nullptr || !assertion->is_object()) {
    return Error(CloudErrc::kBadRequest, "assertion must be a PublicKeyCredential object");
  }
  DeviceKeys keys = KB_TRY(read_device_keys(body));

  const auto user = KB_TRY(signin_user_by_upn(ctx, tenant_id, username));
  KB_TRY(check_user_key_assertion(ctx, tenant_id, user, body));

  const NewDevice d = KB_TRY(create_device(ctx, tenant_id, user.id, display_name, std::move(keys),
                                           store::JoinType::kCloud));
  return boost::json::value{{"device_id", d.device.id},
                            {"certificate", base64_encode(d.certificate)}};
}

}  // namespace

// The device key signs requests (RSA 2048..4096 or P-256, as PublicKey admits); the
// transport key receives the session key by RSA-OAEP, so it must be RSA.
Result<DeviceKeys> read_device_keys(const boost::json::object& body) {
  auto [device_spki, device_key] = KB_TRY(read_key(body, "device_key"));
  auto [transport_spki, transport_key] = KB_TRY(read_key(body, "transport_key"));
  if (transport_key.type() != crypto::KeyType::kRsa) {
    return Error(CloudErrc::kBadRequest, "the transport key must be RSA");
  }
  return DeviceKeys{std::move(device_spki), std::move(device_key), std::move(transport_spki)};
}

Result<NewDevice> create_device(ServiceContext& ctx, std::string_view tenant_id,
                                std::string_view registered_by, std::string_view display_name,
                                DeviceKeys keys, store::JoinType join_type) {
  const auto ca = KB_TRY(ensure_device_ca(ctx, tenant_id));
  const SysTime now = ctx.clock.now();
  NewDevice out;
  store::Device& d = out.device;
  d.tenant_id = std::string(tenant_id);
  d.id = store::new_uuid(ctx.rng);
  d.registered_by = std::string(registered_by);
  d.display_name = std::string(display_name);
  d.join_type = join_type;
  d.device_key = std::move(keys.device_spki);
  d.transport_key = std::move(keys.transport_spki);
  d.created = now;
  const crypto::Validity validity{now - std::chrono::minutes(5), now + kDeviceCertLifetime};
  out.certificate = KB_TRY(crypto::issue_device_certificate(keys.device_key, d.id, ca.key,
                                                            ca.certificate, validity, ctx.rng));
  KB_CHECK(ctx.store.transact([&](store::CloudTxn& t) { return t.register_device(d); }));
  return out;
}

http::Response handle_device_registration(ServiceContext& ctx, const http::Request& request,
                                          std::string_view tenant_id) {
  return respond(register_device(ctx, request, tenant_id));
}

}  // namespace kb::cloud
