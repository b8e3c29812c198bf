// Device registration shared by the user route (POST /{tenant}/devices, cloud join, after
// a security-key assertion) and the admin route (POST /api/v1/devices, hybrid join, with
// an admin token): the same key checks, the same tenant CA, the same device row.
// Internal to kb_cloud_service.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "base/result.h"
#include "cloud/service/context.h"
#include "crypto/pkey.h"
#include "store/cloud.h"

namespace kb::cloud {

struct DeviceKeys {
  Bytes device_spki;  // signs requests: RSA 2048..4096 or P-256
  crypto::PublicKey device_key;
  Bytes transport_spki;  // receives session keys by RSA-OAEP: RSA
};

// The members `device_key` and `transport_key` of `body` (SubjectPublicKeyInfo DER,
// base64url), parsed and typed; kBadRequest for anything else.
Result<DeviceKeys> read_device_keys(const boost::json::object& body);

struct NewDevice {
  store::Device device;
  Bytes certificate;  // DER; CN = device id; issued by the tenant CA
};

// Creates the tenant CA if needed, issues the device certificate and stores the device
// (a fresh random id, enabled) registered by `registered_by` with `join_type`.
Result<NewDevice> create_device(ServiceContext& ctx, std::string_view tenant_id,
                                std::string_view registered_by, std::string_view display_name,
                                DeviceKeys keys, store::JoinType join_type);

}  // namespace kb::cloud
