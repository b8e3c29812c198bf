// What every cloud HTTP handler runs with: the store, the master key that wraps keys at
// rest, time, randomness and the service configuration. Handlers are functions of
// (http::Request, ServiceContext&) -> http::Response: no sockets, no globals (STYLE.md).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/http.h"
#include "base/http_router.h"
#include "crypto/certificate.h"
#include "crypto/master_key.h"
#include "crypto/public_key_cache.h"
#include "store/cloud.h"

namespace kb::cloud {

struct CloudConfig {
  // WebAuthn relying party (WebAuthn §5.1.2 rp.id must be a registrable suffix of the
  // origins' hosts).
  std::string rp_id = "localhost";
  std::string rp_name = "Keybridge";
  std::vector<std::string> allowed_origins{"https://localhost"};
  std::chrono::seconds challenge_lifetime{300};
  std::chrono::seconds nonce_lifetime{300};
};

struct ServiceContext {
  store::CloudStore& store;
  const crypto::MasterKey& master_key;
  const Clock& clock;
  Rng& rng;
  CloudConfig config;
  // Checked device certificate and transport keys by exact DER (crypto/public_key_cache.h);
  // shared by every handler of this service, bounded.
  std::shared_ptr<crypto::PublicKeyCache> keys = std::make_shared<crypto::PublicKeyCache>();
  // Decoded tenant device CA certificates by tenant id, each used only while the store
  // still holds the same bytes (crypto/certificate.h; device_ca.h).
  std::shared_ptr<crypto::CertificateCache> certs = std::make_shared<crypto::CertificateCache>();
  // Decoded device certificates (x5c[0] of PRT requests) by their exact DER; each is still
  // verified against the CA at every request.
  std::shared_ptr<crypto::CertificateCache> device_certs =
      std::make_shared<crypto::CertificateCache>(crypto::PublicKeyCache::kDefaultCapacity);
};

// The one place an Error becomes an HTTP problem (STYLE.md "Errors"): CloudErrc,
// store and http errors map to a status and a stable code; anything else is 500
// "internal". The detail is never sent.
http::Response problem_for(const Error& e);

// Admin API authentication: the tenant whose admin token is the request's bearer token.
// CloudErrc::kUnauthorized when missing, malformed or unknown.
Result<std::string> authenticate_admin(ServiceContext& ctx, const http::Request& request);

// Routes, each group in its own file.
void add_admin_routes(http::Router& router, ServiceContext& ctx);   // admin_routes.cc
void add_signin_routes(http::Router& router, ServiceContext& ctx);  // signin_routes.cc

// The whole service as one router.
http::Router make_router(ServiceContext& ctx);

}  // namespace kb::cloud
