#include "admin/cloud_admin_client.h"

#include <boost/json.hpp>
#include <fstream>

#include "base/base64.h"
#include "base/http_form.h"
#include "base/json.h"
#include "base/rfc3339.h"
#include "cloud/errors.h"

namespace kb::admin {
namespace {

namespace bj = boost::json;
using cloud::CloudErrc;

constexpr json::Limits kBodyLimits{.max_bytes = 8 << 20, .max_depth = 6};

Error bad_body(std::string detail) {
  return Error(BaseErrc::kBadJson, "cloud response: " + std::move(detail));
}

std::int64_t unix_seconds(SysTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

SysTime from_unix(std::int64_t s) {
  return SysTime(std::chrono::seconds(s));
}

// docs/cloud.md: each problem code of problem_for(), and the CloudErrc it came from.
CloudErrc errc_of_problem_code(std::string_view code, int status) {
  struct Entry {
    std::string_view code;
    CloudErrc errc;
  };
  static constexpr Entry kCodes[] = {
      {"invalid_request", CloudErrc::kBadRequest}, {"invalid_path", CloudErrc::kBadRequest},
      {"invalid_grant", CloudErrc::kInvalidGrant}, {"unauthorized", CloudErrc::kUnauthorized},
      {"forbidden", CloudErrc::kForbidden},        {"not_found", CloudErrc::kNotFound},
      {"conflict", CloudErrc::kConflict},          {"policy", CloudErrc::kPolicy},
      {"internal", CloudErrc::kInternal}};
  for (const auto& e : kCodes) {
    if (e.code == code) return e.errc;
  }
  switch (status) {  // an unknown code: the status says enough
    case 400:
      return CloudErrc::kBadRequest;
    case 401:
      return CloudErrc::kUnauthorized;
    case 403:
      return CloudErrc::kForbidden;
    case 404:
      return CloudErrc::kNotFound;
    case 409:
      return CloudErrc::kConflict;
    default:
      return CloudErrc::kInternal;
  }
}

// A problem's `code` when the body is one ([a-z0-9_.]{1,64}), else "".
std::string problem_code(const http::Response& r) {
  auto ct = r.headers.get("Content-Type");
  if (!ct || ct->find("json") == std::string_view::npos) return "";
  auto o = json::parse_object(r.body, {.max_bytes = 64 << 10, .max_depth = 4});
  if (!o) return "";
  auto code = json::get_optional_string(*o, "code");
  if (!code || code->empty() || code->size() > 64) return "";
  for (char c : *code) {
    const bool okc = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!okc) return "";
  }
  return *code;
}

Result<std::uint16_t> u16_member(const bj::object& o, std::string_view key, std::int64_t lo) {
  const std::int64_t v = KB_TRY(json::get_int(o, key));
  if (v < lo || v > 0xffff) return bad_body(std::string(key) + " out of range");
  return static_cast<std::uint16_t>(v);
}

Result<std::string> bounded_string(const bj::object& o, std::string_view key, std::size_t max) {
  std::string s = KB_TRY(json::get_string(o, key));
  if (s.size() > max) return bad_body(std::string(key) + " too long");
  return s;
}

Result<SyncUser> parse_user(const bj::value& v) {
  if (!v.is_object()) return bad_body("user is not an object");
  const bj::object& o = v.as_object();
  SyncUser u;
  u.source_anchor = KB_TRY(bounded_string(o, "source_anchor", 128));
  u.upn = KB_TRY(bounded_string(o, "upn", 256));
  u.domain = KB_TRY(bounded_string(o, "domain", 253));
  u.sam_account_name = KB_TRY(bounded_string(o, "sam_account_name", 64));
  u.object_sid = KB_TRY(bounded_string(o, "object_sid", 184));
  u.enabled = KB_TRY(json::get_bool(o, "enabled"));
  const bj::value* pe = o.if_contains("password_expires_at");
  if (pe != nullptr && !pe->is_null()) {
    if (!pe->is_string()) return bad_body("password_expires_at is not a string");
    auto t = parse_rfc3339(std::string_view(pe->as_string()));
    if (!t) return bad_body("password_expires_at is not RFC 3339");
    u.password_expires_at = unix_seconds(*t);
  }
  const bj::value* dn = o.if_contains("display_name");
  if (dn != nullptr && !dn->is_null()) {
    if (!dn->is_string() || dn->as_string().size() > 256) return bad_body("display_name");
    u.display_name = std::string(dn->as_string());
  }
  return u;
}

bj::object user_json(const SyncUser& u) {
  bj::object o{{"source_anchor", u.source_anchor},
               {"upn", u.upn},
               {"domain", u.domain},
               {"sam_account_name", u.sam_account_name},
               {"object_sid", u.object_sid},
               {"enabled", u.enabled},
               {"display_name", u.display_name}};
  if (u.password_expires_at) {
    o["password_expires_at"] = format_rfc3339(from_unix(*u.password_expires_at));
  } else {
    o["password_expires_at"] = nullptr;
  }
  return o;
}

bool is_success(int status) {
  return status >= 200 && status <= 299;
}

}  // namespace

Error error_from_response(const http::Response& r) {
  const std::string code = problem_code(r);
  const CloudErrc errc = errc_of_problem_code(code, r.status);
  return Error(errc, "the cloud answered HTTP " + std::to_string(r.status) +
                         (code.empty() ? std::string() : " " + code));
}

Result<CloudKerberosServer> parse_kerberos_server_json(std::string_view body) {
  const bj::object o = KB_TRY(json::parse_object(body, kBodyLimits));
  CloudKerberosServer s;
  s.id = KB_TRY(u16_member(o, "Id", 1));
  s.domain = KB_TRY(bounded_string(o, "DomainDnsName", 253));
  s.key_version = KB_TRY(u16_member(o, "KeyVersion", 0));
  const std::string on = KB_TRY(bounded_string(o, "KeyUpdatedOn", 40));
  auto t = parse_rfc3339(on);
  if (!t) return bad_body("KeyUpdatedOn is not RFC 3339");
  s.key_updated_on = unix_seconds(*t);
  s.key_updated_from = KB_TRY(bounded_string(o, "KeyUpdatedFrom", 256));
  return s;
}

Result<UsersPage> parse_users_page(std::string_view body) {
  const bj::object o = KB_TRY(json::parse_object(body, kBodyLimits));
  const bj::array* users = KB_TRY(json::get_array(o, "users"));
  if (users->size() > CloudAdminClient::kBatch) return bad_body("page larger than asked");
  UsersPage page;
  page.users.reserve(users->size());
  for (const bj::value& v : *users) page.users.push_back(KB_TRY(parse_user(v)));
  const bj::value* next = o.if_contains("next");
  if (next != nullptr && !next->is_null()) {
    if (!next->is_string() || next->as_string().empty() || next->as_string().size() > 256) {
      return bad_body("next is not a cursor");
    }
    page.next = std::string(next->as_string());
  }
  return page;
}

Result<SecretString> read_admin_token(const std::string& file, const char* env_value) {
  std::string text;
  if (!file.empty()) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Error(BaseErrc::kIo, "cannot read the token file " + file);
    text.resize(4096);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    text = text.substr(0, text.find('\n'));
  } else if (env_value != nullptr && *env_value != '\0') {
    text = env_value;
  } else {
    return Error(BaseErrc::kNotFound,
                 "no admin token: give --token-file or set KEYBRIDGE_ADMIN_TOKEN");
  }
  SecretString token = SecretString::adopt(std::move(text));
  std::string_view t = token.reveal();
  while (!t.empty() && (t.back() == ' ' || t.back() == '\r' || t.back() == '\t')) {
    t.remove_suffix(1);
  }
  if (t.empty() || t.size() > 512) {
    return Error(BaseErrc::kInvalidArgument, "the admin token is empty or too long");
  }
  // RFC 6750 §2.1 b64token: ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/", then "=".
  for (char c : t) {
    const bool okc = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' ||
                     c == '=';
    if (!okc) return Error(BaseErrc::kInvalidArgument, "the admin token has a bad character");
  }
  return SecretString(t);
}

