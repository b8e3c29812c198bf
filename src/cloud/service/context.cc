#include "cloud/service/context.h"

#include "cloud/errors.h"
#include "cloud/service/web_routes.h"
#include "crypto/crypto.h"
#include "store/directory.h"

namespace kb::cloud {
namespace {

http::Response cloud_problem(CloudErrc e) {
  switch (e) {
    case CloudErrc::kBadRequest:
      return http::problem(400, "invalid_request", "The request is malformed.");
    case CloudErrc::kInvalidGrant:
      return http::problem(400, "invalid_grant", "The grant is not acceptable.");
    case CloudErrc::kUnauthorized:
      return http::problem(401, "unauthorized", "Authentication is required.");
    case CloudErrc::kForbidden:
      return http::problem(403, "forbidden", "The request is not allowed.");
    case CloudErrc::kNotFound:
      return http::problem(404, "not_found", "No such object.");
    case CloudErrc::kConflict:
      return http::problem(409, "conflict", "The object conflicts with an existing one.");
    case CloudErrc::kPolicy:
      return http::problem(403, "policy", "A tenant policy refuses the request.");
    case CloudErrc::kPasswordExpired:
      // Reference 000 "Known behavior": the on-prem password must be reset before a
      // passwordless sign-in works again. A stable code the sign-in client maps.
      return http::problem(400, "password_expired",
                           "The on-premises password has expired and must be reset first.");
    case CloudErrc::kInternal:
      break;
  }
  return http::problem(500, "internal", "The service failed.");
}

}  // namespace

http::Response problem_for(const Error& e) {
  switch (e.domain()) {
    case ErrorDomain::kCloud:
      return cloud_problem(static_cast<CloudErrc>(e.code()));
    case ErrorDomain::kHttp:
    case ErrorDomain::kJose:
    case ErrorDomain::kWebauthn:
      return cloud_problem(CloudErrc::kBadRequest);
    case ErrorDomain::kBase:
      if (e.is(BaseErrc::kBadJson) || e.is(BaseErrc::kTooLarge) || e.is(BaseErrc::kBadBase64) ||
          e.is(BaseErrc::kInvalidArgument)) {
        return cloud_problem(CloudErrc::kBadRequest);
      }
      break;
    case ErrorDomain::kStore:
      if (e.is(store::Errc::kNotFound)) return cloud_problem(CloudErrc::kNotFound);
      if (e.is(store::Errc::kConflict) || e.is(store::Errc::kAlreadyExists)) {
        return cloud_problem(CloudErrc::kConflict);
      }
      if (e.is(store::Errc::kInvalidArgument)) return cloud_problem(CloudErrc::kBadRequest);
      break;
    default:
      break;
  }
  return cloud_problem(CloudErrc::kInternal);
}

Result<std::string> authenticate_admin(ServiceContext& ctx, const http::Request& request) {
  auto token = http::bearer_token(request);
  if (!token) return Error(CloudErrc::kUnauthorized, "no bearer token");
  const Bytes hash = crypto::sha256(as_bytes(token->reveal()));
  std::optional<store::AdminToken> found;
  KB_CHECK(ctx.store.read([&](store::CloudTxn& t) -> Result<void> {
    found = KB_TRY(t.admin_token_by_hash(hash));
    return ok();
  }));
  if (!found) return Error(CloudErrc::kUnauthorized, "unknown admin token");
  return found->tenant_id;
}

http::Router make_router(ServiceContext& ctx) {
  http::Router r;
  add_admin_routes(r, ctx);
  add_signin_routes(r, ctx);
  add_web_routes(r, ctx);
  return r;
}

}  // namespace kb::cloud
