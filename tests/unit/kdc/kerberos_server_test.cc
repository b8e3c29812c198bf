// The directory objects of a Kerberos server object (issue 5 "Directory objects"; digest D.1).
#include "kdc/kerberos_server.h"

#include <gtest/gtest.h>

#include "base/subprocess.h"
#include "kdc/accounts.h"
#include "store/sqlite/sqlite_directory.h"

namespace kb::kdc {
namespace {

KerberosServerSpec spec(std::optional<std::uint16_t> branch, std::string from = "") {
  KerberosServerSpec s;
  s.branch_id = branch;
  s.updated_from = std::move(from);
  return s;
}

class KerberosServer : public ::testing::Test {
 protected:
  KerberosServer()
      : clock_(SysTime(std::chrono::seconds(1800000000))), mk_(crypto::MasterKey::generate(rng_)) {
    store_ = std::move(*store::sqlite::SqliteDirectoryStore::open((dir_.path() / "d.db").string()));
    domain_ = *provision_domain(*store_, {"contoso.test", "", "S-1-5-21-1-2-3", SecretString("x")},
                                mk_, clock_, rng_);
  }

  store::Account by_dn(const std::string& dn) {
    store::Account out;
    EXPECT_TRUE(store_->read([&](store::DirectoryTxn& t) -> Result<void> {
      auto found = KB_TRY(t.accounts_by_attribute(attr::kDistinguishedName, dn));
      if (found.size() != 1) return Error(store::Errc::kNotFound, dn);
      out = std::move(found.front());
      return ok();
    }));
    return out;
  }

