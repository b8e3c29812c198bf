// PA-PAC-OPTIONS (padata 167) on AS-REQ and TGS-REQ: read strictly, logged, never echoed
// (we act on none of its bits), and a malformed one is KDC_ERR_BADOPTION, not a crash.
#include "kdc/pac_options.h"

#include <gtest/gtest.h>

#include "base/subprocess.h"
#include "client/tgs_client.h"
#include "kdc/accounts.h"
#include "kdc/kdc.h"
#include "store/sqlite/sqlite_directory.h"

namespace kb::kdc {
namespace {

namespace po = krb5::pac_option;
const SysTime kNow{std::chrono::seconds(1800000000)};
constexpr std::int32_t kBadOption = 13;

krb5::PaData pac_options_padata(std::initializer_list<unsigned> bits) {
  krb5::PaPacOptions o;
  for (unsigned b : bits) o.flags.set(b);
  return {krb5::padata_type::kPacOptions, der::encode(o)};
}

// Malformed values of padata 167: wrong outer tag, trailing byte, truncated, a BIT STRING
// with a bad unused-bits count, an INTEGER where the flags go, empty.
std::vector<Bytes> malformed_values() {
  Bytes good = pac_options_padata({po::kClaims}).padata_value;
  Bytes trailing = good;
  trailing.push_back(0);
  Bytes truncated(good.begin(), good.end() - 1);
  Bytes wrong_tag = good;
  wrong_tag[0] = 0x31;  // SET instead of SEQUENCE
  return {wrong_tag,
          trailing,
          truncated,
          Bytes{0x30, 0x09, 0xa0, 0x07, 0x03, 0x05, 0x08, 0x80, 0x00, 0x00, 0x00},
          Bytes{0x30, 0x05, 0xa0, 0x03, 0x02, 0x01, 0x01},
          Bytes{}};
}

class PacOptions : public ::testing::Test {
 protected:
  PacOptions() : clock_(kNow), mk_(crypto::MasterKey::generate(rng_)) {
    store_ = std::move(*store::sqlite::SqliteDirectoryStore::open((dir_.path() / "d.db").string()));
    domain_ = *provision_domain(
        *store_, {"contoso.test", "", "S-1-5-21-1-2-3", SecretString("adm")}, mk_, clock_, rng_);
    store::Account a;
    a.rid = 1105;
    a.sam_account_name = "alice";
    a.user_account_control = store::uac::kNormalAccount | store::uac::kDontExpirePassword;
    EXPECT_TRUE(set_password(a, domain_, SecretString("password"), mk_, clock_, rng_));
    store::Account svc;
    svc.rid = 1200;
    svc.sam_account_name = "websvc";
    svc.service_principal_names = {"HTTP/web.contoso.test"};
    EXPECT_TRUE(set_random_keys(svc, domain_, mk_, clock_, rng_));
    EXPECT_TRUE(store_->transact([&](store::DirectoryTxn& t) -> Result<void> {
      KB_CHECK(t.put_account(a));
      return t.put_account(svc);
    }));
    directory_ = std::make_unique<KdcDirectory>(*store_, mk_);
    kdc_ = std::make_unique<Kdc>(*directory_, clock_, rng_, KdcPolicy{},
                                 [this](const RequestLog& l, auto d, auto peer) {
                                   last_log_ = l;
                                   last_line_ = format_log_line(l, d, peer);
                                 });
  }

  crypto::Key alice_key() {
    return *crypto::string_to_key(crypto::EncType::kAes256CtsHmacSha196, SecretString("password"),
                                  "CONTOSO.TESTalice");
  }

  Bytes as_exchange(std::vector<krb5::PaData> extra) {
    krb5::AsReq r;
    auto& b = r.req_body.value;
    b.cname = krb5::PrincipalName{1, {"alice"}};
    b.realm = "CONTOSO.TEST";
    b.sname = krb5::PrincipalName{2, {"krbtgt", "CONTOSO.TEST"}};
    b.till = krb5::KerberosTime::from_sys(kNow + std::chrono::hours(10));
    b.nonce = 99;
    b.etype = {18};
    krb5::PaEncTsEnc ts;
    ts.patimestamp = krb5::KerberosTime::from_sys(kNow);
    krb5::EncryptedData ed;
    ed.etype = 18;
    ed.cipher = *crypto::encrypt(alice_key(), crypto::KeyUsage::kAsReqPaEncTimestamp,
                                 der::encode(ts), rng_);
    r.padata = std::vector<krb5::PaData>{{krb5::padata_type::kEncTimestamp, der::encode(ed)}};
    for (auto& p : extra) r.padata->push_back(std::move(p));
    return kdc_->handle(der::encode(r), false, "test");
  }

  client::Credential tgt() {
    auto cred = client::open_as_rep(as_exchange({}), alice_key());
    EXPECT_TRUE(cred) << cred.error().to_string();
    return std::move(*cred);
  }

