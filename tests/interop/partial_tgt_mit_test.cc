// A real peer judges the partial TGT: MIT klist reads it from a credential cache, MIT kvno
// decrypts it with a keytab holding the Kerberos server object's key under the RODC kvno,
// and libkrb5's PAC code (krb5_pac_parse, krb5_pac_verify) checks the PAC's client info and
// its server and KDC signatures. Our own decoder agreeing with our encoder proves nothing;
// these do.
#include <gtest/gtest.h>
#include <krb5/krb5.h>

#include "cloud/partial_tgt.h"
#include "formats/ccache.h"
#include "formats/keytab.h"
#include "kdc/ticket_seal.h"
#include "mit_krb5.h"
#include "process.h"

namespace kb::cloud {
namespace {

using kb::testing::run;
using kb::testing::TempDir;

std::uint32_t unix_seconds(const krb5::KerberosTime& t) {
  return static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(t.to_sys().time_since_epoch()).count());
}

struct Minted {
  PartialTgt tgt;
  krb5::AsRep rep;
  krb5::EncAsRepPart part;
};

class PartialTgtMit : public ::testing::Test {
 protected:
  PartialTgtMit() : server_key_(crypto::Key::random(crypto::EncType::kAes256CtsHmacSha196, rng_)) {
    user_ = {"alice", "alice@contoso.test", "contoso.test", "CONTOSO",
             *pac::Sid::parse("S-1-5-21-3623811015-3361044348-30300820-1105")};
    conf_ = (dir_.path() / "krb5.conf").string();
    // The KDC address is a closed port: nothing here may need a KDC.
    std::string text =
        "[libdefaults]\n default_realm = CONTOSO.TEST\n dns_lookup_kdc = false\n"
        "[realms]\n CONTOSO.TEST = {\n  kdc = 127.0.0.1:9\n }\n";
    EXPECT_TRUE(formats::write_private_file(conf_, as_bytes(text)));
  }

  Minted mint(std::uint16_t branch, std::uint16_t version) {
    SystemClock clock;
    auto t = mint_partial_tgt(user_, {branch, version, &server_key_}, {}, clock, rng_);
    EXPECT_TRUE(t) << t.error().to_string();
    auto rep = *der::decode<krb5::AsRep>(t->as_rep);
    auto plain =
        crypto::decrypt(t->client_key, crypto::KeyUsage::kAsRepEncPart, rep.enc_part.cipher);
    auto part = *der::decode<krb5::EncAsRepPart>(plain->reveal());
    return {std::move(*t), std::move(rep), std::move(part)};
  }

  // The credential cache a client would hold after unwrapping the partial TGT.
  std::string write_ccache(const Minted& m) {
    formats::Ccache c;
    c.default_principal = {1, "CONTOSO.TEST", {"alice"}};
    formats::CcacheCredential cr;
    cr.client = c.default_principal;
    cr.server = {2, "CONTOSO.TEST", {"krbtgt", "CONTOSO.TEST"}};
    cr.enctype = static_cast<std::uint16_t>(m.part.key.keytype);
    cr.key = m.part.key.keyvalue.clone();
    cr.authtime = unix_seconds(m.part.authtime);
    cr.starttime = unix_seconds(*m.part.starttime);
    cr.endtime = unix_seconds(m.part.endtime);
    cr.renew_till = unix_seconds(*m.part.renew_till);
    cr.ticket_flags = m.part.flags.bits;
    cr.ticket = der::encode(m.rep.ticket);
    c.credentials.push_back(std::move(cr));
    std::string path = (dir_.path() / "ccache").string();
    EXPECT_TRUE(formats::write_private_file(path, *formats::encode_ccache(c)));
    return "FILE:" + path;
  }

  std::string write_keytab(const crypto::Key& key, std::uint32_t kvno) {
    std::vector<formats::KeytabEntry> kt;
    formats::KeytabEntry e;
    e.components = {"krbtgt", "CONTOSO.TEST"};
    e.realm = "CONTOSO.TEST";
    e.name_type = 2;
    e.kvno = kvno;
    e.enctype = 18;
    e.key = key.bytes().clone();
    kt.push_back(std::move(e));
    std::string path = (dir_.path() / "krbtgt.keytab").string();
    EXPECT_TRUE(formats::write_private_file(path, *formats::encode_keytab(kt)));
    return path;
  }

  std::map<std::string, std::string> env() const {
    return {{"KRB5_CONFIG", conf_}, {"LC_ALL", "C"}};
  }

