// The sign-in routes on arbitrary bodies, through the Router over a real (SQLite) store:
// the first input byte picks the route, the rest is the body. Every answer must be a
// success or a 4xx problem; a 500 means a handler mistook bad input for a service failure.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "base/clock.h"
#include "base/http.h"
#include "base/http_router.h"
#include "base/subprocess.h"
#include "cloud/service/context.h"
#include "crypto/crypto.h"
#include "crypto/master_key.h"
#include "store/sqlite/cloud_sqlite.h"

namespace {

using namespace kb;

struct World {
  TempDir dir{"kb-fuzz-signin"};
  crypto::SystemRng rng;
  FixedClock clock{SysTime(std::chrono::seconds(1800000000))};
  crypto::MasterKey master = crypto::MasterKey::generate(rng);
  std::unique_ptr<store::CloudStore> store;
  std::unique_ptr<cloud::ServiceContext> ctx;
  http::Router router;

  World() {
    auto s = store::sqlite::SqliteCloudStore::open((dir.path() / "cloud.db").string());
    if (!s) std::abort();
    store = std::move(*s);
    ctx = std::make_unique<cloud::ServiceContext>(
        cloud::ServiceContext{*store, master, clock, rng, {}});
    cloud::add_signin_routes(router, *ctx);
    store::CloudUser u;
    u.id = "u1";
    u.source_anchor = "a1";
    u.upn = "alice@contoso.test";
    u.domain = "contoso.test";
    u.sam_account_name = "alice";
    u.object_sid = "S-1-5-21-1-2-3-1105";
    std::vector<store::CloudUser> users{u};
    auto r = store->transact([&](store::CloudTxn& t) -> Result<void> {
      KB_CHECK(t.create_tenant({"t", "fuzz", clock.now()}));
      KB_CHECK(t.upsert_users("t", users, clock.now()));
      return ok();
    });
    if (!r) std::abort();
  }
};

constexpr const char* kRoutes[] = {"/t/webauthn/registration/options", "/t/webauthn/registration",
                                   "/t/webauthn/authentication/options", "/t/devices",
                                   "/t/oauth2/token"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World w;
  if (size == 0) return 0;
  const std::size_t route = data[0] % std::size(kRoutes);
  http::Request req;
  req.method = "POST";
  req.target = kRoutes[route];
  req.headers.add("Content-Type",
                  route == 4 ? "application/x-www-form-urlencoded" : "application/json");
  req.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  const http::Response r = w.router.handle(req);
  if (r.status >= 500) std::abort();
  return 0;
}
