#include "crypto/master_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "base/subprocess.h"

namespace kb::crypto {
namespace {

TEST(MasterKey, WrapUnwrapRoundTripsAndBindsAssociatedData) {
  SystemRng rng;
  MasterKey mk = MasterKey::generate(rng);
  Bytes secret = {1, 2, 3, 4, 5, 6, 7, 8};
  Bytes ad = key_binding("alice", 2, 18);
  auto blob = mk.wrap(secret, ad, rng);
  ASSERT_TRUE(blob);
  EXPECT_EQ(blob->size(), 1 + 12 + secret.size() + 16);
  auto back = mk.unwrap(*blob, ad);
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(to_bytes(back->reveal()), secret);
  // The same secret wraps differently each time (fresh nonce).
  EXPECT_NE(*mk.wrap(secret, ad, rng), *blob);
  // Another owner, kvno or enctype: refused.
  for (const Bytes& other :
       {key_binding("bob", 2, 18), key_binding("alice", 3, 18), key_binding("alice", 2, 17)}) {
    auto r = mk.unwrap(*blob, other);
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is(Errc::kIntegrity));
  }
}

TEST(MasterKey, TamperedOrForeignBlobsAreRefused) {
  SystemRng rng;
  MasterKey mk = MasterKey::generate(rng);
  Bytes ad = key_binding("krbtgt", 1, 18);
  Bytes blob = *mk.wrap(Bytes(32, 0x42), ad, rng);
  for (std::size_t i = 0; i < blob.size(); ++i) {
    Bytes bad = blob;
    bad[i] ^= 0x01;
    EXPECT_FALSE(mk.unwrap(bad, ad)) << "byte " << i;
  }
  for (std::size_t n = 0; n < 29; ++n) {
    EXPECT_FALSE(mk.unwrap(ByteView(blob).first(n), ad));
  }
  MasterKey other = MasterKey::generate(rng);
  EXPECT_TRUE(other.unwrap(blob, ad).error().is(Errc::kIntegrity));
}

TEST(MasterKey, StashIsPrivateNotOverwrittenAndLoadsBack) {
  SystemRng rng;
  TempDir dir;
  auto path = dir.path() / "master.stash";
  auto mk = MasterKey::create_stash(path, rng);
  ASSERT_TRUE(mk) << mk.error().to_string();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(MasterKey::create_stash(path, rng));  // never overwrite a master key

  Bytes ad = key_binding("alice", 1, 18);
  Bytes blob = *mk->wrap(Bytes{9, 9, 9}, ad, rng);
  auto loaded = MasterKey::load_stash(path);
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  EXPECT_EQ(to_bytes(loaded->unwrap(blob, ad)->reveal()), (Bytes{9, 9, 9}));

  ::chmod(path.c_str(), 0644);
  auto loose = MasterKey::load_stash(path);
  ASSERT_FALSE(loose);
  EXPECT_NE(loose.error().detail().find("0600"), std::string::npos);
}

}  // namespace
}  // namespace kb::crypto
