// The security-info page's user routes (web_routes.h) on arbitrary input, through the
// Router over a real (SQLite) store. Input: byte 0 picks the route, byte 1 the caller's
// credentials (none; a valid pass session; a valid session of a key that does not exist;
// or the first line of the rest as the bearer token), the rest is the body (and, for
// DELETE, the credential id in the path). Aborts on any 5xx (a handler mistook bad input
// for a service failure) and on any success of a session route without a valid session
// (the fuzzer cannot forge the HMAC, so that would be a bypass).
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/http.h"
#include "base/http_router.h"
#include "base/subprocess.h"
#include "cloud/service/access_pass.h"
#include "cloud/service/context.h"
#include "cloud/service/web_routes.h"
#include "cloud/service/web_session.h"
#include "crypto/crypto.h"
#include "crypto/master_key.h"
#include "store/sqlite/cloud_sqlite.h"

namespace {

using namespace kb;

struct World {
  TempDir dir{"kb-fuzz-web"};
  crypto::SystemRng rng;
  FixedClock clock{SysTime(std::chrono::seconds(1800000000))};
  crypto::MasterKey master = crypto::MasterKey::generate(rng);
  std::unique_ptr<store::CloudStore> store;
  std::unique_ptr<cloud::ServiceContext> ctx;
  http::Router router;
  std::string pass_session;
  std::string ghost_key_session;

  World() {
    auto s = store::sqlite::SqliteCloudStore::open((dir.path() / "cloud.db").string());
    if (!s) std::abort();
    store = std::move(*s);
    ctx = std::make_unique<cloud::ServiceContext>(
        cloud::ServiceContext{*store, master, clock, rng, {}});
    cloud::add_web_routes(router, *ctx);
    cloud::add_signin_routes(router, *ctx);
    store::CloudUser u;
    u.id = "u1";
    u.source_anchor = "a1";
    u.upn = "alice@contoso.test";
    u.domain = "contoso.test";
    u.sam_account_name = "alice";
    u.object_sid = "S-1-5-21-1-2-3-1105";
    std::vector<store::CloudUser> users{u};
    // A multi-use pass, so that corpus inputs naming it keep opening sessions.
    store::TemporaryAccessPass p{"t",
                                 "u1",
                                 "p1",
                                 cloud::access_pass_hash("FUZZPASS"),
                                 false,
                                 clock.now(),
                                 clock.now() + std::chrono::hours(1),
                                 std::nullopt,
                                 clock.now()};
    auto r = store->transact([&](store::CloudTxn& t) -> Result<void> {
      KB_CHECK(t.create_tenant({"t", "fuzz", clock.now()}));
      KB_CHECK(t.upsert_users("t", users, clock.now()));
      return t.create_access_pass(p);
    });
    if (!r) std::abort();
    auto a = cloud::issue_web_session(*ctx, "t", "u1", cloud::WebSessionMethod::kAccessPass, {});
    const Bytes ghost{0xde, 0xad};
    auto k =
        cloud::issue_web_session(*ctx, "t", "u1", cloud::WebSessionMethod::kSecurityKey, ghost);
    if (!a || !k) std::abort();
    pass_session = std::string(a->reveal());
    ghost_key_session = std::string(k->reveal());
  }
};

struct Route {
  const char* method;
  const char* target;
  bool needs_session;
};
constexpr Route kRoutes[] = {
    {"POST", "/t/me/session", false},       {"POST", "/t/me/registration/options", true},
    {"POST", "/t/me/registration", true},   {"GET", "/t/me/credentials", true},
    {"DELETE", "/t/me/credentials/", true},  // + an id from the input
    {"GET", "/t/security-info", false},     {"GET", "/t/security-info.js", false},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World w;
  if (size < 2) return 0;
  const Route& route = kRoutes[data[0] % std::size(kRoutes)];
  const unsigned auth = data[1] % 4u;
  std::string rest(reinterpret_cast<const char*>(data + 2), size - 2);

  http::Request req;
  req.method = route.method;
  req.target = route.target;
  std::string token;
  if (auth == 1) token = w.pass_session;
  if (auth == 2) token = w.ghost_key_session;
  if (auth == 3) {
    const auto nl = rest.find('\n');
    token = rest.substr(0, nl);
    rest = nl == std::string::npos ? std::string() : rest.substr(nl + 1);
  }
  if (auth != 0) req.headers.add("Authorization", "Bearer " + token);
  if (std::string_view(route.method) == "DELETE") {
    const auto nl = rest.find('\n');
    req.target += rest.substr(0, nl);
    rest = nl == std::string::npos ? std::string() : rest.substr(nl + 1);
  }
  req.headers.add("Content-Type", "application/json");
  req.body = std::move(rest);

  const http::Response r = w.router.handle(req);
  if (r.status >= 500) std::abort();
  // Only a pass session is a valid session (the ghost key's session dies with its key).
  if (route.needs_session && auth != 1 && r.status < 300) std::abort();
  return 0;
}
