// The partial TGT, checked the way a writable DC and the sign-in client will read it:
// decode the AS-REP, decrypt the reply with the client key, decrypt the ticket with the
// Kerberos server object's key, find and verify the RODC-signed PAC.
#include "cloud/partial_tgt.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "kdc/ticket_seal.h"
#include "pac/pac.h"
#include "pac/sign.h"

namespace kb::cloud {
namespace {

using krb5::ticket_flag::kEncPaRep;
using krb5::ticket_flag::kForwardable;
using krb5::ticket_flag::kInitial;
using krb5::ticket_flag::kPreAuthent;
using krb5::ticket_flag::kRenewable;

const SysTime kNow{std::chrono::seconds(1800000000)};

class PartialTgtTest : public ::testing::Test {
 protected:
  PartialTgtTest()
      : clock_(kNow),
        server_key_(crypto::Key::random(crypto::EncType::kAes256CtsHmacSha196, rng_)) {
    user_.sam_account_name = "alice";
    user_.user_principal_name = "alice@contoso.test";
    user_.dns_domain_name = "contoso.test";
    user_.netbios_domain_name = "CONTOSO";
    user_.sid = *pac::Sid::parse("S-1-5-21-1004336348-1177238915-682003330-1105");
  }

  PartialTgt mint(std::uint16_t branch = 0x1234, std::uint16_t version = 3) {
    KerberosServerKey server{branch, version, &server_key_};
    auto r = mint_partial_tgt(user_, server, PartialTgtPolicy{}, clock_, rng_);
    EXPECT_TRUE(r) << r.error().to_string();
    return std::move(*r);
  }

