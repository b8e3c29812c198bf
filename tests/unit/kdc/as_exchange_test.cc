// The AS exchange as a function of (bytes, directory, clock, rng): each rule, each refusal.
#include "kdc/as_exchange.h"

#include <gtest/gtest.h>

#include "base/subprocess.h"
#include "kdc/accounts.h"
#include "kdc/ticket_seal.h"
#include "pac/pac.h"
#include "store/sqlite/sqlite_directory.h"

namespace kb::kdc {
namespace {

const SysTime kNow{std::chrono::seconds(1800000000)};

class AsExchange : public ::testing::Test {
 protected:
  AsExchange() : clock_(kNow), mk_(crypto::MasterKey::generate(rng_)) {
    store_ = std::move(*store::sqlite::SqliteDirectoryStore::open((dir_.path() / "d.db").string()));
    domain_ = *provision_domain(*store_, {"contoso.test", "", "S-1-5-21-1-2-3", SecretString("pw")},
                                mk_, clock_, rng_);
    store::Account a;
    a.rid = 1105;
    a.sam_account_name = "alice";
    EXPECT_TRUE(set_password(a, domain_, SecretString("password"), mk_, clock_, rng_));
    EXPECT_TRUE(store_->transact([&](store::DirectoryTxn& t) { return t.put_account(a); }));
    directory_ = std::make_unique<KdcDirectory>(*store_, mk_);
    env_ = std::make_unique<KdcEnv>(KdcEnv{*directory_, clock_, rng_, {}});
  }

  static krb5::AsReq request(const std::string& user, std::vector<std::int32_t> etypes = {18, 17}) {
    krb5::AsReq r;
    auto& b = r.req_body.value;
    b.cname = krb5::PrincipalName{1, {user}};
    b.realm = "CONTOSO.TEST";
    b.sname = krb5::PrincipalName{2, {"krbtgt", "CONTOSO.TEST"}};
    b.till = krb5::KerberosTime::from_sys(kNow + std::chrono::hours(24));
    b.nonce = 4242;
    b.etype = std::move(etypes);
    return r;
  }

  void add_timestamp(krb5::AsReq& r, SysTime t, const std::string& password = "password") {
    auto key = *crypto::string_to_key(crypto::EncType::kAes256CtsHmacSha196, SecretString(password),
                                      "CONTOSO.TESTalice");
    krb5::PaEncTsEnc ts;
    ts.patimestamp = krb5::KerberosTime::from_sys(t);
    krb5::EncryptedData ed;
    ed.etype = 18;
    ed.cipher =
        *crypto::encrypt(key, crypto::KeyUsage::kAsReqPaEncTimestamp, der::encode(ts), rng_);
    if (!r.padata) r.padata.emplace();
    r.padata->push_back({krb5::padata_type::kEncTimestamp, der::encode(ed)});
  }

  Bytes exchange(const krb5::AsReq& r, bool udp = false) {
    RequestLog log;
    Bytes out = handle_as_req(*env_, der::encode(r), udp, log);
    last_log_ = log;
    return out;
  }

  krb5::KrbError error_of(const Bytes& reply) {
    auto e = der::decode<krb5::KrbError>(reply);
    EXPECT_TRUE(e) << "not a KRB-ERROR";
    return e ? std::move(*e) : krb5::KrbError{};
  }