  crypto::SystemRng rng_;
  FixedClock clock_;
  crypto::MasterKey mk_;
  TempDir dir_;
  std::unique_ptr<store::sqlite::SqliteDirectoryStore> store_;
  store::Domain domain_;
};

TEST_F(KerberosServer, CreateMakesTheRodcComputerTheKrbtgtAndTheConnectionPoint) {
  auto info = create_kerberos_server(*store_, spec(std::nullopt, "admin01"), mk_, clock_, rng_);
  ASSERT_TRUE(info) << info.error().to_string();
  EXPECT_NE(info->branch_id, 0);
  EXPECT_EQ(info->key_version, 1);
  EXPECT_EQ(info->computer_dn, "CN=AzureADKerberos,OU=Domain Controllers,DC=contoso,DC=test");
  EXPECT_EQ(info->krbtgt_dn, "CN=krbtgt_AzureAD,CN=Users,DC=contoso,DC=test");
  EXPECT_EQ(info->scp_dn,
            "CN=900274c4-b7d2-43c8-90ee-00a9f650e335,CN=AzureAD,CN=System,DC=contoso,DC=test");
  EXPECT_EQ(info->key_updated_from, "admin01");
  EXPECT_EQ(info->key_updated_on, 1800000000);

  const store::Account c = by_dn(info->computer_dn);
  EXPECT_EQ(c.sam_account_name, "AzureADKerberos$");
  EXPECT_EQ(c.object_class, store::ObjectClass::kComputer);
  EXPECT_EQ(c.user_account_control,
            store::uac::kWorkstationTrustAccount | store::uac::kPartialSecretsAccount);
  EXPECT_EQ(c.primary_group_id, store::kRidReadOnlyDomainControllers);
  EXPECT_EQ(c.attributes.at(attr::kKrbTgtLink), std::vector<std::string>{info->krbtgt_dn});
  EXPECT_EQ(c.attributes.at(attr::kRevealOnDemandGroup),
            std::vector<std::string>{"S-1-5-21-1-2-3-513"});
  const auto& never = c.attributes.at(attr::kNeverRevealGroup);
  for (const char* sid :
       {"S-1-5-21-1-2-3-572", "S-1-5-21-1-2-3-512", "S-1-5-21-1-2-3-519", "S-1-5-21-1-2-3-518",
        "S-1-5-32-544", "S-1-5-32-548", "S-1-5-32-549", "S-1-5-32-551"}) {
    EXPECT_NE(std::find(never.begin(), never.end(), sid), never.end()) << sid;
  }

  const store::Account k = by_dn(info->krbtgt_dn);
  EXPECT_EQ(k.sam_account_name, "krbtgt_AzureAD");
  EXPECT_TRUE(k.user_account_control & store::uac::kAccountDisable);
  EXPECT_EQ(k.attributes.at(attr::kSecondaryKrbTgtNumber),
            std::vector<std::string>{std::to_string(info->branch_id)});
  EXPECT_EQ(current_kvno(k), 1u);
  EXPECT_TRUE(kerberos_server_key(*store_, mk_));
}

TEST_F(KerberosServer, SecondCreateIsRefusedAndBranchIdsAreUnique) {
  ASSERT_TRUE(create_kerberos_server(*store_, spec(7), mk_, clock_, rng_));
  auto again = create_kerberos_server(*store_, {}, mk_, clock_, rng_);
  ASSERT_FALSE(again);
  EXPECT_TRUE(again.error().is(store::Errc::kAlreadyExists));
  ASSERT_TRUE(remove_kerberos_server(*store_));
  // A real RODC already holds branch 9.
  ASSERT_TRUE(store_->transact([&](store::DirectoryTxn& t) -> Result<void> {
    store::Account rodc_krbtgt;
    rodc_krbtgt.rid = KB_TRY(t.allocate_rid());
    rodc_krbtgt.sam_account_name = "krbtgt_9";
    rodc_krbtgt.attributes[attr::kSecondaryKrbTgtNumber] = {"9"};
    return t.put_account(rodc_krbtgt);
  }));
  auto clash = create_kerberos_server(*store_, spec(9), mk_, clock_, rng_);
  ASSERT_FALSE(clash);
  EXPECT_TRUE(clash.error().is(store::Errc::kConflict));
}

TEST_F(KerberosServer, RotateKeepsThePreviousKeyAndRemoveDeletesEverything) {
  auto created = *create_kerberos_server(*store_, {}, mk_, clock_, rng_);
  const Bytes v1 = to_bytes((*kerberos_server_key(*store_, mk_, 1)).bytes().reveal());
  clock_.set(clock_.now() + std::chrono::hours(1));
  auto rotated = rotate_kerberos_server_key(*store_, "admin02", mk_, clock_, rng_);
  ASSERT_TRUE(rotated) << rotated.error().to_string();
  EXPECT_EQ(rotated->key_version, 2);
  EXPECT_EQ(rotated->branch_id, created.branch_id);
  EXPECT_EQ(rotated->key_updated_from, "admin02");
  EXPECT_EQ(rotated->key_updated_on, 1800003600);
  EXPECT_EQ(to_bytes((*kerberos_server_key(*store_, mk_, 1)).bytes().reveal()), v1);
  EXPECT_NE(to_bytes((*kerberos_server_key(*store_, mk_)).bytes().reveal()), v1);

  ASSERT_TRUE(remove_kerberos_server(*store_));
  EXPECT_FALSE(*read_kerberos_server(*store_));
  ASSERT_TRUE(store_->read([&](store::DirectoryTxn& t) -> Result<void> {
    if (KB_TRY(t.account_by_sam("krbtgt_AzureAD")) || KB_TRY(t.account_by_sam("AzureADKerberos$")))
      return Error(store::Errc::kConflict, "left behind");
    return ok();
  }));
  auto gone = remove_kerberos_server(*store_);
  ASSERT_FALSE(gone);
  EXPECT_TRUE(gone.error().is(store::Errc::kNotFound));
}

TEST_F(KerberosServer, PolicyEditsResolveNamesAndWarnAboutPrivilegedGroups) {
  ASSERT_TRUE(create_kerberos_server(*store_, {}, mk_, clock_, rng_));
  auto w = edit_prp(*store_, {PrpList::kRevealOnDemand, true, "Domain Users"});
  ASSERT_TRUE(w);  // already present: no change, no warning
  EXPECT_TRUE(w->empty());
  w = edit_prp(*store_, {PrpList::kRevealOnDemand, true, "Schema Admins"});
  ASSERT_TRUE(w);
  ASSERT_EQ(w->size(), 1u);
  EXPECT_NE(w->front().find("Schema Admins"), std::string::npos);
  // A group that nests a privileged one warns too.
  ASSERT_TRUE(store_->transact([&](store::DirectoryTxn& t) {
    return t.put_group({"S-1-5-21-1-2-3-1300", "Helpdesk", {"S-1-5-21-1-2-3-512"}});
  }));
  w = edit_prp(*store_, {PrpList::kRevealOnDemand, true, "Helpdesk"});
  ASSERT_TRUE(w);
  EXPECT_FALSE(w->empty());
  auto unknown = edit_prp(*store_, {PrpList::kNeverReveal, true, "No Such Group"});
  ASSERT_FALSE(unknown);
  EXPECT_TRUE(unknown.error().is(store::Errc::kNotFound));
  const auto info = **read_kerberos_server(*store_);
  EXPECT_EQ(info.reveal_on_demand,
            (std::vector<std::string>{"S-1-5-21-1-2-3-513", "S-1-5-21-1-2-3-518",
                                      "S-1-5-21-1-2-3-1300"}));
}

}  // namespace
}  // namespace kb::kdc
