// Shared by the admin route files (admin_routes.cc, admin_security_routes.cc): the
// authenticated-route wrapper and JSON renderings of store rows. Not a public API.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <string>

#include "base/http.h"
#include "base/http_router.h"
#include "cloud/service/context.h"

namespace kb::cloud::admin {

// A handler of an authenticated admin route: the tenant comes only from the admin token.
using AdminHandler = std::function<Result<http::Response>(
    const http::Request&, const http::PathParams&, const std::string& tenant_id)>;

// Registers `h` behind authenticate_admin(); every error (and any exception a library
// throws) becomes a problem through problem_for, so no detail reaches the client.
void add_admin_route(http::Router& r, ServiceContext& ctx, std::string method,
                     std::string_view pattern, AdminHandler h);

// The user with `upn` in the tenant, or store kNotFound.
Result<store::CloudUser> user_by_upn(store::CloudTxn& t, std::string_view tenant_id,
                                     std::string_view upn);

boost::json::object user_json(const store::CloudUser& u);
boost::json::value optional_time(const std::optional<SysTime>& t);

// Route groups of admin_security_routes.cc: passes, credentials, devices.
void add_access_pass_routes(http::Router& r, ServiceContext& ctx);
void add_credential_routes(http::Router& r, ServiceContext& ctx);
void add_device_routes(http::Router& r, ServiceContext& ctx);

}  // namespace kb::cloud::admin
