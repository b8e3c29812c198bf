// PAC signatures: generation order, RODC identifier placement, verification and tampering.
#include <gtest/gtest.h>

#include "pac/sign.h"
#include "test_util.h"

namespace kb::pac {
namespace {

using testing::unhex;

crypto::Key key(crypto::EncType e, std::uint8_t fill) {
  Bytes b(crypto::key_length(e), fill);
  auto k = crypto::Key::from_bytes(e, b);
  EXPECT_TRUE(k.has_value());
  return std::move(k).value();
}

Sid sid(std::string_view s) {
  return *Sid::parse(s);
}

// The partial-TGT PAC of protocol-digest D.4: SID only, primary group 513.
Pac rodc_pac() {
  const Sid domain = sid("S-1-5-21-1004336348-1177238915-682003330");
  Pac p;
  KerbValidationInfo li;
  li.logon_time = filetime_from_unix(1700000000);
  li.effective_name = "alice";
  li.user_id = 1104;
  li.primary_group_id = 513;
  li.group_ids = {{513, kGroupAttributesDefault}};
  li.logon_domain_name = "EXAMPLE";
  li.logon_domain_id = domain;
  li.user_account_control = 0x210;
  p.logon_info = li;
  p.client_info = ClientInfo{filetime_from_unix(1700000000), "alice"};
  p.upn_dns_info = UpnDnsInfo{"alice@example.com", "EXAMPLE.COM", kUpnDnsFlagSamNameAndSid,
                              UpnDnsInfo::SamNameAndSid{"alice", domain.with_rid(1104)}};
  p.requestor = domain.with_rid(1104);
  p.attributes_info = AttributesInfo{2, kPacWasRequested};
  return p;
}

constexpr std::uint16_t kRodc = 0x1234;

TEST(PacSign, RodcPacSignedWithAes256Verifies) {
  crypto::Key krbtgt = key(crypto::EncType::kAes256CtsHmacSha196, 0x42);
  auto signed_pac = sign(rodc_pac(), SignKeys{krbtgt, krbtgt, kRodc, std::nullopt});
  ASSERT_TRUE(signed_pac) << signed_pac.error().to_string();
  auto parsed = parse(*signed_pac);
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  const Pac& p = parsed->pac;
  EXPECT_EQ(p.logon_info, rodc_pac().logon_info);
  EXPECT_EQ(p.requestor, rodc_pac().requestor);
  ASSERT_TRUE(p.server_checksum && p.kdc_checksum);
  EXPECT_FALSE(p.ticket_checksum);
  EXPECT_FALSE(p.full_checksum);
  EXPECT_EQ(p.server_checksum->signature_type, 16);
  EXPECT_EQ(p.server_checksum->signature.size(), 12u);
  EXPECT_FALSE(p.server_checksum->rodc_identifier);  // never on the server checksum
  EXPECT_EQ(p.kdc_checksum->signature_type, 16);
  EXPECT_EQ(p.kdc_checksum->rodc_identifier, kRodc);
  EXPECT_EQ(parsed->find(BufferType::kPrivsvrChecksum)->size, 4u + 12u + 2u);
  auto ok = verify(*parsed, VerifyKeys{krbtgt, &krbtgt, std::nullopt, kRodc});
  EXPECT_TRUE(ok) << ok.error().to_string();

  crypto::Key other = key(crypto::EncType::kAes256CtsHmacSha196, 0x43);
  EXPECT_TRUE(verify(*parsed, VerifyKeys{other, &krbtgt}).error().is(Errc::kBadSignature));
  EXPECT_TRUE(verify(*parsed, VerifyKeys{krbtgt, &other}).error().is(Errc::kBadSignature));
  EXPECT_TRUE(verify(*parsed, VerifyKeys{krbtgt, &krbtgt, std::nullopt, 0x1235})
                  .error()
                  .is(Errc::kRodcIdentifierMismatch));
}

TEST(PacSign, AnySingleByteChangeIsDetected) {
  crypto::Key krbtgt = key(crypto::EncType::kAes256CtsHmacSha196, 0x42);
  Bytes good = *sign(rodc_pac(), SignKeys{krbtgt, krbtgt, kRodc, std::nullopt});
  for (std::size_t i = 0; i < good.size(); ++i) {
    Bytes bad = good;
    bad[i] ^= 0x01;
    auto parsed = parse(bad);
    if (!parsed) continue;  // rejected by the parser: detected
    auto r = verify(*parsed, VerifyKeys{krbtgt, &krbtgt, std::nullopt, kRodc});
    EXPECT_FALSE(r) << "byte " << i << " changed and the PAC still verifies";
  }
}

TEST(PacSign, ServerSignatureCoversPacWithWholeKdcSignatureZeroed) {
  // protocol-digest I: the RODCIdentifier slot is zeroed too when checksumming.
  crypto::Key krbtgt = key(crypto::EncType::kAes256CtsHmacSha196, 0x42);
  Bytes good = *sign(rodc_pac(), SignKeys{krbtgt, krbtgt, kRodc, std::nullopt});
  auto parsed = parse(good);
  ASSERT_TRUE(parsed);
  Bytes zeroed = good;
  for (auto type : {BufferType::kServerChecksum, BufferType::kPrivsvrChecksum}) {
    const InfoBuffer* b = parsed->find(type);
    std::fill(zeroed.begin() + static_cast<std::ptrdiff_t>(b->offset + 4),
              zeroed.begin() + static_cast<std::ptrdiff_t>(b->offset + b->size), 0);
  }
  auto expect = crypto::make_checksum(krbtgt, crypto::KeyUsage::kPacChecksum, zeroed);
  ASSERT_TRUE(expect);
  EXPECT_EQ(parsed->pac.server_checksum->signature, *expect);
  auto kdc = crypto::make_checksum(krbtgt, crypto::KeyUsage::kPacChecksum,
                                   parsed->pac.server_checksum->signature);
  EXPECT_EQ(parsed->pac.kdc_checksum->signature, *kdc);
}

TEST(PacSign, ServiceTicketGetsTicketAndFullChecksumsInOrder) {
  crypto::Key service = key(crypto::EncType::kAes128CtsHmacSha196, 0x11);
  crypto::Key krbtgt = key(crypto::EncType::kAes256CtsHmacSha196, 0x22);
  const Bytes enc_ticket_part = unhex("63 06 30 04 a0 02 05 00");  // opaque to the PAC code
  auto signed_pac = sign(rodc_pac(), SignKeys{service, krbtgt, kRodc, ByteView(enc_ticket_part)});
  ASSERT_TRUE(signed_pac) << signed_pac.error().to_string();
  auto parsed = parse(*signed_pac);
  ASSERT_TRUE(parsed);
  const Pac& p = parsed->pac;
  ASSERT_TRUE(p.ticket_checksum && p.full_checksum);
  EXPECT_EQ(p.server_checksum->signature_type, 15);  // AES128 service key
  EXPECT_EQ(p.kdc_checksum->signature_type, 16);
  EXPECT_EQ(p.ticket_checksum->rodc_identifier, kRodc);
  EXPECT_EQ(p.full_checksum->rodc_identifier, kRodc);
  EXPECT_FALSE(p.server_checksum->rodc_identifier);

  // Ticket checksum: krbtgt key over the caller's bytes.
  EXPECT_EQ(p.ticket_checksum->signature,
            *crypto::make_checksum(krbtgt, crypto::KeyUsage::kPacChecksum, enc_ticket_part));
  // Full checksum: over the PAC with server, KDC and full zeroed; the ticket checksum and
  // its RODCIdentifier were already in place (MS-PAC 2.8.1 order).
  Bytes z = *signed_pac;
  auto zero = [&](BufferType t) {
    const InfoBuffer* b = parsed->find(t);
    std::fill(z.begin() + static_cast<std::ptrdiff_t>(b->offset + 4),
              z.begin() + static_cast<std::ptrdiff_t>(b->offset + b->size), 0);
  };
  zero(BufferType::kServerChecksum);
  zero(BufferType::kPrivsvrChecksum);
  Bytes server_input = z;
  zero(BufferType::kFullChecksum);
  EXPECT_EQ(p.full_checksum->signature,
            *crypto::make_checksum(krbtgt, crypto::KeyUsage::kPacChecksum, z));
  // Server checksum covers the filled ticket and full checksums (with their RODC ids).
  EXPECT_EQ(p.server_checksum->signature,
            *crypto::make_checksum(service, crypto::KeyUsage::kPacChecksum, server_input));

  auto ok = verify(*parsed, VerifyKeys{service, &krbtgt, ByteView(enc_ticket_part), kRodc});
  EXPECT_TRUE(ok) << ok.error().to_string();
  const Bytes other_ticket = unhex("63 06 30 04 a0 02 05 01");
  EXPECT_TRUE(verify(*parsed, VerifyKeys{service, &krbtgt, ByteView(other_ticket)})
                  .error()
                  .is(Errc::kBadSignature));
}

TEST(PacSign, TicketChecksumRequiredWhenAskedFor) {
  crypto::Key krbtgt = key(crypto::EncType::kAes256CtsHmacSha196, 0x42);
  auto parsed = parse(*sign(rodc_pac(), SignKeys{krbtgt, krbtgt, std::nullopt, std::nullopt}));
  ASSERT_TRUE(parsed);
  const Bytes ticket = unhex("00");
  EXPECT_TRUE(verify(*parsed, VerifyKeys{krbtgt, &krbtgt, ByteView(ticket)})
                  .error()
                  .is(Errc::kMissingBuffer));
  EXPECT_TRUE(verify(*parsed, VerifyKeys{krbtgt, &krbtgt}));
}

TEST(PacSign, ChecksumTypeFollowsTheKeyAndMismatchIsRejected) {
  struct Case {
    crypto::EncType enctype;
    std::int32_t cksumtype;
    std::size_t length;
  };
  const Case cases[] = {
      {crypto::EncType::kAes128CtsHmacSha196, 15, 12},
      {crypto::EncType::kAes256CtsHmacSha196, 16, 12},
      {crypto::EncType::kAes128CtsHmacSha256128, 19, 16},
      {crypto::EncType::kAes256CtsHmacSha384192, 20, 24},
      {crypto::EncType::kRc4Hmac, -138, 16},
  };
  for (const auto& c : cases) {
    crypto::Key k = key(c.enctype, 0x33);
    auto parsed = parse(*sign(rodc_pac(), SignKeys{k, k, std::nullopt, std::nullopt}));
    ASSERT_TRUE(parsed) << c.cksumtype;
    EXPECT_EQ(parsed->pac.server_checksum->signature_type, c.cksumtype);
    EXPECT_EQ(parsed->pac.server_checksum->signature.size(), c.length);
    EXPECT_TRUE(verify(*parsed, VerifyKeys{k, &k})) << c.cksumtype;
  }
  // A signature typed for another enctype family is refused before any MAC is computed.
  crypto::Key aes128 = key(crypto::EncType::kAes128CtsHmacSha196, 0x33);
  crypto::Key aes256 = key(crypto::EncType::kAes256CtsHmacSha196, 0x33);
  auto parsed = parse(*sign(rodc_pac(), SignKeys{aes128, aes128, std::nullopt, std::nullopt}));
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(verify(*parsed, VerifyKeys{aes256, &aes256}).error().is(Errc::kBadSignatureType));
}

TEST(PacSign, MissingSignatureBuffersAreReported) {
  crypto::Key k = key(crypto::EncType::kAes256CtsHmacSha196, 0x42);
  auto unsigned_pac = parse(*encode(rodc_pac()));
  ASSERT_TRUE(unsigned_pac);
  EXPECT_TRUE(verify(*unsigned_pac, VerifyKeys{k, &k}).error().is(Errc::kMissingBuffer));
}

TEST(PacSign, SignIgnoresSignaturesInItsInputAndReSignRoundTrips) {
  crypto::Key k = key(crypto::EncType::kAes256CtsHmacSha196, 0x42);
  Pac p = rodc_pac();
  p.full_checksum = SignatureData{16, Bytes(12, 9), std::nullopt};  // stale: dropped
  auto first = parse(*sign(p, SignKeys{k, k, std::nullopt, std::nullopt}));
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->pac.full_checksum);
  // parse -> sign -> parse -> verify.
  auto second = parse(*sign(first->pac, SignKeys{k, k, std::nullopt, std::nullopt}));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->pac, first->pac);  // AES checksums are deterministic
  EXPECT_TRUE(verify(*second, VerifyKeys{k, &k}));
}

}  // namespace
}  // namespace kb::pac
