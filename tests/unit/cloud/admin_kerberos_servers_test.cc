// kerberos_servers.h: wrapping server keys for storage and unwrapping the current one for
// the partial-TGT minting code, per tenant and domain.
#include "admin_fixture.h"
#include "cloud/service/kerberos_servers.h"

namespace kb::cloud::test {
namespace {

using namespace std::chrono_literals;

Bytes key_bytes(std::uint8_t fill) {
  return Bytes(32, fill);
}

class KerberosServerKeyTest : public AdminTest {
 protected:
  void put(const std::string& tenant, const std::string& domain, std::uint16_t branch,
           std::uint16_t kvno, std::uint8_t fill) {
    auto k = wrap_kerberos_server_key(ctx(), tenant, domain, kvno, 18, key_bytes(fill));
    ASSERT_TRUE(k) << k.error().to_string();
    store::KerberosServerRecord r;
    r.domain = domain;
    r.branch_id = branch;
    r.current = *k;
    r.key_updated_on = clock_.now();
    r.key_updated_from = "dc1";
    ASSERT_OK(store_->transact(
        [&](store::CloudTxn& t) { return t.put_kerberos_server(tenant, r, clock_.now()); }));
  }
};

TEST_P(KerberosServerKeyTest, LoadsTheCurrentKeyOfTheTenantsDomain) {
  put(tenant_a_.tenant_id, "corp.example", 4711, 3, 0xa1);
  put(tenant_b_.tenant_id, "corp.example", 99, 8, 0xb2);

  auto a = load_kerberos_server_key(ctx(), tenant_a_.tenant_id, "CORP.Example");
  ASSERT_TRUE(a) << a.error().to_string();
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ((*a)->branch_id, 4711);
  EXPECT_EQ((*a)->key_version, 3);
  EXPECT_EQ((*a)->key.enctype(), crypto::EncType::kAes256CtsHmacSha196);
  EXPECT_EQ(Bytes((*a)->key.bytes().reveal().begin(), (*a)->key.bytes().reveal().end()),
            key_bytes(0xa1));

  auto b = load_kerberos_server_key(ctx(), tenant_b_.tenant_id, "corp.example");
  ASSERT_TRUE(b && b->has_value());
  EXPECT_EQ((*b)->branch_id, 99);
  EXPECT_EQ((*b)->key_version, 8);
  EXPECT_EQ(Bytes((*b)->key.bytes().reveal().begin(), (*b)->key.bytes().reveal().end()),
            key_bytes(0xb2));
}

TEST_P(KerberosServerKeyTest, AbsentDomainIsEmptyNotAnError) {
  put(tenant_a_.tenant_id, "corp.example", 1, 1, 1);
  auto r = load_kerberos_server_key(ctx(), tenant_b_.tenant_id, "corp.example");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_FALSE(r->has_value());
  auto other = load_kerberos_server_key(ctx(), tenant_a_.tenant_id, "other.example");
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->has_value());
}

TEST_P(KerberosServerKeyTest, AfterRotationTheNewKeyIsCurrent) {
  put(tenant_a_.tenant_id, "corp.example", 7, 1, 0x11);
  auto k2 =
      wrap_kerberos_server_key(ctx(), tenant_a_.tenant_id, "corp.example", 2, 18, key_bytes(0x22));
  ASSERT_TRUE(k2);
  ASSERT_OK(store_->transact([&](store::CloudTxn& t) {
    return t.rotate_kerberos_server_key(tenant_a_.tenant_id, "corp.example", *k2, clock_.now(),
                                        "dc2");
  }));
  auto r = load_kerberos_server_key(ctx(), tenant_a_.tenant_id, "corp.example");
  ASSERT_TRUE(r && r->has_value());
  EXPECT_EQ((*r)->key_version, 2);
  EXPECT_EQ(Bytes((*r)->key.bytes().reveal().begin(), (*r)->key.bytes().reveal().end()),
            key_bytes(0x22));
}

TEST_P(KerberosServerKeyTest, BlobMovedToAnotherTenantDoesNotUnwrap) {
  // A key wrapped for tenant A's object, stored on tenant B's: the binding refuses it.
  auto k =
      wrap_kerberos_server_key(ctx(), tenant_a_.tenant_id, "corp.example", 1, 18, key_bytes(5));
  ASSERT_TRUE(k);
  store::KerberosServerRecord r;
  r.domain = "corp.example";
  r.branch_id = 1;
  r.current = *k;
  ASSERT_OK(store_->transact([&](store::CloudTxn& t) {
    return t.put_kerberos_server(tenant_b_.tenant_id, r, clock_.now());
  }));
  auto loaded = load_kerberos_server_key(ctx(), tenant_b_.tenant_id, "corp.example");
  EXPECT_FALSE(loaded);
}

TEST_P(KerberosServerKeyTest, BlobWithWrongVersionDoesNotUnwrap) {
  auto k =
      wrap_kerberos_server_key(ctx(), tenant_a_.tenant_id, "corp.example", 1, 18, key_bytes(5));
  ASSERT_TRUE(k);
  k->kvno = 2;  // claims another version than it was wrapped for
  store::KerberosServerRecord r;
  r.domain = "corp.example";
  r.branch_id = 1;
  r.current = *k;
  ASSERT_OK(store_->transact([&](store::CloudTxn& t) {
    return t.put_kerberos_server(tenant_a_.tenant_id, r, clock_.now());
  }));
  EXPECT_FALSE(load_kerberos_server_key(ctx(), tenant_a_.tenant_id, "corp.example"));
}

TEST_P(KerberosServerKeyTest, WrapRefusesWrongLengthAndEnctype) {
  EXPECT_FALSE(wrap_kerberos_server_key(ctx(), tenant_a_.tenant_id, "d", 1, 18, Bytes(16, 1)));
  EXPECT_FALSE(wrap_kerberos_server_key(ctx(), tenant_a_.tenant_id, "d", 1, 18, Bytes()));
  EXPECT_FALSE(wrap_kerberos_server_key(ctx(), tenant_a_.tenant_id, "d", 1, 17, Bytes(16, 1)));
  EXPECT_FALSE(wrap_kerberos_server_key(ctx(), tenant_a_.tenant_id, "d", 1, 23, Bytes(16, 1)));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, KerberosServerKeyTest, ::testing::Values(Backend::kSqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, KerberosServerKeyTest, ::testing::Values(Backend::kPostgres));

}  // namespace
}  // namespace kb::cloud::test
