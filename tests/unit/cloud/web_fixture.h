// The web page's tests: the sign-in fixture (signin_fixture.h: SQLite store, two tenants,
// alice with a one-time pass in tenant A, software security keys) with the web routes and
// the admin API on the same Router, plus helpers for the page's own calls.
#pragma once

#include <optional>
#include <string>

#include "cloud/errors.h"
#include "cloud/service/web_routes.h"
#include "cloud/service/web_session.h"
#include "signin_fixture.h"

namespace kb::cloud::test {

class Web : public SignIn {
 public:
  Web();

  http::Response call(const std::string& method, const std::string& path,
                      const std::optional<boost::json::value>& body = std::nullopt,
                      const std::string& bearer = "");
  // POST /{tenant}/me/session with a pass: the session token ("" when refused).
  http::Response session_with_pass_raw(const std::string& tenant, const std::string& username,
                                       const std::string& pass);
  std::string session_with_pass(const std::string& tenant, const std::string& username,
                                const std::string& pass);
  // authentication/options -> assertion by `key` -> POST /{tenant}/me/session.
  http::Response session_with_key_raw(Key& key, const std::string& tenant,
                                      const std::string& username);
  std::string session_with_key(Key& key, const std::string& tenant, const std::string& username);
  // me/registration/options -> create -> me/registration under `session`. The last answer.
  http::Response add_key(Key& key, const std::string& tenant, const std::string& session,
                         const std::string& name);
  // GET me/credentials' "credentials" array.
  boost::json::array keys_of(const std::string& tenant, const std::string& session);
  void set_enabled(const std::string& tenant, const std::string& upn, bool enabled);

  client::WebauthnClient& browser(Key& key);
};

}  // namespace kb::cloud::test
