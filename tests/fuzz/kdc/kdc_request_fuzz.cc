// The KDC's request handler (AS and TGS) on arbitrary bytes, with a provisioned directory
// (alice, with and without pre-authentication required): every AS-REQ or TGS-REQ-tagged
// input gets a reply that decodes as an AS-REP, TGS-REP or KRB-ERROR; anything else is
// dropped. Never a crash or a hang.
#include <cstdlib>
#include <filesystem>

#include "base/subprocess.h"
#include "crypto/master_key.h"
#include "kdc/accounts.h"
#include "kdc/kdc.h"
#include "store/sqlite/sqlite_directory.h"

namespace {

using namespace kb;

struct World {
  World() : clock(SysTime(std::chrono::seconds(1800000000))), mk(crypto::MasterKey::generate(rng)) {
    store = std::move(*store::sqlite::SqliteDirectoryStore::open((dir.path() / "d.db").string()));
    auto d = kdc::provision_domain(
        *store, {"contoso.test", "", "S-1-5-21-1-2-3", SecretString("pw")}, mk, clock, rng);
    if (!d) std::abort();
    for (auto [rid, sam, uac] : {std::tuple{1105u, "alice", 0u},
                                 std::tuple{1106u, "nopreauth", store::uac::kDontRequirePreauth}}) {
      store::Account a;
      a.rid = rid;
      a.sam_account_name = sam;
      a.user_account_control = store::uac::kNormalAccount | uac;
      if (!kdc::set_password(a, *d, SecretString("password"), mk, clock, rng)) std::abort();
      if (!store->transact([&](store::DirectoryTxn& t) { return t.put_account(a); })) std::abort();
    }
    directory = std::make_unique<kdc::KdcDirectory>(*store, mk);
    kdc = std::make_unique<kdc::Kdc>(*directory, clock, rng, kdc::KdcPolicy{});
  }
  crypto::SystemRng rng;
  FixedClock clock;
  crypto::MasterKey mk;
  TempDir dir{"kb-fuzz"};
  std::unique_ptr<store::sqlite::SqliteDirectoryStore> store;
  std::unique_ptr<kdc::KdcDirectory> directory;
  std::unique_ptr<kdc::Kdc> kdc;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World w;
  Bytes reply = w.kdc->handle(ByteView(data, size), size % 2 == 0, "fuzz");
  const bool kdc_request = size > 0 && (data[0] == 0x6a || data[0] == 0x6c);
  if (kdc_request == reply.empty()) std::abort();
  if (!reply.empty() && !der::decode<krb5::AsRep>(reply) && !der::decode<krb5::TgsRep>(reply) &&
      !der::decode<krb5::KrbError>(reply)) {
    std::abort();
  }
  return 0;
}
