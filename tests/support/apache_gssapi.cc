#include "apache_gssapi.h"

#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace kb::testing {
namespace {

namespace fs = std::filesystem;

const std::string kModules = "/usr/lib/apache2/modules/";

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool write_text(const fs::path& p, const std::string& text, fs::perms mode) {
  {
    std::ofstream out(p, std::ios::trunc);
    out << text;
    if (!out.flush()) return false;
  }
  std::error_code ec;
  fs::permissions(p, mode, ec);
  return !ec;
}

// As root Apache serves as www-data: hand it what it reads. Not root: nothing to hand over
// (Apache keeps the caller's identity and ignores `User`).
bool give_to_www_data(const std::vector<fs::path>& paths, std::string* error) {
  if (::geteuid() != 0) return true;
  const passwd* pw = ::getpwnam("www-data");
  if (pw == nullptr) {
    *error = "no www-data user (the apache2 package creates it)";
    return false;
  }
  for (const auto& p : paths) {
    if (::chown(p.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      *error = "chown www-data " + p.string() + " failed";
      return false;
    }
  }
  return true;
}

std::string httpd_conf(const fs::path& dir, const std::string& server_name, int port) {
  const std::string d = dir.string();
  std::string c;
  c += "ServerRoot /usr/lib/apache2\n";
  c += "ServerName " + server_name + "\n";
  c += "Listen 127.0.0.1:" + std::to_string(port) + "\n";
  c += "User www-data\nGroup www-data\n";
  c += "PidFile " + d + "/run/httpd.pid\n";
  c += "DefaultRuntimeDir " + d + "/run\n";
  c += "Mutex file:" + d + "/run default\n";
  c += "ErrorLog " + d + "/error.log\n";
  c += "LogLevel info\n";
  for (const char* m : {"mpm_event", "authz_core", "authn_core", "authz_user", "auth_gssapi"}) {
    c += std::string("LoadModule ") + m + "_module " + kModules + "mod_" + m + ".so\n";
  }
  c += "LogFormat \"%u %>s %r\" kb\n";
  c += "CustomLog " + d + "/access.log kb\n";
  c += "DocumentRoot " + d + "/www\n";
  c += "<Location />\n";
  c += "  AuthType GSSAPI\n  AuthName Keybridge\n";
  c += "  GssapiCredStore keytab:" + d + "/http.keytab\n";
  c += "  GssapiAllowedMech krb5\n";
  c += "  Require valid-user\n";
  c += "</Location>\n";
  return c;
}

}  // namespace

std::unique_ptr<ApacheGssapi> ApacheGssapi::start(const ApacheGssapiConfig& config,
                                                  std::string* error) {
  std::unique_ptr<ApacheGssapi> a(new ApacheGssapi());
  if (!a->prepare(config, error)) return nullptr;
  // The free port may be taken between the probe and Apache's bind: try a few.
  for (int tries = 0; tries < 3; ++tries) {
    if (a->launch(error)) return a;
  }
  return nullptr;
}

ApacheGssapi::~ApacheGssapi() {
  stop();
}

bool ApacheGssapi::prepare(const ApacheGssapiConfig& config, std::string* error) {
  apache_ = find_program("apache2");
  if (apache_.empty()) {
    *error = "apache2 is missing (scripts/install-deps.sh installs it)";
    return false;
  }
  if (!fs::exists(kModules + "mod_auth_gssapi.so")) {
    *error = "mod_auth_gssapi is missing (libapache2-mod-auth-gssapi)";
    return false;
  }
  server_name_ = config.server_name;
  std::error_code ec;
  fs::create_directories(path("run"), ec);
  fs::create_directories(path("www"), ec);
  const auto traverse = fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec;
  fs::permissions(dir_.path(), traverse, ec);
  fs::copy_file(config.keytab, path("http.keytab"), fs::copy_options::overwrite_existing, ec);
  if (ec) {
    *error = "cannot copy the keytab " + config.keytab.string() + ": " + ec.message();
    return false;
  }
  fs::copy_file(config.krb5_conf, path("krb5.conf"), fs::copy_options::overwrite_existing, ec);
  if (ec) {
    *error = "cannot copy " + config.krb5_conf.string() + ": " + ec.message();
    return false;
  }
  const auto readable = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                        fs::perms::others_read;
  fs::permissions(path("http.keytab"), fs::perms::owner_read | fs::perms::owner_write, ec);
  fs::permissions(path("krb5.conf"), readable, ec);
  if (!write_text(path("www") / "index.html", "hello\n", readable)) {
    *error = "cannot write the document root";
    return false;
  }
  return give_to_www_data(
      {path("run"), path("www"), path("www") / "index.html", path("http.keytab")}, error);
}

bool ApacheGssapi::launch(std::string* error) {
  port_ = ::kb::free_loopback_port();
  if (port_ == 0) {
    *error = "no free loopback port";
    return false;
  }
  const auto readable = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                        fs::perms::others_read;
  if (!write_text(path("httpd.conf"), httpd_conf(dir_.path(), server_name_, port_), readable)) {
    *error = "cannot write httpd.conf";
    return false;
  }
  // The acceptor reads the realm's krb5.conf; it has no business with a client's ccache.
  const std::map<std::string, std::string> env = {{"KRB5_CONFIG", path("krb5.conf").string()},
                                                  {"KRB5CCNAME", "MEMORY:apache"}};
  if (!httpd_.start({apache_, "-X", "-f", path("httpd.conf").string()}, env, path("stdout.log"),
                    error)) {
    return false;
  }
  // Up when a request without credentials gets an answer (401) rather than none.
  for (int i = 0; i < 100; ++i) {
    auto probe = run_program({"curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--resolve",
                              server_name_ + ":" + std::to_string(port_) + ":127.0.0.1", url()},
                             {}, "", 10);
    if (probe.out == "401") return true;
    if (!httpd_.running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  *error = "apache2 did not come up on port " + std::to_string(port_) + ": " + logs();
  httpd_.stop();
  return false;
}

std::string ApacheGssapi::url(const std::string& path) const {
  return "http://" + server_name_ + ":" + std::to_string(port_) + path;
}

RunResult ApacheGssapi::curl_negotiate(const std::map<std::string, std::string>& env,
                                       const std::string& path) const {
  return run_program(
      {"curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--negotiate", "-u", ":", "--resolve",
       server_name_ + ":" + std::to_string(port_) + ":127.0.0.1", url(path)},
      env, "", 20);
}

bool ApacheGssapi::wait_for_access_log(const std::string& text, int timeout_ms) const {
  for (int waited = 0; waited <= timeout_ms; waited += 50) {
    if (read_text(path("access.log")).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string ApacheGssapi::logs() const {
  return "\naccess.log:\n" + read_text(path("access.log")) + "error.log:\n" +
         read_text(path("error.log")) + "apache2 output:\n" + read_text(path("stdout.log"));
}

void ApacheGssapi::stop() {
  httpd_.stop();
}

}  // namespace kb::testing