  crypto::SystemRng rng_;
  FixedClock clock_;
  crypto::Key server_key_;
  OnPremUser user_;
};

TEST_F(PartialTgtTest, AsRepDecryptsWithTheClientKeyAndNamesTheUser) {
  PartialTgt t = mint();
  auto rep = der::decode<krb5::AsRep>(t.as_rep);
  ASSERT_TRUE(rep) << rep.error().to_string();
  EXPECT_EQ(rep->crealm, "CONTOSO.TEST");
  EXPECT_EQ(rep->cname, (krb5::PrincipalName{1, {"alice"}}));
  EXPECT_EQ(rep->enc_part.etype, 18);
  EXPECT_FALSE(rep->enc_part.kvno.has_value());
  auto plain = crypto::decrypt(t.client_key, crypto::KeyUsage::kAsRepEncPart, rep->enc_part.cipher);
  ASSERT_TRUE(plain) << plain.error().to_string();
  auto part = der::decode<krb5::EncAsRepPart>(plain->reveal());
  ASSERT_TRUE(part) << part.error().to_string();
  EXPECT_EQ(part->key.keytype, 18);
  EXPECT_EQ(part->key.keyvalue.size(), 32u);
  EXPECT_EQ(part->srealm, "CONTOSO.TEST");
  EXPECT_EQ(part->sname, (krb5::PrincipalName{2, {"krbtgt", "CONTOSO.TEST"}}));
  EXPECT_EQ(part->authtime.to_sys(), kNow);
  EXPECT_EQ(part->endtime.to_sys(), kNow + std::chrono::hours(10));
  ASSERT_TRUE(part->renew_till.has_value());
  EXPECT_EQ(part->renew_till->to_sys(), kNow + std::chrono::hours(24 * 7));
  EXPECT_TRUE(part->flags.test(kForwardable) && part->flags.test(kRenewable) &&
              part->flags.test(kInitial) && part->flags.test(kPreAuthent));
  EXPECT_FALSE(part->flags.test(kEncPaRep));
  // The client key cannot be confused with the session key.
  EXPECT_FALSE(part->key.keyvalue == t.client_key.bytes());
}

TEST_F(PartialTgtTest, TicketHasRodcKvnoAndDecryptsOnlyWithTheServerKey) {
  PartialTgt t = mint(0x1234, 3);
  auto rep = *der::decode<krb5::AsRep>(t.as_rep);
  EXPECT_EQ(rep.ticket.realm, "CONTOSO.TEST");
  EXPECT_EQ(rep.ticket.sname, (krb5::PrincipalName{2, {"krbtgt", "CONTOSO.TEST"}}));
  EXPECT_EQ(rep.ticket.enc_part.etype, 18);
  EXPECT_EQ(rep.ticket.enc_part.kvno, std::optional<std::uint32_t>(0x12340003u));
  auto plain =
      crypto::decrypt(server_key_, crypto::KeyUsage::kKdcRepTicket, rep.ticket.enc_part.cipher);
  ASSERT_TRUE(plain) << plain.error().to_string();
  auto etp = der::decode<krb5::EncTicketPart>(plain->reveal());
  ASSERT_TRUE(etp);
  EXPECT_EQ(etp->cname, (krb5::PrincipalName{1, {"alice"}}));
  EXPECT_EQ(etp->crealm, "CONTOSO.TEST");
  EXPECT_FALSE(etp->flags.test(kEncPaRep));

  // The session key in the ticket is the one the client got.
  auto part = *der::decode<krb5::EncAsRepPart>(
      crypto::decrypt(t.client_key, crypto::KeyUsage::kAsRepEncPart, rep.enc_part.cipher)
          ->reveal());
  EXPECT_TRUE(etp->key.keyvalue == part.key.keyvalue);

  crypto::Key other = crypto::Key::random(crypto::EncType::kAes256CtsHmacSha196, rng_);
  auto wrong = crypto::decrypt(other, crypto::KeyUsage::kKdcRepTicket, rep.ticket.enc_part.cipher);
  ASSERT_FALSE(wrong);
  EXPECT_TRUE(wrong.error().is(crypto::Errc::kIntegrity));
}

TEST_F(PartialTgtTest, BranchAbove32767GoesOutAsNegativeFourByteKvno) {
  PartialTgt t = mint(0x8001, 1);
  // EncryptedData.kvno [1] INTEGER: a1 06 02 04 80 01 00 01 (digest D.2 and I: Samba fails
  // to decode the positive 5-byte form).
  const Bytes expected = {0xa1, 0x06, 0x02, 0x04, 0x80, 0x01, 0x00, 0x01};
  EXPECT_NE(std::search(t.as_rep.begin(), t.as_rep.end(), expected.begin(), expected.end()),
            t.as_rep.end());
  EXPECT_EQ(der::decode<krb5::AsRep>(t.as_rep)->ticket.enc_part.kvno,
            std::optional<std::uint32_t>(0x80010001u));
}

TEST_F(PartialTgtTest, PacIsMinimalAndSignedAsTheRodcOfTheBranch) {
  PartialTgt t = mint(0x1234, 3);
  auto rep = *der::decode<krb5::AsRep>(t.as_rep);
  auto etp = *der::decode<krb5::EncTicketPart>(
      crypto::decrypt(server_key_, crypto::KeyUsage::kKdcRepTicket, rep.ticket.enc_part.cipher)
          ->reveal());
  // The PAC is the first authorization-data element.
  ASSERT_TRUE(etp.authorization_data && !etp.authorization_data->empty());
  EXPECT_EQ((*etp.authorization_data)[0].ad_type, krb5::ad_type::kIfRelevant);
  auto pac_bytes = kdc::find_pac(etp);
  ASSERT_TRUE(pac_bytes && pac_bytes->has_value());
  auto parsed = pac::parse(**pac_bytes);
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  const pac::Pac& p = parsed->pac;

  auto ok = pac::verify(*parsed, {server_key_, &server_key_, std::nullopt, 0x1234});
  EXPECT_TRUE(ok) << ok.error().to_string();
  ASSERT_TRUE(p.kdc_checksum.has_value());
  EXPECT_EQ(p.kdc_checksum->signature_type, 16);  // hmac-sha1-96-aes256
  EXPECT_EQ(p.kdc_checksum->rodc_identifier, std::optional<std::uint16_t>(0x1234));
  ASSERT_TRUE(p.server_checksum.has_value());
  EXPECT_FALSE(p.server_checksum->rodc_identifier.has_value());  // never on the server sig
  EXPECT_FALSE(p.ticket_checksum.has_value());                   // a TGT carries none
  EXPECT_FALSE(p.full_checksum.has_value());

  ASSERT_TRUE(p.logon_info.has_value());
  EXPECT_EQ(*p.logon_info->user_sid(), user_.sid);
  EXPECT_EQ(p.logon_info->primary_group_id, 513u);
  ASSERT_EQ(p.logon_info->group_ids.size(), 1u);
  EXPECT_EQ(p.logon_info->group_ids[0].relative_id, 513u);
  EXPECT_TRUE(p.logon_info->extra_sids.empty());
  EXPECT_EQ(p.logon_info->effective_name, "alice");
  EXPECT_EQ(p.logon_info->logon_domain_name, "CONTOSO");
  ASSERT_TRUE(p.client_info.has_value());
  EXPECT_EQ(p.client_info->name, "alice");
  EXPECT_EQ(pac::unix_from_filetime(p.client_info->client_id), 1800000000);  // = authtime
  ASSERT_TRUE(p.upn_dns_info && p.upn_dns_info->sam_name_and_sid);
  EXPECT_EQ(p.upn_dns_info->upn, "alice@contoso.test");
  EXPECT_EQ(p.upn_dns_info->dns_domain_name, "CONTOSO.TEST");
  EXPECT_EQ(p.upn_dns_info->sam_name_and_sid->sid, user_.sid);
  EXPECT_EQ(p.requestor, std::optional<pac::Sid>(user_.sid));
  ASSERT_TRUE(p.attributes_info.has_value());
  EXPECT_EQ(p.attributes_info->flags, pac::kPacWasRequested);
}

TEST_F(PartialTgtTest, PacDoesNotVerifyUnderAnotherKeyOrBranch) {
  PartialTgt t = mint(0x1234, 3);
  auto rep = *der::decode<krb5::AsRep>(t.as_rep);
  auto etp = *der::decode<krb5::EncTicketPart>(
      crypto::decrypt(server_key_, crypto::KeyUsage::kKdcRepTicket, rep.ticket.enc_part.cipher)
          ->reveal());
  auto parsed = *pac::parse(**kdc::find_pac(etp));
  crypto::Key other = crypto::Key::random(crypto::EncType::kAes256CtsHmacSha196, rng_);
  EXPECT_FALSE(pac::verify(parsed, {other, &other}));
  EXPECT_FALSE(pac::verify(parsed, {server_key_, &server_key_, std::nullopt, 0x4321}));
}

TEST_F(PartialTgtTest, RefusesWhatItCannotMint) {
  KerberosServerKey no_key{0x10, 1, nullptr};
  EXPECT_FALSE(mint_partial_tgt(user_, no_key, {}, clock_, rng_));
  KerberosServerKey no_branch{0, 1, &server_key_};
  EXPECT_FALSE(mint_partial_tgt(user_, no_branch, {}, clock_, rng_));
  OnPremUser unsynced = user_;
  unsynced.sam_account_name.clear();
  EXPECT_FALSE(mint_partial_tgt(unsynced, {0x10, 1, &server_key_}, {}, clock_, rng_));
}

TEST_F(PartialTgtTest, EachMintHasFreshKeys) {
  PartialTgt a = mint();
  PartialTgt b = mint();
  EXPECT_FALSE(a.client_key.bytes() == b.client_key.bytes());
  EXPECT_NE(a.as_rep, b.as_rep);
}

}  // namespace
}  // namespace kb::cloud
