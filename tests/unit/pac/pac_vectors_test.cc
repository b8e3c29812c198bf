// Known-answer tests against PACs published by other implementations (sources in
// tests/data/pac/*.hex): every field decoded, signatures verified with the published keys.
#include <gtest/gtest.h>

#include "pac/pac.h"
#include "pac/sign.h"
#include "test_util.h"

namespace kb::pac {
namespace {

using testing::load_hex;
using testing::unhex;

crypto::Key key(crypto::EncType e, std::string_view hex) {
  auto k = crypto::Key::from_bytes(e, unhex(hex));
  EXPECT_TRUE(k.has_value());
  return std::move(k).value();
}

Sid sid(std::string_view s) {
  return *Sid::parse(s);
}

// MIT t_pac.c saved_pac (from Samba's torture suite): a Windows 2003 DC's machine account.
TEST(PacVectors, SambaSavedPacDecodesEveryField) {
  Bytes raw = load_hex("saved_pac.hex");
  auto parsed = parse(raw);
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  ASSERT_EQ(parsed->buffers.size(), 4u);
  EXPECT_EQ(parsed->buffers[0].type, 1u);
  EXPECT_EQ(parsed->buffers[0].size, 472u);  // t_pac.c type_1_length
  EXPECT_EQ(parsed->buffers[0].offset, 72u);

  const Pac& pac = parsed->pac;
  ASSERT_TRUE(pac.logon_info);
  const KerbValidationInfo& li = *pac.logon_info;
  EXPECT_EQ(li.logon_time, 0x01c57d4fcba6df30u);
  EXPECT_EQ(li.logoff_time, kFileTimeNever);
  EXPECT_EQ(li.kick_off_time, kFileTimeNever);
  EXPECT_EQ(li.password_last_set, 0x01c57362594e3cc0u);
  EXPECT_EQ(li.password_can_change, 0x01c57362594e3cc0u);
  EXPECT_EQ(li.password_must_change, kFileTimeNever);
  EXPECT_EQ(li.effective_name, "W2003FINAL$");
  EXPECT_EQ(li.full_name, "");
  EXPECT_EQ(li.logon_script, "");
  EXPECT_EQ(li.profile_path, "");
  EXPECT_EQ(li.home_directory, "");
  EXPECT_EQ(li.home_directory_drive, "");
  EXPECT_EQ(li.logon_count, 101);
  EXPECT_EQ(li.bad_password_count, 0);
  EXPECT_EQ(li.user_id, 1005u);
  EXPECT_EQ(li.primary_group_id, 516u);  // Domain Controllers
  ASSERT_EQ(li.group_ids.size(), 1u);
  EXPECT_EQ(li.group_ids[0], (GroupMembership{516, kGroupAttributesDefault}));
  EXPECT_EQ(li.user_flags, kUserFlagExtraSids);
  EXPECT_EQ(li.user_session_key, (std::array<std::uint8_t, 16>{}));
  EXPECT_EQ(li.logon_server, "W2003FINAL");
  EXPECT_EQ(li.logon_domain_name, "WIN2K3THINK");
  ASSERT_TRUE(li.logon_domain_id);
  EXPECT_EQ(li.logon_domain_id->to_string(), "S-1-5-21-3048156945-3961193616-3706469200");
  EXPECT_EQ(li.reserved1, (std::array<std::uint32_t, 2>{0, 0}));
  EXPECT_EQ(li.user_account_control, 0x2100u);  // server trust + trusted for delegation
  EXPECT_EQ(li.sub_auth_status, 0u);
  EXPECT_EQ(li.last_successful_i_logon, 0u);
  EXPECT_EQ(li.last_failed_i_logon, 0u);
  EXPECT_EQ(li.failed_i_logon_count, 0u);
  EXPECT_EQ(li.reserved3, 0u);
  ASSERT_EQ(li.extra_sids.size(), 1u);
  EXPECT_EQ(li.extra_sids[0].sid, sid("S-1-5-9"));  // Enterprise Domain Controllers
  EXPECT_EQ(li.extra_sids[0].attributes, kGroupAttributesDefault);
  EXPECT_FALSE(li.resource_group_domain_sid);
  EXPECT_TRUE(li.resource_group_ids.empty());
  EXPECT_EQ(li.user_sid()->to_string(), "S-1-5-21-3048156945-3961193616-3706469200-1005");

  ASSERT_TRUE(pac.client_info);
  EXPECT_EQ(pac.client_info->name, "w2003final$");
  EXPECT_EQ(pac.client_info->client_id, filetime_from_unix(1120440609));  // t_pac.c authtime
  EXPECT_FALSE(pac.upn_dns_info);
  EXPECT_FALSE(pac.requestor);
  EXPECT_TRUE(pac.other.empty());

  ASSERT_TRUE(pac.server_checksum && pac.kdc_checksum);
  EXPECT_EQ(pac.server_checksum->signature_type, -138);
  EXPECT_EQ(pac.server_checksum->signature, unhex("37d5b0f724f0d6d4ec09865aa0e8c3a9"));
  EXPECT_FALSE(pac.server_checksum->rodc_identifier);
  EXPECT_EQ(pac.kdc_checksum->signature_type, -138);
  EXPECT_EQ(pac.kdc_checksum->signature, unhex("b4d8b8fe83b3133ffc5c41ade26483e0"));
}

const char kSavedPacServerKey[] = "D217FAEAE5E6B5F95CCC94077AB8A5FC";
const char kSavedPacKdcKey[] = "B286757148AF7FD252C53603A150B7E7";

TEST(PacVectors, SambaSavedPacSignaturesVerifyWithRc4Keys) {
  auto parsed = parse(load_hex("saved_pac.hex"));
  ASSERT_TRUE(parsed);
  crypto::Key server = key(crypto::EncType::kRc4Hmac, kSavedPacServerKey);
  crypto::Key kdc = key(crypto::EncType::kRc4Hmac, kSavedPacKdcKey);
  auto ok = verify(*parsed, VerifyKeys{server, &kdc});
  EXPECT_TRUE(ok) << ok.error().to_string();

  // Swapped keys fail on the server signature.
  auto bad = verify(*parsed, VerifyKeys{kdc, &server});
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().is(Errc::kBadSignature));
}

TEST(PacVectors, SambaSavedPacContentsReSignAndVerify) {
  // parse -> sign -> parse -> verify keeps every decoded field. (The bytes differ from the
  // sample: Samba wrote MaximumLength = Length + 2 for LogonServer/LogonDomainName.)
  auto parsed = parse(load_hex("saved_pac.hex"));
  ASSERT_TRUE(parsed);
  crypto::Key server = key(crypto::EncType::kRc4Hmac, kSavedPacServerKey);
  crypto::Key kdc = key(crypto::EncType::kRc4Hmac, kSavedPacKdcKey);
  auto resigned = sign(parsed->pac, SignKeys{server, kdc});
  ASSERT_TRUE(resigned) << resigned.error().to_string();
  auto reparsed = parse(*resigned);
  ASSERT_TRUE(reparsed);
  Pac a = parsed->pac, b = reparsed->pac;
  for (Pac* p : {&a, &b}) p->server_checksum = p->kdc_checksum = std::nullopt;
  EXPECT_EQ(a, b);
  EXPECT_TRUE(verify(*reparsed, VerifyKeys{server, &kdc}));
}

// MIT t_pac.c s4u_pac_regular: a Windows Server 2008 S4U2Self PAC with UPN_DNS_INFO.
TEST(PacVectors, Windows2008S4uPacDecodesEveryField) {
  auto parsed = parse(load_hex("s4u_pac_regular.hex"));
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  const Pac& pac = parsed->pac;
  ASSERT_TRUE(pac.logon_info);
  const KerbValidationInfo& li = *pac.logon_info;
  EXPECT_EQ(li.logon_time, 0u);
  EXPECT_EQ(li.logoff_time, kFileTimeNever);
  EXPECT_EQ(li.kick_off_time, kFileTimeNever);
  EXPECT_EQ(li.password_last_set, 0x01d4595b57fd36c9u);
  EXPECT_EQ(li.password_can_change, 0x01d4595b57fd36c9u);
  EXPECT_EQ(li.password_must_change, kFileTimeNever);
  EXPECT_EQ(li.effective_name, "w2k8u");
  EXPECT_EQ(li.full_name, "w2k8u");
  EXPECT_EQ(li.logon_script, "");
  EXPECT_EQ(li.home_directory_drive, "");
  EXPECT_EQ(li.logon_count, 0);
  EXPECT_EQ(li.user_id, 1142u);
  EXPECT_EQ(li.primary_group_id, 513u);
  ASSERT_EQ(li.group_ids.size(), 1u);
  EXPECT_EQ(li.group_ids[0], (GroupMembership{513, 7}));
  EXPECT_EQ(li.user_flags, 0x20u);  // Windows sets it even with no extra SIDs
  EXPECT_EQ(li.logon_server, "WDC");
  EXPECT_EQ(li.logon_domain_name, "ACME");
  ASSERT_TRUE(li.logon_domain_id);
  EXPECT_EQ(*li.logon_domain_id, sid("S-1-5-21-9281652-3921847615-585208160"));
  EXPECT_EQ(li.user_account_control, 0x210u);
  EXPECT_TRUE(li.extra_sids.empty());
  EXPECT_FALSE(li.resource_group_domain_sid);

  ASSERT_TRUE(pac.client_info);
  EXPECT_EQ(pac.client_info->name, "w2k8u");
  EXPECT_EQ(pac.client_info->client_id, filetime_from_unix(1538430362));

  ASSERT_TRUE(pac.upn_dns_info);
  EXPECT_EQ(pac.upn_dns_info->upn, "w2k8u@abc");
  EXPECT_EQ(pac.upn_dns_info->dns_domain_name, "ACME.COM");
  EXPECT_EQ(pac.upn_dns_info->flags, 0u);
  EXPECT_FALSE(pac.upn_dns_info->sam_name_and_sid);

  ASSERT_TRUE(pac.server_checksum && pac.kdc_checksum);
  EXPECT_EQ(pac.server_checksum->signature_type, 16);
  EXPECT_EQ(pac.kdc_checksum->signature_type, -138);
}

TEST(PacVectors, Windows2008S4uServerSignatureVerifiesWithAes256) {
  crypto::Key server = key(crypto::EncType::kAes256CtsHmacSha196,
                           "14DFB5B2CDB42C8894DA2FA882E9729F4A4DC74BA02A242CC6A8D71079B9AD9A");
  for (const char* name : {"s4u_pac_regular.hex", "s4u_pac_enterprise.hex"}) {
    auto parsed = parse(load_hex(name));
    ASSERT_TRUE(parsed) << name;
    // The KDC key of this sample is not published: server signature only.
    auto ok = verify(*parsed, VerifyKeys{server, nullptr});
    EXPECT_TRUE(ok) << name << ": " << ok.error().to_string();
  }
}

TEST(PacVectors, Windows2008S4uEnterprisePacClientName) {
  auto parsed = parse(load_hex("s4u_pac_enterprise.hex"));
  ASSERT_TRUE(parsed);
  ASSERT_TRUE(parsed->pac.client_info);
  EXPECT_EQ(parsed->pac.client_info->name, "w2k8u@abc");
  EXPECT_EQ(parsed->pac.client_info->client_id, filetime_from_unix(1538437551));
}

// MIT t_pac.c ticket_data: a Windows Server 2022 service ticket whose PAC has UPN_DNS_INFO
// with the SAM-name+SID extension, resource groups, a ticket checksum and a full checksum.
// tests/data/pac/derive_w2022.py extracted the PAC and the ticket-checksum input.
const char kW2022ServerKey[] = "114A84E3148FAAB1FA7B5351B28AC2F1FD196D61E0F3F23E1FDBD3C1797DC1EE";
const char kW2022KrbtgtKey[] = "037381EC43967BC2AC3DF52AAE95A68EBE2458DBCE522820AF5EB704A222714F";

TEST(PacVectors, Windows2022PacDecodesEveryField) {
  auto parsed = parse(load_hex("w2022_pac.hex"));
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  const Pac& pac = parsed->pac;
  const Sid domain = sid("S-1-5-21-133451344-1126667713-3548050118");
  ASSERT_TRUE(pac.logon_info);
  const KerbValidationInfo& li = *pac.logon_info;
  EXPECT_EQ(li.logon_time, 0x01d8ff54eb2c5672u);
  EXPECT_EQ(li.logoff_time, kFileTimeNever);
  EXPECT_EQ(li.kick_off_time, kFileTimeNever);
  EXPECT_EQ(li.password_last_set, 0x01d82187a44401beu);
  EXPECT_EQ(li.password_can_change, 0x01d82250ceadc1beu);
  EXPECT_EQ(li.password_must_change, kFileTimeNever);
  EXPECT_EQ(li.effective_name, "Administrator");
  EXPECT_EQ(li.full_name, "");
  EXPECT_EQ(li.profile_path, "");
  EXPECT_EQ(li.logon_count, 370);
  EXPECT_EQ(li.bad_password_count, 0);
  EXPECT_EQ(li.user_id, 500u);
  EXPECT_EQ(li.primary_group_id, 513u);
  // Domain Users, Domain Admins, Group Policy Creator Owners, Schema Admins, Enterprise Admins.
  const std::vector<GroupMembership> groups = {{513, 7}, {512, 7}, {520, 7}, {518, 7}, {519, 7}};
  EXPECT_EQ(li.group_ids, groups);
  EXPECT_EQ(li.user_flags, kUserFlagExtraSids | kUserFlagResourceGroups);
  EXPECT_EQ(li.user_session_key, (std::array<std::uint8_t, 16>{}));
  EXPECT_EQ(li.logon_server, "W2022-118");
  EXPECT_EQ(li.logon_domain_name, "W2022-L7");
  EXPECT_EQ(li.logon_domain_id, domain);
  EXPECT_EQ(li.user_account_control, 0x210u);
  EXPECT_EQ(li.last_successful_i_logon, 0u);
  EXPECT_EQ(li.failed_i_logon_count, 0u);
  ASSERT_EQ(li.extra_sids.size(), 1u);
  EXPECT_EQ(li.extra_sids[0], (SidAndAttributes{sid("S-1-18-1"), 7}));  // asserted identity
  EXPECT_EQ(li.resource_group_domain_sid, domain);
  ASSERT_EQ(li.resource_group_ids.size(), 1u);
  // Denied RODC Password Replication Group, SE_GROUP_RESOURCE | 7.
  EXPECT_EQ(li.resource_group_ids[0], (GroupMembership{572, 0x20000007}));

  ASSERT_TRUE(pac.client_info);
  EXPECT_EQ(pac.client_info->name, "administrator");
  // authtime 2022-11-23T16:01:59Z
  EXPECT_EQ(pac.client_info->client_id, filetime_from_unix(1669219319));

  ASSERT_TRUE(pac.upn_dns_info);
  EXPECT_EQ(pac.upn_dns_info->upn, "Administrator@w2022-l7.base");
  EXPECT_EQ(pac.upn_dns_info->dns_domain_name, "W2022-L7.BASE");
  EXPECT_EQ(pac.upn_dns_info->flags, kUpnDnsFlagUpnConstructed | kUpnDnsFlagSamNameAndSid);
  ASSERT_TRUE(pac.upn_dns_info->sam_name_and_sid);
  EXPECT_EQ(pac.upn_dns_info->sam_name_and_sid->sam_name, "Administrator");
  EXPECT_EQ(pac.upn_dns_info->sam_name_and_sid->sid, domain.with_rid(500));

  for (const auto* sig :
       {&pac.server_checksum, &pac.kdc_checksum, &pac.ticket_checksum, &pac.full_checksum}) {
    ASSERT_TRUE(*sig);
    EXPECT_EQ((*sig)->signature_type, 16);
    EXPECT_FALSE((*sig)->rodc_identifier);
  }
  EXPECT_EQ(pac.ticket_checksum->signature, unhex("8e25f3052ee1b94f59ad34d1"));
  EXPECT_EQ(pac.full_checksum->signature, unhex("e60cb91c354964a160595204"));
}

TEST(PacVectors, Windows2022AllFourSignaturesVerify) {
  auto parsed = parse(load_hex("w2022_pac.hex"));
  ASSERT_TRUE(parsed);
  const Bytes ticket_input = load_hex("w2022_ticket_cksum_input.hex");
  crypto::Key server = key(crypto::EncType::kAes256CtsHmacSha196, kW2022ServerKey);
  crypto::Key krbtgt = key(crypto::EncType::kAes256CtsHmacSha196, kW2022KrbtgtKey);
  auto ok = verify(*parsed, VerifyKeys{server, &krbtgt, ByteView(ticket_input)});
  EXPECT_TRUE(ok) << ok.error().to_string();

  // The full checksum is checked on its own: break only it.
  ParsedPac broken = *parsed;
  const InfoBuffer* full = broken.find(BufferType::kFullChecksum);
  broken.raw[full->offset + 4] ^= 1;
  broken.pac.full_checksum->signature[0] ^= 1;
  auto bad = verify(broken, VerifyKeys{server, &krbtgt});
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().is(Errc::kBadSignature));  // server signature covers it too
  Bytes other_ticket = ticket_input;
  other_ticket.back() ^= 1;
  auto bad_ticket = verify(*parsed, VerifyKeys{server, &krbtgt, ByteView(other_ticket)});
  ASSERT_FALSE(bad_ticket);
  EXPECT_TRUE(bad_ticket.error().is(Errc::kBadSignature));
}

TEST(PacVectors, Windows2022ContentsReSignAsAServiceTicket) {
  auto parsed = parse(load_hex("w2022_pac.hex"));
  ASSERT_TRUE(parsed);
  const Bytes ticket_input = load_hex("w2022_ticket_cksum_input.hex");
  crypto::Key server = key(crypto::EncType::kAes256CtsHmacSha196, kW2022ServerKey);
  crypto::Key krbtgt = key(crypto::EncType::kAes256CtsHmacSha196, kW2022KrbtgtKey);
  auto resigned = sign(parsed->pac, SignKeys{server, krbtgt, std::nullopt, ByteView(ticket_input)});
  ASSERT_TRUE(resigned);
  auto reparsed = parse(*resigned);
  ASSERT_TRUE(reparsed);
  // Same ticket bytes, same key, deterministic HMAC: the ticket checksum is Windows' own.
  EXPECT_EQ(reparsed->pac.ticket_checksum, parsed->pac.ticket_checksum);
  EXPECT_TRUE(verify(*reparsed, VerifyKeys{server, &krbtgt, ByteView(ticket_input)}));
}

}  // namespace
}  // namespace kb::pac
