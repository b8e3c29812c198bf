// The user- and device-facing routes. The tenant comes from the path and every lookup is
// scoped by it (docs/cloud-signin.md has the endpoint reference).
#include "cloud/service/signin_routes.h"

namespace kb::cloud {
namespace {

using Fn = http::Response (*)(ServiceContext&, const http::Request&, std::string_view);

http::RouteHandler bind(ServiceContext& ctx, Fn fn) {
  return [&ctx, fn](const http::Request& request, const http::PathParams& params) {
    return fn(ctx, request, params.at("tenant"));
  };
}

}  // namespace

void add_signin_routes(http::Router& router, ServiceContext& ctx) {
  router.add("POST", "/{tenant}/webauthn/registration/options",
             bind(ctx, &handle_registration_options));
  router.add("POST", "/{tenant}/webauthn/registration", bind(ctx, &handle_registration));
  router.add("POST", "/{tenant}/webauthn/authentication/options",
             bind(ctx, &handle_authentication_options));
  router.add("POST", "/{tenant}/devices", bind(ctx, &handle_device_registration));
  router.add("POST", "/{tenant}/oauth2/token", bind(ctx, &handle_token));
}

}  // namespace kb::cloud
