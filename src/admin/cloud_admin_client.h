// The cloud's admin API (docs/cloud.md "Kerberos server objects", "Users") as the admin tool
// uses it: CloudKerberosServers and CloudUsers over HTTP. The transport is a parameter, so
// the CLI passes net::HttpsClient::request and the tests a function that hands the request
// to the cloud's Router in-process.
//
// Errors: a transport failure comes back unchanged (net::Errc); a problem response (RFC
// 9457) becomes cloud::CloudErrc by its `code` ("not_found" -> kNotFound, "conflict" ->
// kConflict, ...), with the status and code in the detail; any other non-2xx status is
// kInternal; a 2xx body that is not what the API documents is BaseErrc::kBadJson.
// Responses are untrusted input: bounded JSON, typed members, bounded pagination.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admin/kerberos_server_admin.h"
#include "admin/sync.h"
#include "base/http.h"
#include "base/result.h"
#include "base/secret.h"
#include "net/https_client.h"

namespace kb::admin {

using CloudTransport = std::function<Result<http::Response>(const net::ClientRequest&)>;

// The error a problem (or any non-2xx) response stands for. `status` in 200..299 is not an
// error: callers check first.
Error error_from_response(const http::Response& response);

// Readers of the API's JSON bodies (exposed for the fuzz target and tests).
Result<CloudKerberosServer> parse_kerberos_server_json(std::string_view body);
struct UsersPage {
  std::vector<SyncUser> users;
  std::optional<std::string> next;  // the `after` of the following page
};
Result<UsersPage> parse_users_page(std::string_view body);

// The admin token (secrets never come from argv): the first line of `file` when it is not
// empty, else `env_value` (the caller passes getenv("KEYBRIDGE_ADMIN_TOKEN")). Trailing
// whitespace is dropped; the token must be 1..512 characters of RFC 6750's token68 set.
// BaseErrc::kNotFound when neither is given, kIo when the file cannot be read,
// kInvalidArgument for a malformed token.
Result<SecretString> read_admin_token(const std::string& file, const char* env_value);

class CloudAdminClient final : public CloudKerberosServers, public CloudUsers {
 public:
  // `base_url` is https://host[:port] (a trailing '/' is dropped); `token` the tenant's
  // admin token, sent as a bearer token and never printed.
  CloudAdminClient(std::string base_url, SecretString token, CloudTransport transport);

  // CloudKerberosServers.
  Result<std::optional<CloudKerberosServer>> get(const std::string& domain) override;
  Result<void> put(const std::string& domain, std::uint16_t branch_id, PublishedKey current,
                   std::optional<PublishedKey> previous, std::int64_t key_updated_on,
                   const std::string& key_updated_from) override;
  Result<void> remove(const std::string& domain) override;

  // CloudUsers: list pages through the domain's users (1000 per request); upsert and
  // remove send batches of at most 1000 (the API's limit).
  Result<std::vector<SyncUser>> list(const std::string& domain) override;
  Result<void> upsert(const std::vector<SyncUser>& users) override;
  Result<void> remove(const std::vector<std::string>& source_anchors) override;

  static constexpr std::size_t kBatch = 1000;
  static constexpr std::size_t kMaxPages = 100000;  // 10^8 users: a cursor loop guard

 private:
  Result<http::Response> call(std::string method, const std::string& path, std::string body);

  std::string base_url_;
  SecretString token_;
  CloudTransport transport_;
};

}  // namespace kb::admin