  crypto::SystemRng rng_;
  crypto::Key server_key_;
  OnPremUser user_;
  TempDir dir_;
  std::string conf_;
};

TEST_F(PartialTgtMit, KlistReadsTheTicketAndKvnoDecryptsItWithTheServerKey) {
  for (std::uint16_t branch : {std::uint16_t{0x1234}, std::uint16_t{0x8001}}) {
    SCOPED_TRACE(branch);
    Minted m = mint(branch, 2);
    std::string cc = write_ccache(m);
    auto k = run({"klist", "-e", "-f", "-c", cc}, env());
    ASSERT_EQ(k.exit_code, 0) << k.out;
    EXPECT_NE(k.out.find("Default principal: alice@CONTOSO.TEST"), std::string::npos) << k.out;
    EXPECT_NE(k.out.find("Flags: FRIA"), std::string::npos) << k.out;
    EXPECT_NE(k.out.find("Etype (skey, tkt): aes256-cts-hmac-sha1-96, aes256-cts-hmac-sha1-96"),
              std::string::npos)
        << k.out;

    std::uint32_t kvno = rodc_kvno(branch, 2);
    auto v = run({"kvno", "-c", cc, "-k", write_keytab(server_key_, kvno),
                  "krbtgt/CONTOSO.TEST@CONTOSO.TEST"},
                 env());
    EXPECT_EQ(v.exit_code, 0) << v.out;
    // MIT prints the kvno as a signed 32-bit number, as Windows reads it.
    EXPECT_NE(v.out.find("kvno = " + std::to_string(static_cast<std::int32_t>(kvno)) +
                         ", keytab entry valid"),
              std::string::npos)
        << v.out;
  }
}

TEST_F(PartialTgtMit, KvnoRefusesTheTicketUnderAnotherKey) {
  Minted m = mint(0x1234, 2);
  std::string cc = write_ccache(m);
  crypto::Key other = crypto::Key::random(crypto::EncType::kAes256CtsHmacSha196, rng_);
  auto v = run({"kvno", "-c", cc, "-k", write_keytab(other, rodc_kvno(0x1234, 2)),
                "krbtgt/CONTOSO.TEST@CONTOSO.TEST"},
               env());
  EXPECT_NE(v.exit_code, 0) << v.out;
  EXPECT_EQ(v.out.find("keytab entry valid"), std::string::npos) << v.out;
}

class MitContext {
 public:
  MitContext() { EXPECT_EQ(krb5_init_context(&ctx_), 0); }
  ~MitContext() { krb5_free_context(ctx_); }
  krb5_context get() const { return ctx_; }

 private:
  krb5_context ctx_ = nullptr;
};

using kb::testing::mit_keyblock;

TEST_F(PartialTgtMit, LibKrb5VerifiesTheRodcSignedPac) {
  Minted m = mint(0x1234, 2);
  auto etp = *der::decode<krb5::EncTicketPart>(
      crypto::decrypt(server_key_, crypto::KeyUsage::kKdcRepTicket, m.rep.ticket.enc_part.cipher)
          ->reveal());
  Bytes pac_bytes = **kdc::find_pac(etp);

  MitContext mit;
  krb5_pac pac = nullptr;
  ASSERT_EQ(krb5_pac_parse(mit.get(), pac_bytes.data(), pac_bytes.size(), &pac), 0);
  krb5_principal client = nullptr;
  ASSERT_EQ(krb5_parse_name(mit.get(), "alice@CONTOSO.TEST", &client), 0);
  krb5_keyblock key = mit_keyblock(server_key_);
  const auto authtime = static_cast<krb5_timestamp>(unix_seconds(etp.authtime));

  // Server signature, KDC signature (carrying the RODC identifier) and CLIENT_INFO.
  krb5_error_code rc = krb5_pac_verify(mit.get(), pac, authtime, client, &key, &key);
  EXPECT_EQ(rc, 0) << krb5_get_error_message(mit.get(), rc);

  // MIT refuses it under another key and for another client name or authtime.
  crypto::Key other = crypto::Key::random(crypto::EncType::kAes256CtsHmacSha196, rng_);
  krb5_keyblock wrong = mit_keyblock(other);
  EXPECT_NE(krb5_pac_verify(mit.get(), pac, authtime, client, &wrong, nullptr), 0);
  EXPECT_NE(krb5_pac_verify(mit.get(), pac, authtime, client, &key, &wrong), 0);
  EXPECT_NE(krb5_pac_verify(mit.get(), pac, authtime + 1, client, &key, &key), 0);
  krb5_principal bob = nullptr;
  ASSERT_EQ(krb5_parse_name(mit.get(), "bob@CONTOSO.TEST", &bob), 0);
  EXPECT_NE(krb5_pac_verify(mit.get(), pac, authtime, bob, &key, &key), 0);

  // The buffers MIT sees: LOGON_INFO 1, CLIENT_INFO 10, UPN_DNS_INFO 12, ATTRIBUTES 17,
  // REQUESTOR 18, server 6 and KDC 7 signatures, and nothing else.
  krb5_ui_4* types = nullptr;
  size_t n = 0;
  ASSERT_EQ(krb5_pac_get_types(mit.get(), pac, &n, &types), 0);
  std::vector<std::uint32_t> got(types, types + n);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::uint32_t>{1, 6, 7, 10, 12, 17, 18}));
  free(types);
  krb5_free_principal(mit.get(), bob);
  krb5_free_principal(mit.get(), client);
  krb5_pac_free(mit.get(), pac);
}

}  // namespace
}  // namespace kb::cloud