  crypto::SystemRng rng_;
  FixedClock clock_;
  crypto::MasterKey mk_;
  TempDir dir_;
  std::unique_ptr<store::sqlite::SqliteDirectoryStore> store_;
  store::Domain domain_;
  std::unique_ptr<KdcDirectory> directory_;
  std::unique_ptr<KdcEnv> env_;
  RequestLog last_log_;
};

TEST_F(AsExchange, WithoutPadataAsksForPreauthWithTheExactSalt) {
  auto e = error_of(exchange(request("alice")));
  EXPECT_EQ(e.error_code, 25);
  EXPECT_EQ(e.stime.to_sys(), kNow);
  ASSERT_TRUE(e.e_data.has_value());
  auto md = der::decode<krb5::MethodData>(*e.e_data);
  ASSERT_TRUE(md) << md.error().to_string();
  ASSERT_EQ(md->size(), 2u);
  EXPECT_EQ((*md)[0].padata_type, krb5::padata_type::kEtypeInfo2);
  EXPECT_EQ((*md)[1].padata_type, krb5::padata_type::kEncTimestamp);
  auto info = *der::decode<krb5::EtypeInfo2>((*md)[0].padata_value);
  ASSERT_EQ(info.size(), 1u);
  EXPECT_EQ(info[0].etype, 18);
  EXPECT_EQ(info[0].salt, std::optional<std::string>("CONTOSO.TESTalice"));
  EXPECT_FALSE(info[0].s2kparams.has_value());  // the default 4096 iterations
}

TEST_F(AsExchange, ValidTimestampGetsAnAsRepWhosePartsDecrypt) {
  auto r = request("alice");
  add_timestamp(r, kNow - std::chrono::seconds(100));
  Bytes reply = exchange(r);
  auto rep = der::decode<krb5::AsRep>(reply);
  ASSERT_TRUE(rep) << (der::decode<krb5::KrbError>(reply)
                           ? std::to_string(der::decode<krb5::KrbError>(reply)->error_code)
                           : "?");
  EXPECT_EQ(last_log_.error_code, 0);
  auto key = *crypto::string_to_key(crypto::EncType::kAes256CtsHmacSha196, SecretString("password"),
                                    "CONTOSO.TESTalice");
  auto part = der::decode<krb5::EncAsRepPart>(
      crypto::decrypt(key, crypto::KeyUsage::kAsRepEncPart, rep->enc_part.cipher)->reveal());
  ASSERT_TRUE(part);
  EXPECT_EQ(part->nonce, 4242u);
  EXPECT_EQ(part->endtime.to_sys(), kNow + std::chrono::hours(10));  // domain maximum
  EXPECT_TRUE(part->flags.test(krb5::ticket_flag::kPreAuthent));
  EXPECT_TRUE(part->flags.test(krb5::ticket_flag::kInitial));
  EXPECT_FALSE(part->flags.test(krb5::ticket_flag::kEncPaRep));
  EXPECT_EQ(rep->ticket.enc_part.kvno, std::optional<std::uint32_t>(1));
}

TEST_F(AsExchange, WrongPasswordIsPreauthFailed) {
  auto r = request("alice");
  add_timestamp(r, kNow, "wrong");
  EXPECT_EQ(error_of(exchange(r)).error_code, 24);
}

TEST_F(AsExchange, TimestampOutsideSkewIsSkewWithTheServerTime) {
  auto r = request("alice");
  add_timestamp(r, kNow - std::chrono::minutes(6));
  auto e = error_of(exchange(r));
  EXPECT_EQ(e.error_code, 37);
  EXPECT_EQ(e.stime.to_sys(), kNow);
}

TEST_F(AsExchange, NoCommonEnctypeIsEtypeNosupp) {
  EXPECT_EQ(error_of(exchange(request("alice", {1, 3, 16}))).error_code, 14);
}

TEST_F(AsExchange, OtherRealmIsWrongRealm) {
  auto r = request("alice");
  r.req_body.value.realm = "FABRIKAM.TEST";
  EXPECT_EQ(error_of(exchange(r)).error_code, 68);
}

TEST_F(AsExchange, UnknownServiceIsSPrincipalUnknown) {
  auto r = request("alice");
  r.req_body.value.sname = krb5::PrincipalName{2, {"HTTP", "nowhere.contoso.test"}};
  EXPECT_EQ(error_of(exchange(r)).error_code, 7);
}

TEST_F(AsExchange, BigReplyOverUdpIsResponseTooBig) {
  env_->policy.max_udp_reply = 200;
  auto r = request("alice");
  add_timestamp(r, kNow);
  EXPECT_EQ(error_of(exchange(r, /*udp=*/true)).error_code, 52);
  EXPECT_TRUE(der::decode<krb5::AsRep>(exchange(r, /*udp=*/false)));
}

TEST_F(AsExchange, PacRequestFalseLeavesThePacOut) {
  auto r = request("alice");
  add_timestamp(r, kNow);
  r.padata->push_back({krb5::padata_type::kPacRequest, der::encode(krb5::PaPacRequest{false})});
  auto rep = *der::decode<krb5::AsRep>(exchange(r));
  auto krbtgt = *directory_->krbtgt();
  auto key = *directory_->key(krbtgt, crypto::EncType::kAes256CtsHmacSha196, 0);
  auto etp = *der::decode<krb5::EncTicketPart>(
      crypto::decrypt(*key, crypto::KeyUsage::kKdcRepTicket, rep.ticket.enc_part.cipher)->reveal());
  EXPECT_FALSE(find_pac(etp)->has_value());
}

TEST_F(AsExchange, GarbageGetsAGenericErrorNotACrash) {
  for (const Bytes& junk :
       {Bytes{}, Bytes{0x6a}, Bytes{0x6a, 0x80}, Bytes{0x6a, 0x03, 0x30, 0x01, 0x00}}) {
    RequestLog log;
    Bytes out = handle_as_req(*env_, junk, true, log);
    EXPECT_EQ(error_of(out).error_code, 60);
    EXPECT_EQ(log.error_code, 60);
  }
}

}  // namespace
}  // namespace kb::kdc
