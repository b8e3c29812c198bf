// The user- and device-facing handlers, one group per file; add_signin_routes
// (signin_routes.cc) binds them under /{tenant}/... Internal to kb_cloud_service.
#pragma once

#include <string_view>

#include "base/http.h"
#include "cloud/service/context.h"

namespace kb::cloud {

// webauthn_routes.cc
http::Response handle_registration_options(ServiceContext& ctx, const http::Request& request,
                                           std::string_view tenant_id);
http::Response handle_registration(ServiceContext& ctx, const http::Request& request,
                                   std::string_view tenant_id);
http::Response handle_authentication_options(ServiceContext& ctx, const http::Request& request,
                                             std::string_view tenant_id);
// device_routes.cc
http::Response handle_device_registration(ServiceContext& ctx, const http::Request& request,
                                          std::string_view tenant_id);
// token_routes.cc
http::Response handle_token(ServiceContext& ctx, const http::Request& request,
                            std::string_view tenant_id);

}  // namespace kb::cloud