  Result<client::TgsReply> tgs_exchange(const client::Credential& tgt,
                                        std::vector<krb5::PaData> extra) {
    client::TgsRequest req;
    req.realm = "CONTOSO.TEST";
    req.sname = krb5::PrincipalName{2, {"HTTP", "web.contoso.test"}};
    req.extra_padata = std::move(extra);
    auto prepared = KB_TRY(client::build_tgs_req(tgt, req, clock_, rng_));
    return client::read_tgs_rep(kdc_->handle(prepared.bytes, false, "test"), tgt, prepared);
  }

  crypto::SystemRng rng_;
  FixedClock clock_;
  crypto::MasterKey mk_;
  TempDir dir_;
  std::unique_ptr<store::sqlite::SqliteDirectoryStore> store_;
  store::Domain domain_;
  std::unique_ptr<KdcDirectory> directory_;
  std::unique_ptr<Kdc> kdc_;
  RequestLog last_log_;
  std::string last_line_;
};

TEST_F(PacOptions, AsRequestWithEveryBitIsAnsweredAndNothingIsEchoed) {
  Bytes reply =
      as_exchange({pac_options_padata({po::kClaims, po::kBranchAware, po::kForwardToFullDc,
                                       po::kResourceBasedConstrainedDelegation, 9})});
  auto rep = der::decode<krb5::AsRep>(reply);
  ASSERT_TRUE(rep) << last_log_.detail;
  EXPECT_EQ(last_log_.pac_options, "claims,branch-aware,forward-to-full-dc,rbcd,bit9");
  EXPECT_NE(last_line_.find(" pac_options=claims,branch-aware,forward-to-full-dc,rbcd,bit9"),
            std::string::npos)
      << last_line_;
  auto plain = crypto::decrypt(alice_key(), crypto::KeyUsage::kAsRepEncPart, rep->enc_part.cipher);
  ASSERT_TRUE(plain);
  auto part = der::decode<krb5::EncAsRepPart>(plain->reveal());
  ASSERT_TRUE(part);
  EXPECT_FALSE(part->encrypted_pa_data.has_value());
}

TEST_F(PacOptions, AbsentOptionsLeaveTheLogLineAlone) {
  ASSERT_TRUE(der::decode<krb5::AsRep>(as_exchange({})));
  EXPECT_EQ(last_log_.pac_options, "");
  EXPECT_EQ(last_line_.find("pac_options"), std::string::npos);
}

TEST_F(PacOptions, MalformedOptionsInAnAsRequestAreBadOption) {
  for (const Bytes& value : malformed_values()) {
    Bytes reply = as_exchange({{krb5::padata_type::kPacOptions, value}});
    auto err = der::decode<krb5::KrbError>(reply);
    ASSERT_TRUE(err) << "answered a malformed PA-PAC-OPTIONS";
    EXPECT_EQ(err->error_code, kBadOption);
    EXPECT_NE(last_log_.detail.find("PA-PAC-OPTIONS"), std::string::npos) << last_log_.detail;
  }
}

TEST_F(PacOptions, TgsRequestWithBranchAwareAndRbcdGetsItsServiceTicket) {
  auto t = tgt();
  auto r = tgs_exchange(
      t, {pac_options_padata({po::kBranchAware, po::kResourceBasedConstrainedDelegation})});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(last_log_.pac_options, "branch-aware,rbcd");
  EXPECT_EQ(last_log_.error_code, 0);
}

TEST_F(PacOptions, MalformedOptionsInATgsRequestAreBadOption) {
  auto t = tgt();
  for (const Bytes& value : malformed_values()) {
    auto r = tgs_exchange(t, {{krb5::padata_type::kPacOptions, value}});
    ASSERT_FALSE(r);
    EXPECT_EQ(client::kerberos_error_code(r.error()), kBadOption) << r.error().to_string();
  }
}

TEST(PacOptionsText, NamesKnownBitsAndMarksOthers) {
  krb5::PaPacOptions none;
  EXPECT_EQ(describe_pac_options(none), "-");
  krb5::PaPacOptions claims;
  claims.flags.set(po::kClaims);
  EXPECT_EQ(describe_pac_options(claims), "claims");
  krb5::PaPacOptions wide;
  wide.flags.tail.octets = {0x01};
  EXPECT_EQ(describe_pac_options(wide), "bits>31");
}

TEST(PacOptionsRead, FirstOfSeveralIsTakenAndOtherPadataIgnored) {
  std::vector<krb5::PaData> padata{{krb5::padata_type::kPacRequest, Bytes{0x30, 0x00}},
                                   pac_options_padata({po::kClaims}),
                                   pac_options_padata({po::kBranchAware})};
  auto r = read_pac_options(padata);
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->has_value());
  EXPECT_TRUE((*r)->flags.test(po::kClaims));
  EXPECT_FALSE((*r)->flags.test(po::kBranchAware));
  auto none = read_pac_options(std::nullopt);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

}  // namespace
}  // namespace kb::kdc
