// Helpers shared by the user- and device-facing routes (webauthn_routes.cc,
// device_routes.cc, token_routes.cc). Internal to kb_cloud_service.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/http.h"
#include "base/result.h"
#include "cloud/service/context.h"
#include "store/cloud.h"

namespace kb::cloud {

// Bodies of the JSON routes are small: the largest is a registration credential.
inline constexpr std::size_t kMaxJsonBody = 128 * 1024;
inline constexpr std::size_t kMaxDisplayName = 256;

// The request body as a JSON object (bounded); kBadRequest for anything else.
Result<boost::json::object> read_json_body(const http::Request& request);
// A required string member of 1..max_len bytes; kBadRequest otherwise.
Result<std::string> required_string(const boost::json::object& o, std::string_view key,
                                    std::size_t max_len = 1024);

// 200 with `value`, or the problem for the error (context.h problem_for).
http::Response respond(const Result<boost::json::value>& r);

// 32 random bytes, base64url: challenge ids, nonces, PRTs.
std::string random_token(Rng& rng);

// The user a sign-in names, by UPN in `tenant_id`. kInvalidGrant when there is none or it
// is disabled (the two are not told apart to the caller).
Result<store::CloudUser> signin_user_by_upn(ServiceContext& ctx, std::string_view tenant_id,
                                            std::string_view upn);
// The WebAuthn user handle of a cloud user: its id's bytes (a UUID, 36 bytes <= 64).
Bytes user_handle(const store::CloudUser& user);

// Token-endpoint errors are OAuth errors: a malformed or unacceptable grant (JOSE,
// WebAuthn, certificate or unwrap failures, a missing object) is kInvalidGrant; store
// backend and internal failures stay what they are.
Error grant_error(const Error& e);

// How a user proves who they are before registering a key or opening a web session
// (webauthn_routes.cc, web_routes.cc):
// - a temporary access pass of this user (typed with dashes, spaces or in lower case, it is
//   the same pass: access_pass.h), consumed in the transaction that checks whose it is, so
//   another user's pass is refused and, rolled back, stays unused; kInvalidGrant otherwise;
Result<void> consume_user_access_pass(ServiceContext& ctx, std::string_view tenant_id,
                                      const store::CloudUser& user, std::string_view typed);
// - or an assertion (body member `assertion`) by one of the user's keys over an
//   authentication challenge this service issued (body member `challenge_id`), checked by
//   check_sign_in_assertion (WebAuthn 7.2). Returns the key's credential id.
Result<Bytes> check_user_key_assertion(ServiceContext& ctx, std::string_view tenant_id,
                                       const store::CloudUser& user,
                                       const boost::json::object& body);

// The allowCredentials list a ceremony challenge remembers (ceremony_json) and back.
std::string allow_list_json(const std::vector<Bytes>& ids);
Result<std::vector<Bytes>> parse_allow_list_json(std::string_view json);

}  // namespace kb::cloud
