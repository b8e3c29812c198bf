// A throwaway Apache httpd with mod_auth_gssapi for tests: one process (`apache2 -X`)
// listening on 127.0.0.1 at a free port, every path behind `AuthType GSSAPI` and
// `Require valid-user`, keyed with a keytab the test hands over (ours: exported from our
// directory). curl --negotiate (MIT GSSAPI under libcurl) is the client.
//
// Its files live in a temporary directory of its own: as root Apache drops to www-data, so
// the directory is 0711, and the keytab and krb5.conf are copied in and given to www-data;
// the caller's files keep their owner and mode. The server never sees a client's ccache
// (KRB5CCNAME=MEMORY:apache). Stopped by PID at destruction.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "base/subprocess.h"

namespace kb::testing {

struct ApacheGssapiConfig {
  std::filesystem::path keytab;     // holds HTTP/<server_name>
  std::filesystem::path krb5_conf;  // the realm's configuration (the acceptor reads it)
  std::string server_name = "web.contoso.test";
};

class ApacheGssapi {
 public:
  // Starts the server and waits until it answers (401 to a request without credentials);
  // nullptr and a message in *error when apache2 or the module is missing or it does not
  // come up.
  static std::unique_ptr<ApacheGssapi> start(const ApacheGssapiConfig& config, std::string* error);
  ~ApacheGssapi();
  ApacheGssapi(const ApacheGssapi&) = delete;
  ApacheGssapi& operator=(const ApacheGssapi&) = delete;

  [[nodiscard]] int port() const { return port_; }
  // http://<server_name>:<port><path>
  [[nodiscard]] std::string url(const std::string& path = "/index.html") const;

  // `curl --negotiate -u :` for `path`, the server name resolved to 127.0.0.1 with
  // --resolve (so curl asks for HTTP@<server_name>), under `env` (KRB5CCNAME,
  // KRB5_CONFIG). exit_code is curl's; out is the HTTP status ("000" when nothing answered).
  [[nodiscard]] RunResult curl_negotiate(const std::map<std::string, std::string>& env,
                                         const std::string& path = "/index.html") const;

  // Apache writes an access-log line ("%u %>s %r": user, status, request line) after it has
  // answered: waits up to `timeout_ms` for a line containing `text`.
  [[nodiscard]] bool wait_for_access_log(const std::string& text, int timeout_ms = 5000) const;
  // The access log, the error log and Apache's own output, for failure messages.
  [[nodiscard]] std::string logs() const;

  void stop();

 private:
  ApacheGssapi() : dir_("kb-apache") {}
  bool prepare(const ApacheGssapiConfig& config, std::string* error);
  bool launch(std::string* error);
  [[nodiscard]] std::filesystem::path path(const std::string& name) const {
    return dir_.path() / name;
  }

  TempDir dir_;  // declared first: removed after the server has stopped
  std::string apache_;
  std::string server_name_;
  BackgroundProcess httpd_;
  int port_ = 0;
};

}  // namespace kb::testing
