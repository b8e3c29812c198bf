#include <gtest/gtest.h>

#include <sstream>

#include "test_support.h"

namespace kb::krb5 {
namespace {

Bytes hex(std::string_view s) {
  return hex_decode(s).value();
}
const KerberosTime kT{771228197};  // 19940610060317Z

PrincipalName principal(std::vector<std::string> parts, Int32 type = name_type::kPrincipal) {
  return PrincipalName{type, std::move(parts)};
}
EncryptedData enc(Int32 etype, std::optional<UInt32> kvno, std::string_view c) {
  return EncryptedData{etype, kvno, to_bytes(c)};
}
EncryptionKey key(Int32 type, std::string_view v) {
  return EncryptionKey{type, SecretBytes(as_bytes(v))};
}
Ticket ticket() {
  Ticket t;
  t.realm = "EXAMPLE.COM";
  t.sname = principal({"krbtgt", "EXAMPLE.COM"}, name_type::kSrvInst);
  t.enc_part = enc(etype::kAes256CtsHmacSha196, 0x80010001u, "cipher");
  return t;
}

// Encodes, decodes and compares; then checks the re-encoding is identical.
template <typename T>
void expect_round_trip(const T& v) {
  Bytes b = der::encode(v);
  auto back = der::decode<T>(b);
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_TRUE(*back == v);
  EXPECT_EQ(der::encode(*back), b);
}

TEST(RoundTrip, BasicTypes) {
  expect_round_trip(principal({"user"}));
  expect_round_trip(HostAddress{2, hex("7f000001")});
  expect_round_trip(
      HostAddresses{{2, hex("7f000001")}, {24, hex("00000000000000000000000000000001")}});
  expect_round_trip(
      AuthorizationData{{ad_type::kIfRelevant, hex("3000")}, {ad_type::kWin2kPac, hex("00")}});
  expect_round_trip(LastReq{{0, kT}, {-5, KerberosTime{0}}});
  expect_round_trip(TransitedEncoding{1, to_bytes("EDU,MIT.")});
  expect_round_trip(enc(18, std::nullopt, "x"));
  expect_round_trip(enc(18, 0xffffffffu, "x"));
  expect_round_trip(key(18, "0123456789abcdef0123456789abcdef"));
  expect_round_trip(Checksum{cksumtype::kHmacSha196Aes256, hex("00112233445566778899aabb")});
  expect_round_trip(MethodData{{padata_type::kEncTimestamp, {}}, {padata_type::kReqEncPaRep, {}}});
}

TEST(RoundTrip, PaDataValues) {
  expect_round_trip(PaEncTsEnc{kT, 123456});
  expect_round_trip(PaEncTsEnc{kT, std::nullopt});
  expect_round_trip(
      EtypeInfo2{{18, "EXAMPLE.COMuser", hex("00001000")}, {23, std::nullopt, std::nullopt}});
  expect_round_trip(PaPacRequest{true});
  PaPacOptions po;
  po.flags.set(pac_option::kBranchAware);
  expect_round_trip(po);
  EXPECT_EQ(hex_encode(der::encode(po)), "3009a00703050040000000");
  expect_round_trip(KerbKeyListReq{etype::kRc4Hmac});
  KerbKeyListRep rep;
  rep.push_back(key(etype::kRc4Hmac, "0123456789abcdef"));
  expect_round_trip(rep);
  // MS-KILE 2.2.12: SEQUENCE OF EncryptionKey, not Heimdal's SEQUENCE OF ENCTYPE.
  EXPECT_EQ(hex_encode(der::encode(rep)).substr(0, 16), "301b3019a0030201");
  expect_round_trip(KerbErrorData{kerb_error_data_type::kKerbErrTypeExtendedError, hex("00")});
}

TEST(RoundTrip, TicketsAndKdcExchange) {
  expect_round_trip(ticket());
  EncTicketPart etp;
  etp.flags.set(ticket_flag::kForwardable).set(ticket_flag::kInitial);
  etp.key = key(18, "k");
  etp.crealm = "EXAMPLE.COM";
  etp.cname = principal({"user"});
  etp.authtime = kT;
  etp.endtime = KerberosTime{kT.unix_seconds + 36000};
  etp.authorization_data = AuthorizationData{{ad_type::kIfRelevant, hex("3000")}};
  expect_round_trip(etp);

  AsReq req;
  req.padata = MethodData{{padata_type::kPacRequest, der::encode(PaPacRequest{true})}};
  KdcReqBody& body = req.req_body.value;
  body.kdc_options.set(kdc_option::kForwardable).set(kdc_option::kCanonicalize);
  body.cname = principal({"user"});
  body.realm = "EXAMPLE.COM";
  body.sname = principal({"krbtgt", "EXAMPLE.COM"}, name_type::kSrvInst);
  body.till = kT;
  body.nonce = 0xdeadbeef;
  body.etype = {18, 17, 23};
  expect_round_trip(req);
  TgsReq treq;
  treq.req_body.value = body;
  treq.req_body.value.additional_tickets = std::vector<Ticket>{ticket()};
  expect_round_trip(treq);

  AsRep rep;
  rep.crealm = "EXAMPLE.COM";
  rep.cname = principal({"user"});
  rep.ticket = ticket();
  rep.enc_part = enc(18, 1, "enc");
  expect_round_trip(rep);
  TgsRep trep;
  trep.crealm = rep.crealm;
  trep.cname = rep.cname;
  trep.ticket = ticket();
  trep.enc_part = enc(18, std::nullopt, "enc");
  expect_round_trip(trep);

  EncAsRepPart part;
  part.key = key(18, "session");
  part.last_req = {{0, kT}};
  part.nonce = 0xdeadbeef;
  part.authtime = kT;
  part.endtime = kT;
  part.srealm = "EXAMPLE.COM";
  part.sname = principal({"krbtgt", "EXAMPLE.COM"}, name_type::kSrvInst);
  part.encrypted_pa_data =
      MethodData{{padata_type::kSupportedEnctypes, encode_pa_supported_enctypes(0x1f)}};
  expect_round_trip(part);
  EncTgsRepPart tpart;
  static_cast<EncKdcRepPart&>(tpart) = std::move(static_cast<EncKdcRepPart&>(part));
  expect_round_trip(tpart);
}

TEST(RoundTrip, ApCredAndError) {
  ApReq ap;
  ap.ap_options.set(ap_option::kMutualRequired);
  ap.ticket = ticket();
  ap.authenticator = enc(18, std::nullopt, "auth");
  expect_round_trip(ap);
  Authenticator a;
  a.crealm = "EXAMPLE.COM";
  a.cname = principal({"user"});
  a.cksum = Checksum{16, hex("0102")};
  a.cusec = 999999;
  a.ctime = kT;
  a.subkey = key(18, "sub");
  a.seq_number = 0x80000000u;
  expect_round_trip(a);
  expect_round_trip(ApRep{kPvno, msg_type::kApRep, enc(18, std::nullopt, "rep")});
  EncApRepPart arp;
  arp.ctime = kT;
  arp.cusec = 1;
  arp.seq_number = 7;
  expect_round_trip(arp);
  KrbCred cred;
  cred.tickets = {ticket(), ticket()};
  cred.enc_part = enc(0, std::nullopt, "plain");
  expect_round_trip(cred);
  EncKrbCredPart ecp;
  KrbCredInfo info;
  info.key = key(18, "k");
  info.prealm = "EXAMPLE.COM";
  info.flags = KerberosFlags{};
  ecp.ticket_info.push_back(std::move(info));
  ecp.nonce = 1;
  ecp.s_address = HostAddress{2, hex("7f000001")};
  expect_round_trip(ecp);
  KrbError err;
  err.stime = kT;
  err.error_code = error_code::kKdcErrPreauthRequired;
  err.realm = "EXAMPLE.COM";
  err.sname = principal({"krbtgt", "EXAMPLE.COM"}, name_type::kSrvInst);
  err.e_data = der::encode(MethodData{{padata_type::kEncTimestamp, {}}});
  expect_round_trip(err);
}

TEST(EncryptedData, KvnoAboveInt32MaxGoesOutAsFourOctetNegative) {
  // RODC branch 0x8001, key version 1 (MS-KILE 3.1.5.8; digest D.2 and I).
  Bytes b = der::encode(enc(18, 0x80010001u, "c"));
  EXPECT_EQ(hex_encode(b),
            "3012a003020112a106020480010001a20304016"
            "3");
  // The 5-octet positive form is still accepted.
  auto five =
      der::decode<EncryptedData>(hex("3013a003020112a10702050080010001a2030401"
                                     "63"));
  ASSERT_TRUE(five) << five.error().to_string();
  EXPECT_EQ(five->kvno, 0x80010001u);
  EXPECT_EQ(der::encode(*five), b);
}

TEST(KerberosFlags, BitZeroIsTheMostSignificantBit) {
  KerberosFlags f;
  f.set(ticket_flag::kForwardable)
      .set(ticket_flag::kRenewable)
      .set(ticket_flag::kInitial)
      .set(ticket_flag::kPreAuthent);
  // Same values as MIT's TKT_FLG_* (krb5.hin): 0x40000000 | 0x00800000 | 0x00400000 | 0x00200000.
  EXPECT_EQ(f.bits, 0x40e00000u);
  EXPECT_TRUE(f.test(ticket_flag::kInitial));
  EXPECT_FALSE(f.test(ticket_flag::kProxy));
  EXPECT_FALSE(f.test(40));
  f.set(ticket_flag::kInitial, false);
  EXPECT_EQ(f.bits, 0x40a00000u);
  EXPECT_EQ(hex_encode(der::encode(f)), "03050040a00000");
  // More than 32 bits are kept for the round trip.
  auto wide = der::decode<KerberosFlags>(hex("030702800000000180"));
  ASSERT_TRUE(wide) << wide.error().to_string();
  EXPECT_EQ(wide->bits, 0x80000000u);
  EXPECT_EQ(hex_encode(der::encode(*wide)), "030702800000000180");
}

TEST(EncryptionKey, KeyValueIsSecret) {
  EncryptionKey k = key(18, "topsecret");
  std::ostringstream os;
  os << k.keyvalue;
  EXPECT_EQ(os.str(), "<secret:9 bytes>");
  EncryptionKey c = k.clone();
  EXPECT_TRUE(c == k);
}

TEST(PaSupportedEnctypes, LittleEndianFourOctets) {
  EXPECT_EQ(hex_encode(encode_pa_supported_enctypes(0x1c)), "1c000000");
  EXPECT_EQ(*decode_pa_supported_enctypes(hex("1f000080")), 0x8000001fu);
  auto bad = decode_pa_supported_enctypes(hex("1f00"));
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().is(Errc::kBadSupportedEnctypes));
}

TEST(KrbError, EDataHelpers) {
  KrbError err;
  EXPECT_TRUE(method_data(err).error().is(Errc::kNoEData));
  err.e_data =
      der::encode(MethodData{{padata_type::kEtypeInfo2, der::encode(EtypeInfo2{{18, "S", {}}})}});
  auto md = method_data(err);
  ASSERT_TRUE(md) << md.error().to_string();
  ASSERT_NE(find_padata(*md, padata_type::kEtypeInfo2), nullptr);
  EXPECT_EQ(find_padata(*md, padata_type::kPwSalt), nullptr);
  err.e_data = hex("3003020101");
  auto bad = method_data(err);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().path(), "KRB-ERROR.e-data[0]");
  err.e_data = der::encode(KerbErrorData{3, hex("0102")});
  auto ked = kerb_error_data(err);
  ASSERT_TRUE(ked);
  EXPECT_EQ(ked->data_type, 3);
}