CloudAdminClient::CloudAdminClient(std::string base_url, SecretString token,
                                   CloudTransport transport)
    : base_url_(std::move(base_url)), token_(std::move(token)), transport_(std::move(transport)) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

Result<http::Response> CloudAdminClient::call(std::string method, const std::string& path,
                                              std::string body) {
  net::ClientRequest req;
  req.method = std::move(method);
  req.url = base_url_ + path;
  req.headers.add("Authorization", "Bearer " + std::string(token_.reveal()));
  req.headers.add("Accept", "application/json");
  if (!body.empty()) req.headers.add("Content-Type", "application/json");
  req.body = std::move(body);
  return transport_(req);
}

Result<std::optional<CloudKerberosServer>> CloudAdminClient::get(const std::string& domain) {
  const http::Response r = KB_TRY(call("GET", "/api/v1/kerberos-servers/" + domain, ""));
  if (r.status == 404) return std::optional<CloudKerberosServer>();
  if (!is_success(r.status)) return error_from_response(r);
  return std::optional<CloudKerberosServer>(KB_TRY(parse_kerberos_server_json(r.body)));
}

Result<void> CloudAdminClient::put(const std::string& domain, std::uint16_t branch_id,
                                   PublishedKey current, std::optional<PublishedKey> previous,
                                   std::int64_t key_updated_on,
                                   const std::string& key_updated_from) {
  if (current.key == nullptr || (previous && previous->key == nullptr)) {
    return Error(BaseErrc::kInvalidArgument, "no key to publish");
  }
  bj::object o{{"branch_id", branch_id},
               {"key_version", current.key_version},
               {"enctype", static_cast<std::int64_t>(current.key->enctype())},
               {"key", base64_encode(current.key->bytes().reveal())},
               {"key_updated_on", format_rfc3339(from_unix(key_updated_on))},
               {"key_updated_from", key_updated_from}};
  if (previous) {
    o["previous_key"] = base64_encode(previous->key->bytes().reveal());
    o["previous_key_version"] = previous->key_version;
  }
  SecretString body = SecretString::adopt(json::serialize(o));
  const http::Response r =
      KB_TRY(call("PUT", "/api/v1/kerberos-servers/" + domain, std::string(body.reveal())));
  if (!is_success(r.status)) return error_from_response(r);
  return ok();
}

