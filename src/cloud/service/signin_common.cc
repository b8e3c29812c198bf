#include "cloud/service/signin_common.h"

#include "base/base64.h"
#include "base/json.h"
#include "cloud/errors.h"
#include "cloud/service/access_pass.h"
#include "cloud/service/signin_assertion.h"

namespace kb::cloud {

Result<boost::json::object> read_json_body(const http::Request& request) {
  json::Limits limits;
  limits.max_bytes = kMaxJsonBody;
  limits.max_depth = 16;
  auto o = json::parse_object(request.body, limits);
  if (!o) return Error(CloudErrc::kBadRequest, "body is not a bounded JSON object");
  return std::move(*o);
}

Result<std::string> required_string(const boost::json::object& o, std::string_view key,
                                    std::size_t max_len) {
  auto s = json::get_string(o, key);
  if (!s || s->empty() || s->size() > max_len) {
    return Error(CloudErrc::kBadRequest, "missing or oversized member " + std::string(key));
  }
  return std::move(*s);
}

http::Response respond(const Result<boost::json::value>& r) {
  if (!r) return problem_for(r.error());
  http::Response resp = http::json_response(200, *r);
  resp.headers.set("Cache-Control", "no-store");
  return resp;
}

std::string random_token(Rng& rng) {
  Bytes b(32);
  rng.fill(b);
  return base64url_encode(b);
}

Result<store::CloudUser> signin_user_by_upn(ServiceContext& ctx, std::string_view tenant_id,
                                            std::string_view upn) {
  std::optional<store::CloudUser> user;
  KB_CHECK(ctx.store.read([&](store::CloudTxn& t) -> Result<void> {
    user = KB_TRY(t.user_by_upn(tenant_id, upn));
    return ok();
  }));
  if (!user) return Error(CloudErrc::kInvalidGrant, "no such user in the tenant");
  if (!user->enabled) return Error(CloudErrc::kInvalidGrant, "the user is disabled");
  return std::move(*user);
}

Bytes user_handle(const store::CloudUser& user) {
  return to_bytes(std::string_view(user.id));
}

Error grant_error(const Error& e) {
  switch (e.domain()) {
    case ErrorDomain::kCloud:
      if (e.is(CloudErrc::kInternal)) return e;
      return Error(CloudErrc::kInvalidGrant, e.detail());
    case ErrorDomain::kStore:
      if (e.is(store::Errc::kNotFound)) return Error(CloudErrc::kInvalidGrant, e.detail());
      return e;
    default:
      return Error(CloudErrc::kInvalidGrant, e.detail());
  }
}

std::string allow_list_json(const std::vector<Bytes>& ids) {
  boost::json::array a;
  for (const auto& id : ids) a.emplace_back(base64url_encode(id));
  return json::serialize(boost::json::object{{"allow", std::move(a)}});
}

Result<std::vector<Bytes>> parse_allow_list_json(std::string_view text) {
  auto o = KB_TRY(json::parse_object(text));
  const auto* a = KB_TRY(json::get_array(o, "allow"));
  std::vector<Bytes> out;
  for (const auto& v : *a) {
    if (!v.is_string()) return Error(CloudErrc::kInternal, "bad stored allow list");
    out.push_back(KB_TRY(base64url_decode(v.as_string())));
  }
  return out;
}

Result<void> consume_user_access_pass(ServiceContext& ctx, std::string_view tenant_id,
                                      const store::CloudUser& user, std::string_view typed) {
  const Bytes hash = access_pass_hash(typed);
  return ctx.store.transact([&](store::CloudTxn& t) -> Result<void> {
    auto used = KB_TRY(t.consume_access_pass(tenant_id, hash, ctx.clock.now()));
    if (!used || used->user_id != user.id) {
      return Error(CloudErrc::kInvalidGrant, "no usable access pass for the user");
    }
    return ok();
  });
}

Result<Bytes> check_user_key_assertion(ServiceContext& ctx, std::string_view tenant_id,
                                       const store::CloudUser& user,
                                       const boost::json::object& body) {
  const auto challenge_id = KB_TRY(required_string(body, "challenge_id"));
  const boost::json::value* assertion = body.if_contains("assertion");
  if (assertion == nullptr || !assertion->is_object()) {
    return Error(CloudErrc::kBadRequest, "assertion must be a PublicKeyCredential object");
  }
  std::optional<store::Challenge> ch;
  KB_CHECK(ctx.store.transact([&](store::CloudTxn& t) -> Result<void> {
    ch = KB_TRY(t.take_challenge(tenant_id, challenge_id, store::ChallengePurpose::kAuthentication,
                                 ctx.clock.now()));
    return ok();
  }));
  if (!ch) return Error(CloudErrc::kInvalidGrant, "unknown or expired challenge");
  auto allow = KB_TRY(parse_allow_list_json(ch->ceremony_json));
  const std::string json = json::serialize(*assertion);
  auto r = KB_TRY(
      check_sign_in_assertion(ctx, tenant_id, {json, ch->challenge, std::move(allow), user.id}));
  return std::move(r.credential_id);
}

}  // namespace kb::cloud