TEST(EncAsRepPart, AcceptsApplication26AndKeepsTheReceivedTag) {
  EncTgsRepPart t;
  t.key = key(18, "k");
  t.srealm = "R";
  t.sname = principal({"s"});
  Bytes b26 = der::encode(t);
  ASSERT_EQ(b26[0], 0x7a);
  auto as = der::decode<EncAsRepPart>(b26);
  ASSERT_TRUE(as) << as.error().to_string();
  EXPECT_EQ(as->app_tag, 26);
  EXPECT_EQ(der::encode(*as), b26);  // MIT's KDC sends 26: keep it byte-identical
  as->app_tag = 25;
  Bytes b25 = der::encode(*as);
  EXPECT_EQ(b25[0], 0x79);
  EXPECT_EQ(der::decode<EncAsRepPart>(b25)->app_tag, 25);
  EXPECT_FALSE(der::decode<EncTgsRepPart>(b25));
  EXPECT_EQ(der::encode(EncAsRepPart{})[0], 0x79);
}

TEST(KdcReq, ReqBodyKeepsReceivedBytes) {
  AsReq req;
  req.req_body.value.realm = "R";
  req.req_body.value.till = kT;
  req.req_body.value.etype = {18};
  Bytes b = der::encode(req);
  auto back = der::decode<AsReq>(b);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->req_body.encoding, der::encode(req.req_body.value));
  EXPECT_EQ(der::encoding_of(back->req_body), back->req_body.encoding);
}

}  // namespace
}  // namespace kb::krb5