Result<void> CloudAdminClient::remove(const std::string& domain) {
  const http::Response r = KB_TRY(call("DELETE", "/api/v1/kerberos-servers/" + domain, ""));
  if (r.status == 404 || is_success(r.status)) return ok();  // absent is not an error
  return error_from_response(r);
}

Result<std::vector<SyncUser>> CloudAdminClient::list(const std::string& domain) {
  std::vector<SyncUser> out;
  std::string after;
  for (std::size_t pages = 0; pages < kMaxPages; ++pages) {
    std::vector<std::pair<std::string, std::string>> q = {{"domain", domain},
                                                          {"limit", std::to_string(kBatch)}};
    if (!after.empty()) q.emplace_back("after", after);
    const http::Response r = KB_TRY(call("GET", "/api/v1/users?" + http::form_encode(q), ""));
    if (!is_success(r.status)) return error_from_response(r);
    UsersPage page = KB_TRY(parse_users_page(r.body));
    for (auto& u : page.users) out.push_back(std::move(u));
    if (!page.next) return out;
    if (*page.next == after) return bad_body("the cursor does not advance");
    after = std::move(*page.next);
  }
  return bad_body("too many pages");
}

Result<void> CloudAdminClient::upsert(const std::vector<SyncUser>& users) {
  for (std::size_t i = 0; i < users.size(); i += kBatch) {
    bj::array arr;
    for (std::size_t j = i; j < users.size() && j < i + kBatch; ++j) {
      arr.push_back(user_json(users[j]));
    }
    const http::Response r = KB_TRY(call("PUT", "/api/v1/users", json::serialize(arr)));
    if (!is_success(r.status)) return error_from_response(r);
  }
  return ok();
}

Result<void> CloudAdminClient::remove(const std::vector<std::string>& source_anchors) {
  for (std::size_t i = 0; i < source_anchors.size(); i += kBatch) {
    bj::array arr;
    for (std::size_t j = i; j < source_anchors.size() && j < i + kBatch; ++j) {
      arr.push_back(bj::string(source_anchors[j]));
    }
    const http::Response r = KB_TRY(
        call("POST", "/api/v1/users/delete", json::serialize(bj::object{{"source_anchors", arr}})));
    if (!is_success(r.status)) return error_from_response(r);
  }
  return ok();
}

}  // namespace kb::admin
