// MIT krb5's ASN.1 reference encodings (src/tests/asn.1/reference_encode.out, via the hex
// copy in gokrb5; see tests/data/krb5/mit_reference_encode.txt): every message decodes,
// its fields have the values MIT's ktest.c put in, and re-encoding is byte-identical.
#include <gtest/gtest.h>

#include "test_support.h"

namespace kb::krb5 {
namespace {

const KerberosTime kT{771228197};  // 19940610060317Z
constexpr char kRealm[] = "ATHENA.MIT.EDU";
constexpr char kCipher[] = "krbASN.1 test message";

const std::map<std::string, std::string>& vector_types() {
  static const std::map<std::string, std::string> m = {
      {"authenticator", "Authenticator"},
      {"authenticatorOptionalsEmpty", "Authenticator"},
      {"ticket", "Ticket"},
      {"keyblock", "EncryptionKey"},
      {"enc_tkt_part", "EncTicketPart"},
      {"enc_tkt_partOptionalsNULL", "EncTicketPart"},
      {"enc_kdc_rep_part", "EncTGSRepPart"},
      {"enc_kdc_rep_partOptionalsNULL", "EncTGSRepPart"},
      {"as_rep", "AS-REP"},
      {"as_repOptionalsNULL", "AS-REP"},
      {"tgs_rep", "TGS-REP"},
      {"tgs_repOptionalsNULL", "TGS-REP"},
      {"ap_req", "AP-REQ"},
      {"ap_rep", "AP-REP"},
      {"ap_rep_enc_part", "EncAPRepPart"},
      {"ap_rep_enc_partOptionalsNULL", "EncAPRepPart"},
      {"as_req", "AS-REQ"},
      {"as_reqOptionalsNULLexceptsecond_ticket", "AS-REQ"},
      {"as_reqOptionalsNULLexceptserver", "AS-REQ"},
      {"tgs_req", "TGS-REQ"},
      {"tgs_reqOptionalsNULLexceptsecond_ticket", "TGS-REQ"},
      {"tgs_reqOptionalsNULLexceptserver", "TGS-REQ"},
      {"kdc_req_body", "KDC-REQ-BODY"},
      {"kdc_req_bodyOptionalsNULLexceptsecond_ticket", "KDC-REQ-BODY"},
      {"kdc_req_bodyOptionalsNULLexceptserver", "KDC-REQ-BODY"},
      {"cred", "KRB-CRED"},
      {"enc_cred_part", "EncKrbCredPart"},
      {"enc_cred_partOptionalsNULL", "EncKrbCredPart"},
      {"error", "KRB-ERROR"},
      {"errorOptionalsNULL", "KRB-ERROR"},
      {"authorization_data", "AuthorizationData"},
      {"padata_sequence", "METHOD-DATA"},
      {"padataSequenceEmpty", "METHOD-DATA"},
      {"etype_info2", "ETYPE-INFO2"},
      {"etype_info2Only1", "ETYPE-INFO2"},
      {"pa_enc_ts", "PA-ENC-TS-ENC"},
      {"pa_enc_tsNoUsec", "PA-ENC-TS-ENC"},
      {"enc_data", "EncryptedData"},
      {"enc_dataMSBSetkvno", "EncryptedData"},
      {"enc_dataKVNONegOne", "EncryptedData"},
  };
  return m;
}

Bytes vec(const std::string& name) {
  static const auto all = testing::load_named_hex("krb5/mit_reference_encode.txt");
  for (const auto& [n, b] : all) {
    if (n == name) return b;
  }
  ADD_FAILURE() << "no vector " << name;
  return {};
}

template <typename T>
T decode_ok(const std::string& name) {
  Bytes in = vec(name);
  auto r = der::decode<T>(in);
  EXPECT_TRUE(r) << name << ": " << r.error().to_string();
  if (!r) return T{};
  EXPECT_EQ(hex_encode(der::encode(*r)), hex_encode(in)) << name;
  return std::move(r).value();
}

void expect_hftsai(const PrincipalName& p) {
  EXPECT_EQ(p.name_type, name_type::kPrincipal);
  EXPECT_EQ(p.name_string, (std::vector<std::string>{"hftsai", "extra"}));
}
void expect_enc_data(const EncryptedData& e) {
  EXPECT_EQ(e.etype, 0);
  EXPECT_EQ(e.kvno, 5u);
  EXPECT_EQ(as_chars(e.cipher), kCipher);
}
void expect_ticket(const Ticket& t) {
  EXPECT_EQ(t.tkt_vno, 5);
  EXPECT_EQ(t.realm, kRealm);
  expect_hftsai(t.sname);
  expect_enc_data(t.enc_part);
}
void expect_key(const EncryptionKey& k) {
  EXPECT_EQ(k.keytype, 1);
  EXPECT_EQ(as_chars(k.keyvalue.reveal()), "12345678");
}
void expect_addresses(const std::optional<HostAddresses>& a) {
  ASSERT_TRUE(a);
  ASSERT_EQ(a->size(), 2u);
  EXPECT_EQ((*a)[0].addr_type, 2);
  EXPECT_EQ(hex_encode((*a)[0].address), "12d00023");
}

TEST(MitVectors, EveryVectorRoundTripsByteIdentical) {
  const auto all = testing::load_named_hex("krb5/mit_reference_encode.txt");
  ASSERT_EQ(all.size(), vector_types().size());
  for (const auto& [name, bytes] : all) {
    auto t = vector_types().find(name);
    ASSERT_NE(t, vector_types().end()) << name;
    auto r = testing::codecs().at(t->second)(bytes);
    ASSERT_TRUE(r) << name << ": " << r.error().to_string();
    EXPECT_EQ(hex_encode(*r), hex_encode(bytes)) << name;
  }
}

TEST(MitVectors, AsReqFields) {
  auto r = decode_ok<AsReq>("as_req");
  EXPECT_EQ(r.pvno, 5);
  EXPECT_EQ(r.msg_type, msg_type::kAsReq);
  ASSERT_TRUE(r.padata);
  ASSERT_EQ(r.padata->size(), 2u);
  EXPECT_EQ((*r.padata)[0].padata_type, 13);
  EXPECT_EQ(as_chars((*r.padata)[0].padata_value), "pa-data");
  const KdcReqBody& b = r.req_body.value;
  EXPECT_EQ(b.kdc_options.bits, 0xfedcba90u);
  EXPECT_TRUE(b.kdc_options.test(kdc_option::kForwardable));
  expect_hftsai(*b.cname);
  EXPECT_EQ(b.realm, kRealm);
  expect_hftsai(*b.sname);
  EXPECT_EQ(b.from, kT);
  EXPECT_EQ(b.till, kT);
  EXPECT_EQ(b.rtime, kT);
  EXPECT_EQ(b.nonce, 42u);
  EXPECT_EQ(b.etype, (std::vector<Int32>{0, 1}));
  expect_addresses(b.addresses);
  expect_enc_data(*b.enc_authorization_data);
  ASSERT_TRUE(b.additional_tickets);
  ASSERT_EQ(b.additional_tickets->size(), 2u);
  expect_ticket((*b.additional_tickets)[1]);
  // Raw<KdcReqBody> holds exactly the kdc_req_body vector's bytes.
  EXPECT_EQ(hex_encode(r.req_body.encoding), hex_encode(vec("kdc_req_body")));

  auto minimal = decode_ok<AsReq>("as_reqOptionalsNULLexceptserver");
  EXPECT_FALSE(minimal.padata);
  EXPECT_FALSE(minimal.req_body.value.cname);
  EXPECT_FALSE(minimal.req_body.value.from);
  EXPECT_FALSE(minimal.req_body.value.additional_tickets);
  auto tgs = decode_ok<TgsReq>("tgs_req");
  EXPECT_EQ(tgs.msg_type, msg_type::kTgsReq);
  EXPECT_FALSE(der::decode<TgsReq>(vec("as_req")));
}

TEST(MitVectors, KdcRepFields) {
  auto r = decode_ok<AsRep>("as_rep");
  EXPECT_EQ(r.msg_type, msg_type::kAsRep);
  ASSERT_TRUE(r.padata);
  EXPECT_EQ(r.padata->size(), 2u);
  EXPECT_EQ(r.crealm, kRealm);
  expect_hftsai(r.cname);
  expect_ticket(r.ticket);
  expect_enc_data(r.enc_part);
  EXPECT_FALSE(decode_ok<AsRep>("as_repOptionalsNULL").padata);
  EXPECT_EQ(decode_ok<TgsRep>("tgs_rep").msg_type, msg_type::kTgsRep);

  auto p = decode_ok<EncTgsRepPart>("enc_kdc_rep_part");
  expect_key(p.key);
  ASSERT_EQ(p.last_req.size(), 2u);
  EXPECT_EQ(p.last_req[0].lr_type, -5);
  EXPECT_EQ(p.last_req[0].lr_value, kT);
  EXPECT_EQ(p.nonce, 42u);
  EXPECT_EQ(p.key_expiration, kT);
  EXPECT_EQ(p.flags.bits, 0xfedcba98u);
  EXPECT_EQ(p.authtime, kT);
  EXPECT_EQ(p.renew_till, kT);
  EXPECT_EQ(p.srealm, kRealm);
  expect_hftsai(p.sname);
  expect_addresses(p.caddr);
  EXPECT_FALSE(p.encrypted_pa_data);
  auto n = decode_ok<EncTgsRepPart>("enc_kdc_rep_partOptionalsNULL");
  EXPECT_FALSE(n.key_expiration || n.starttime || n.renew_till || n.caddr);
  // RFC 4120 5.4.2: an AS-REP's enc-part may carry [APPLICATION 26].
  EXPECT_TRUE(der::decode<EncAsRepPart>(vec("enc_kdc_rep_part")));
}

TEST(MitVectors, TicketAndEncTicketPartFields) {
  expect_ticket(decode_ok<Ticket>("ticket"));
  auto e = decode_ok<EncTicketPart>("enc_tkt_part");
  EXPECT_EQ(e.flags.bits, 0xfedcba98u);
  expect_key(e.key);
  EXPECT_EQ(e.crealm, kRealm);
  expect_hftsai(e.cname);
  EXPECT_EQ(e.transited.tr_type, 1);
  EXPECT_EQ(as_chars(e.transited.contents), "EDU,MIT.,ATHENA.,WASHINGTON.EDU,CS.");
  EXPECT_EQ(e.authtime, kT);
  EXPECT_EQ(e.starttime, kT);
  EXPECT_EQ(e.endtime, kT);
  expect_addresses(e.caddr);
  ASSERT_TRUE(e.authorization_data);
  EXPECT_EQ(as_chars((*e.authorization_data)[1].ad_data), "foobar");
  expect_key(decode_ok<EncryptionKey>("keyblock"));
}

TEST(MitVectors, ApFields) {
  auto req = decode_ok<ApReq>("ap_req");
  EXPECT_EQ(req.msg_type, msg_type::kApReq);
  EXPECT_EQ(req.ap_options.bits, 0xfedcba98u);
  expect_ticket(req.ticket);
  expect_enc_data(req.authenticator);
  expect_enc_data(decode_ok<ApRep>("ap_rep").enc_part);
  auto part = decode_ok<EncApRepPart>("ap_rep_enc_part");
  EXPECT_EQ(part.ctime, kT);
  EXPECT_EQ(part.cusec, 123456);
  expect_key(*part.subkey);
  EXPECT_EQ(part.seq_number, 17u);
  auto a = decode_ok<Authenticator>("authenticator");
  EXPECT_EQ(a.crealm, kRealm);
  expect_hftsai(a.cname);
  EXPECT_EQ(a.cksum->cksumtype, 1);
  EXPECT_EQ(as_chars(a.cksum->checksum), "1234");
  EXPECT_EQ(a.cusec, 123456);
  EXPECT_EQ(a.ctime, kT);
  EXPECT_EQ(a.seq_number, 17u);
  EXPECT_EQ(a.authorization_data->size(), 2u);
  EXPECT_FALSE(decode_ok<Authenticator>("authenticatorOptionalsEmpty").cksum);
}

TEST(MitVectors, ErrorAndCredFields) {
  auto e = decode_ok<KrbError>("error");
  EXPECT_EQ(e.msg_type, msg_type::kKrbError);
  EXPECT_EQ(e.ctime, kT);
  EXPECT_EQ(e.cusec, 123456);
  EXPECT_EQ(e.stime, kT);
  EXPECT_EQ(e.error_code, error_code::kKrbErrGeneric);
  EXPECT_EQ(e.crealm, kRealm);
  EXPECT_EQ(e.realm, kRealm);
  expect_hftsai(e.sname);
  EXPECT_EQ(e.e_text, "krb5data");
  EXPECT_EQ(as_chars(*e.e_data), "krb5data");
  auto n = decode_ok<KrbError>("errorOptionalsNULL");
  EXPECT_FALSE(n.ctime || n.crealm || n.cname || n.e_text || n.e_data);

  auto c = decode_ok<KrbCred>("cred");
  EXPECT_EQ(c.msg_type, msg_type::kKrbCred);
  ASSERT_EQ(c.tickets.size(), 2u);
  expect_ticket(c.tickets[0]);
  auto p = decode_ok<EncKrbCredPart>("enc_cred_part");
  ASSERT_EQ(p.ticket_info.size(), 2u);
  expect_key(p.ticket_info[0].key);
  EXPECT_EQ(p.ticket_info[0].prealm, kRealm);
  EXPECT_EQ(p.ticket_info[0].flags->bits, 0xfedcba98u);
  EXPECT_EQ(p.nonce, 42u);
  EXPECT_EQ(p.timestamp, kT);
  EXPECT_EQ(p.usec, 123456);
  EXPECT_EQ(p.s_address->addr_type, 2);
  auto pn = decode_ok<EncKrbCredPart>("enc_cred_partOptionalsNULL");
  EXPECT_FALSE(pn.ticket_info[0].prealm);
  EXPECT_FALSE(pn.nonce);
}

TEST(MitVectors, PaDataAndEncryptedData) {
  auto md = decode_ok<MethodData>("padata_sequence");
  EXPECT_EQ(md.size(), 2u);
  EXPECT_TRUE(decode_ok<MethodData>("padataSequenceEmpty").empty());
  auto ei = decode_ok<EtypeInfo2>("etype_info2");
  ASSERT_EQ(ei.size(), 3u);
  EXPECT_EQ(ei[0].salt, "Morton's #0");
  EXPECT_EQ(as_chars(*ei[0].s2kparams), "s2k: 0");
  EXPECT_FALSE(ei[1].salt);
  auto ts = decode_ok<PaEncTsEnc>("pa_enc_ts");
  EXPECT_EQ(ts.patimestamp, kT);
  EXPECT_EQ(ts.pausec, 123456);
  EXPECT_FALSE(decode_ok<PaEncTsEnc>("pa_enc_tsNoUsec").pausec);
  expect_enc_data(decode_ok<EncryptedData>("enc_data"));
  // MIT encodes a kvno with the top bit set as 4 octets, negative (as we do).
  EXPECT_EQ(decode_ok<EncryptedData>("enc_dataMSBSetkvno").kvno, 0xff000000u);
  EXPECT_EQ(decode_ok<EncryptedData>("enc_dataKVNONegOne").kvno, 0xffffffffu);
  auto ad = decode_ok<AuthorizationData>("authorization_data");
  EXPECT_EQ(ad[0].ad_type, 1);
}

}  // namespace
}  // namespace kb::krb5
