// The user- and device-facing handlers, one group per file; add_signin_routes
// (signin_routes.cc) binds them under /{tenant}/... Internal to kb_cloud_service.
#pragma once

#include <boost/json/value.hpp>
#include <string_view>

#include "base/http.h"
#include "base/result.h"
#include "cloud/service/context.h"
#include "store/cloud.h"

namespace kb::cloud {

// webauthn_routes.cc
http::Response handle_registration_options(ServiceContext& ctx, const http::Request& request,
                                           std::string_view tenant_id);
http::Response handle_registration(ServiceContext& ctx, const http::Request& request,
                                   std::string_view tenant_id);
http::Response handle_authentication_options(ServiceContext& ctx, const http::Request& request,
                                             std::string_view tenant_id);
// After the user proved who they are (a pass, an existing key, or a web session):
// creation options for a new key under the tenant policy, and the single-use
// registration challenge that POST /{tenant}/webauthn/registration takes.
// {challenge_id, publicKey}.
Result<boost::json::value> issue_registration_options(ServiceContext& ctx,
                                                      std::string_view tenant_id,
                                                      const store::CloudUser& user);
// device_routes.cc
http::Response handle_device_registration(ServiceContext& ctx, const http::Request& request,
                                          std::string_view tenant_id);
// token_routes.cc
http::Response handle_token(ServiceContext& ctx, const http::Request& request,
                            std::string_view tenant_id);

}  // namespace kb::cloud
