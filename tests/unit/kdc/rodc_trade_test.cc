// The trade of RODC-issued (partial) TGTs for full TGTs, and the key list: every rule of
// issue 5 and digest D.3/E, with partial TGTs from the cloud's own minting code or sealed
// here with the project's types, through the whole KDC (bytes in, bytes out).
#include "kdc/rodc_trade.h"

#include <gtest/gtest.h>

#include "base/subprocess.h"
#include "client/tgs_client.h"
#include "cloud/partial_tgt.h"
#include "kdc/accounts.h"
#include "kdc/kdc.h"
#include "kdc/kerberos_server.h"
#include "kdc/pac_builder.h"
#include "kdc/ticket_seal.h"
#include "pac/pac.h"
#include "pac/sign.h"
#include "store/sqlite/sqlite_directory.h"

namespace kb::kdc {
namespace {

KerberosServerSpec spec(std::optional<std::uint16_t> branch, std::string from = "") {
  KerberosServerSpec s;
  s.branch_id = branch;
  s.updated_from = std::move(from);
  return s;
}

const SysTime kNow{std::chrono::seconds(1800000000)};
constexpr std::uint16_t kBranch = 4711;
constexpr const char* kDomainSid = "S-1-5-21-1-2-3";

class RodcTrade : public ::testing::Test {
 protected:
  RodcTrade() : clock_(kNow), mk_(crypto::MasterKey::generate(rng_)) {
    store_ = std::move(*store::sqlite::SqliteDirectoryStore::open((dir_.path() / "d.db").string()));
    domain_ = *provision_domain(*store_, {"contoso.test", "", kDomainSid, SecretString("Adm1n!pw")},
                                mk_, clock_, rng_);
    add_user(1105, "alice");
    add_user(1106, "dadmin");
    add_member(store::kRidDomainAdmins, 1106);
    add_user(1107, "denied");
    add_member(store::kRidDeniedRodcPasswordReplicationGroup, 1107);
    add_user(1108, "guest", [](store::Account& a) { a.primary_group_id = 514; });
    add_user(1109, "disabled",
             [](store::Account& a) { a.user_account_control |= store::uac::kAccountDisable; });
    add_user(1110, "expired", [](store::Account& a) { a.pwd_last_set -= 43 * 86400; });
    add_user(1111, "mustchange", [](store::Account& a) { a.pwd_last_set = 0; });
    add_user(1112, "bob");
    add_user(1113, "web",
             [](store::Account& a) { a.service_principal_names = {"HTTP/web.contoso.test"}; });
    EXPECT_TRUE(store_->transact([&](store::DirectoryTxn& t) {
      return t.put_group(
          {store::rid_sid(domain_, 1200), "Engineering", {store::rid_sid(domain_, 1105)}});
    }));
    auto server = create_kerberos_server(*store_, spec(kBranch, "test"), mk_, clock_, rng_);
    EXPECT_TRUE(server) << server.error().to_string();
    directory_ = std::make_unique<KdcDirectory>(*store_, mk_);
    kdc_ = std::make_unique<Kdc>(*directory_, clock_, rng_, KdcPolicy{},
                                 [this](const RequestLog& l, auto, auto) { last_log_ = l; });
  }

  template <typename F = void (*)(store::Account&)>
  void add_user(
      std::uint32_t rid, std::string sam, F edit = [](store::Account&) {}) {
    store::Account a;
    a.rid = rid;
    a.sam_account_name = sam;
    a.user_principal_name = sam + "@contoso.test";
    EXPECT_TRUE(set_password(a, domain_, SecretString("password"), mk_, clock_, rng_));
    edit(a);
    EXPECT_TRUE(store_->transact([&](store::DirectoryTxn& t) { return t.put_account(a); }));
  }

  void add_member(std::uint32_t group_rid, std::uint32_t rid) {
    EXPECT_TRUE(store_->transact([&](store::DirectoryTxn& t) -> Result<void> {
      auto g = KB_TRY(t.group_by_sid(store::rid_sid(domain_, group_rid)));
      if (!g) return Error(store::Errc::kNotFound, "group");
      g->member_sids.push_back(store::rid_sid(domain_, rid));
      return t.put_group(*g);
    }));
  }

  store::Account load(std::string_view sam) {
    store::Account out;
    EXPECT_TRUE(store_->read([&](store::DirectoryTxn& t) -> Result<void> {
      out = *KB_TRY(t.account_by_sam(sam));
      return ok();
    }));
    return out;
  }

  crypto::Key server_key(std::uint16_t version = 0) {
    auto k = kerberos_server_key(*store_, mk_, version);
    EXPECT_TRUE(k) << k.error().to_string();
    return std::move(*k);
  }

  // A partial TGT exactly as the cloud mints it.
  client::Credential partial(const std::string& sam, std::uint32_t sid_rid,
                             std::uint16_t version = 1, std::uint16_t branch = kBranch) {
    crypto::Key key = server_key(version);
    cloud::OnPremUser u{sam, sam + "@contoso.test", "contoso.test", "CONTOSO",
                        *pac::Sid::parse(store::rid_sid(domain_, sid_rid))};
    auto minted = cloud::mint_partial_tgt(u, {branch, version, &key}, {}, clock_, rng_);
    EXPECT_TRUE(minted) << minted.error().to_string();
    auto cred = client::open_as_rep(minted->as_rep, minted->client_key);
    EXPECT_TRUE(cred) << cred.error().to_string();
    return std::move(*cred);
  }

  // An RODC ticket sealed here, with a PAC the test may change before it is signed.
  template <typename F>
  client::Credential sealed_rodc_tgt(const std::string& sam, F edit_pac) {
    crypto::Key key = server_key(1);
    store::Account a = load(sam);
    PacInputs in{&domain_, &a, {store::rid_sid(domain_, 513)}, kNow, true};
    pac::Pac p = *build_pac(in);
    edit_pac(p);
    crypto::Key session = crypto::Key::random(crypto::EncType::kAes256CtsHmacSha196, rng_);
    SealRequest seal;
    seal.realm = "CONTOSO.TEST";
    seal.sname = krb5::PrincipalName{2, {"krbtgt", "CONTOSO.TEST"}};
    seal.part.flags.set(krb5::ticket_flag::kForwardable).set(krb5::ticket_flag::kRenewable);
    seal.part.key = krb5::EncryptionKey{18, session.bytes().clone()};
    seal.part.crealm = "CONTOSO.TEST";
    seal.part.cname = krb5::PrincipalName{1, {sam}};
    seal.part.authtime = krb5::KerberosTime::from_sys(kNow);
    seal.part.endtime = krb5::KerberosTime::from_sys(kNow + std::chrono::hours(10));
    seal.part.renew_till = krb5::KerberosTime::from_sys(kNow + std::chrono::hours(100));
    seal.pac = std::move(p);
    seal.server_key = &key;
    seal.server_kvno = cloud::rodc_kvno(kBranch, 1);
    seal.kdc_key = &key;
    seal.rodc_identifier = kBranch;
    auto ticket = seal_ticket(std::move(seal), rng_);
    EXPECT_TRUE(ticket) << ticket.error().to_string();
    client::Credential c{"CONTOSO.TEST",
                         krb5::PrincipalName{1, {sam}},
                         std::move(*ticket),
                         std::move(session),
                         {},
                         krb5::KerberosTime::from_sys(kNow),
                         std::nullopt,
                         krb5::KerberosTime::from_sys(kNow + std::chrono::hours(10)),
                         krb5::KerberosTime::from_sys(kNow + std::chrono::hours(100))};
    return c;
  }

  Result<client::TgsReply> trade(const client::Credential& tgt, bool key_list = false,
                                 krb5::PrincipalName sname = {2, {"krbtgt", "CONTOSO.TEST"}},
                                 std::vector<krb5::PaData> extra = {}) {
    client::TgsRequest req;
    req.realm = "CONTOSO.TEST";
    req.sname = std::move(sname);
    req.kdc_options = client::trade_options();
    req.key_list = key_list;
    req.extra_padata = std::move(extra);
    auto prepared = KB_TRY(client::build_tgs_req(tgt, req, clock_, rng_));
    Bytes reply = kdc_->handle(prepared.bytes, false, "test");
    return client::read_tgs_rep(reply, tgt, prepared);
  }

  void expect_refused(const Result<client::TgsReply>& r, Errc code) {
    ASSERT_FALSE(r) << "traded";
    EXPECT_EQ(client::kerberos_error_code(r.error()), static_cast<std::int32_t>(code))
        << r.error().to_string() << " / log: " << last_log_.detail;
  }

  // The PAC of a ticket encrypted with `key`, checked with that key as server and KDC key.
  pac::Pac pac_of(const krb5::Ticket& t, const crypto::Key& key, const crypto::Key& kdc_key) {
    auto plain = crypto::decrypt(key, crypto::KeyUsage::kKdcRepTicket, t.enc_part.cipher);
    EXPECT_TRUE(plain);
    auto part = der::decode<krb5::EncTicketPart>(plain->reveal());
    auto bytes = *find_pac(*part);
    EXPECT_TRUE(bytes);
    auto parsed = pac::parse(*bytes);
    EXPECT_TRUE(parsed);
    EXPECT_TRUE(pac::verify(*parsed, {key, &kdc_key}));
    return parsed->pac;
  }

  crypto::Key account_key_of(const std::string& sam) {
    return *account_key(load(sam), crypto::EncType::kAes256CtsHmacSha196, 0, mk_);
  }

  static std::vector<std::uint32_t> rids(const pac::Pac& p) {
    std::vector<std::uint32_t> out;
    for (const auto& g : p.logon_info->group_ids) out.push_back(g.relative_id);
    return out;
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
};

TEST_F(RodcTrade, AllowedUserGetsAFullTgtUnderTheDomainKrbtgtWithDirectoryGroups) {
  auto r = trade(partial("alice", 1105));
  ASSERT_TRUE(r) << r.error().to_string() << " / " << last_log_.detail;
  const auto& t = r->credential.ticket;
  const store::Account krbtgt = load("krbtgt");
  EXPECT_EQ(t.enc_part.kvno, current_kvno(krbtgt));  // no branch bits
  EXPECT_EQ(r->credential.cname.name_string, std::vector<std::string>{"alice"});
  const crypto::Key k = *account_key(krbtgt, crypto::EncType::kAes256CtsHmacSha196, 0, mk_);
  const pac::Pac p = pac_of(t, k, k);
  EXPECT_EQ(p.logon_info->user_id, 1105u);
  EXPECT_EQ(rids(p), (std::vector<std::uint32_t>{513, 1200}));
  EXPECT_EQ(p.requestor->to_string(), std::string(kDomainSid) + "-1105");
  EXPECT_FALSE(r->nt_hash);  // not asked for
  EXPECT_TRUE(r->credential.flags.test(krb5::ticket_flag::kForwardable));
  EXPECT_TRUE(r->credential.flags.test(krb5::ticket_flag::kRenewable));

  // The full TGT then works as any TGT: a service ticket whose PAC the service verifies.
  auto st = trade(r->credential, false, {3, {"HTTP", "web.contoso.test"}});
  ASSERT_TRUE(st) << st.error().to_string() << " / " << last_log_.detail;
  const crypto::Key web = account_key_of("web");
  const pac::Pac sp = pac_of(st->credential.ticket, web, k);
  EXPECT_EQ(rids(sp), (std::vector<std::uint32_t>{513, 1200}));
}

TEST_F(RodcTrade, ServiceTicketStraightFromAPartialTgtCarriesTheFullPac) {
  auto r = trade(partial("alice", 1105), false, {3, {"HTTP", "web.contoso.test"}});
  ASSERT_TRUE(r) << r.error().to_string() << " / " << last_log_.detail;
  const crypto::Key k = *account_key(load("krbtgt"), crypto::EncType::kAes256CtsHmacSha196, 0, mk_);
  EXPECT_EQ(rids(pac_of(r->credential.ticket, account_key_of("web"), k)),
            (std::vector<std::uint32_t>{513, 1200}));
}

TEST_F(RodcTrade, DomainAdminIsDeniedAndTheLogNamesTheGroup) {
  expect_refused(trade(partial("dadmin", 1106)), Errc::kTgtRevoked);
  EXPECT_NE(last_log_.detail.find("msDS-NeverRevealGroup"), std::string::npos) << last_log_.detail;
  // Deny wins: Domain Admins and BUILTIN\Administrators (which nests Domain Admins) both deny.
  EXPECT_TRUE(last_log_.detail.find("Domain Admins") != std::string::npos ||
              last_log_.detail.find("Administrators") != std::string::npos)
      << last_log_.detail;
}

TEST_F(RodcTrade, DeniedRodcGroupMemberIsDenied) {
  expect_refused(trade(partial("denied", 1107)), Errc::kTgtRevoked);
  EXPECT_NE(last_log_.detail.find("Denied RODC Password Replication Group"), std::string::npos)
      << last_log_.detail;
}

TEST_F(RodcTrade, UserOutsideDomainUsersIsNotAllowed) {
  expect_refused(trade(partial("guest", 1108)), Errc::kTgtRevoked);
  EXPECT_NE(last_log_.detail.find("msDS-RevealOnDemandGroup"), std::string::npos)
      << last_log_.detail;
}

TEST_F(RodcTrade, DisabledExpiredAndMustChangeAccountsAreRefused) {
  expect_refused(trade(partial("disabled", 1109)), Errc::kClientRevoked);
  expect_refused(trade(partial("expired", 1110)), Errc::kKeyExpired);
  expect_refused(trade(partial("mustchange", 1111)), Errc::kKeyExpired);
}

TEST_F(RodcTrade, UnknownAccountIsCPrincipalUnknown) {
  expect_refused(trade(partial("nobody", 1999)), Errc::kCPrincipalUnknown);
}

TEST_F(RodcTrade, UnknownBranchAndUnknownKeyVersionAreRefused) {
  expect_refused(trade(partial("alice", 1105, 1, kBranch + 1)), Errc::kSPrincipalUnknown);
  // Version 2 does not exist yet: mint it with the version-1 key but claim version 2.
  crypto::Key key = server_key(1);
  cloud::OnPremUser u{"alice", "alice@contoso.test", "contoso.test", "CONTOSO",
                      *pac::Sid::parse(store::rid_sid(domain_, 1105))};
  auto minted = cloud::mint_partial_tgt(u, {kBranch, 2, &key}, {}, clock_, rng_);
  ASSERT_TRUE(minted);
  expect_refused(trade(*client::open_as_rep(minted->as_rep, minted->client_key)), Errc::kBadKeyVer);
}

TEST_F(RodcTrade, PreviousKeyVersionStillTradesAfterARotation) {
  client::Credential before = partial("alice", 1105, 1);
  auto rotated = rotate_kerberos_server_key(*store_, "test", mk_, clock_, rng_);
  ASSERT_TRUE(rotated) << rotated.error().to_string();
  EXPECT_EQ(rotated->key_version, 2);
  ASSERT_TRUE(trade(before)) << last_log_.detail;
  ASSERT_TRUE(trade(partial("alice", 1105, 2))) << last_log_.detail;
  // Two rotations later version 1 is gone.
  ASSERT_TRUE(rotate_kerberos_server_key(*store_, "test", mk_, clock_, rng_));
  expect_refused(trade(before), Errc::kBadKeyVer);
}

TEST_F(RodcTrade, TamperedTicketIsBadIntegrity) {
  client::Credential c = partial("alice", 1105);
  c.ticket.enc_part.cipher[c.ticket.enc_part.cipher.size() / 2] ^= 0x01;
  expect_refused(trade(c), Errc::kBadIntegrity);
}

TEST_F(RodcTrade, PacWithoutRequestorLogonInfoOrClientInfoIsRevoked) {
  expect_refused(trade(sealed_rodc_tgt("alice", [](pac::Pac& p) { p.requestor.reset(); })),
                 Errc::kTgtRevoked);
  expect_refused(trade(sealed_rodc_tgt("alice", [](pac::Pac& p) { p.logon_info.reset(); })),
                 Errc::kTgtRevoked);
  expect_refused(trade(sealed_rodc_tgt("alice", [](pac::Pac& p) { p.client_info.reset(); })),
                 Errc::kTgtRevoked);
  // And the control: the same helper with the PAC untouched trades.
  ASSERT_TRUE(trade(sealed_rodc_tgt("alice", [](pac::Pac&) {}))) << last_log_.detail;
}

TEST_F(RodcTrade, PacNamingAnotherAccountsSidIsRefusedLoudly) {
  // The cloud's synced SID for alice changed to bob's: never bob's TGT, never alice's.
  expect_refused(trade(partial("alice", 1112)), Errc::kTgtRevoked);
  EXPECT_NE(last_log_.alert.find("S-1-5-21-1-2-3-1112"), std::string::npos) << last_log_.alert;
  // The cloud renamed bob's record to alice while keeping bob's SID: the same.
  last_log_ = {};
  expect_refused(trade(partial("bob", 1105)), Errc::kTgtRevoked);
  EXPECT_FALSE(last_log_.alert.empty());
  EXPECT_NE(format_log_line(last_log_, {}, "p").find("alert="), std::string::npos);
}

TEST_F(RodcTrade, ForgedGroupsInTheRodcPacAreDropped) {
  auto forged = sealed_rodc_tgt("alice", [](pac::Pac& p) {
    p.logon_info->group_ids.push_back({512, pac::kGroupAttributesDefault});
    p.logon_info->group_ids.push_back({519, pac::kGroupAttributesDefault});
  });
  auto r = trade(forged);
  ASSERT_TRUE(r) << r.error().to_string() << " / " << last_log_.detail;
  const crypto::Key k = *account_key(load("krbtgt"), crypto::EncType::kAes256CtsHmacSha196, 0, mk_);
  EXPECT_EQ(rids(pac_of(r->credential.ticket, k, k)), (std::vector<std::uint32_t>{513, 1200}));
}

TEST_F(RodcTrade, PacSignedWithTheWrongRodcIdentifierIsRefused) {
  crypto::Key key = server_key(1);
  client::Credential c = sealed_rodc_tgt("alice", [](pac::Pac&) {});
  // Re-seal the same contents claiming branch 4711 in the kvno but signing as branch 1.
  auto plain = *crypto::decrypt(key, crypto::KeyUsage::kKdcRepTicket, c.ticket.enc_part.cipher);
  auto part = *der::decode<krb5::EncTicketPart>(plain.reveal());
  auto p = pac::parse(**find_pac(part))->pac;
  part.authorization_data.reset();
  SealRequest seal{"CONTOSO.TEST",
                   c.ticket.sname,
                   std::move(part),
                   std::move(p),
                   &key,
                   cloud::rodc_kvno(kBranch, 1),
                   &key,
                   std::uint16_t{1},
                   false};
  c.ticket = *seal_ticket(std::move(seal), rng_);
  expect_refused(trade(c), Errc::kBadIntegrity);
}

TEST_F(RodcTrade, RodcWithoutPartialSecretsOrLinkIsPolicy) {
  auto info = *read_kerberos_server(*store_);
  ASSERT_TRUE(store_->transact([&](store::DirectoryTxn& t) -> Result<void> {
    auto c = *KB_TRY(t.account_by_rid(info->computer_rid));
    c.user_account_control &= ~store::uac::kPartialSecretsAccount;
    return t.put_account(c);
  }));
  expect_refused(trade(partial("alice", 1105)), Errc::kPolicy);
  ASSERT_TRUE(store_->transact([&](store::DirectoryTxn& t) -> Result<void> {
    auto c = *KB_TRY(t.account_by_rid(info->computer_rid));
    c.user_account_control |= store::uac::kPartialSecretsAccount;
    c.attributes.erase(attr::kKrbTgtLink);
    return t.put_account(c);
  }));
  expect_refused(trade(partial("alice", 1105)), Errc::kPolicy);
}

TEST_F(RodcTrade, S4uSelfWithAnRodcTgtIsRefused) {
  expect_refused(trade(partial("alice", 1105), false, {2, {"krbtgt", "CONTOSO.TEST"}},
                       {krb5::PaData{krb5::padata_type::kForUser, Bytes{0x30, 0x00}}}),
                 Errc::kCPrincipalUnknown);
}

TEST_F(RodcTrade, HighBranchIdsTravelAsNegativeKvnos) {
  ASSERT_TRUE(remove_kerberos_server(*store_));
  ASSERT_TRUE(create_kerberos_server(*store_, spec(40000), mk_, clock_, rng_));
  client::Credential c = partial("alice", 1105, 1, 40000);
  // MS-KILE §3.1.5.8: kvno 40000 << 16 | 1 is negative as a signed 32-bit integer and must
  // be a 4-byte two's-complement INTEGER on the wire (digest D.2, I).
  const Bytes ticket = der::encode(c.ticket);
  const Bytes kvno_field{0xa1, 0x06, 0x02, 0x04, 0x9c, 0x40, 0x00, 0x01};
  EXPECT_NE(std::search(ticket.begin(), ticket.end(), kvno_field.begin(), kvno_field.end()),
            ticket.end());
  ASSERT_TRUE(trade(c)) << last_log_.detail;
}

TEST_F(RodcTrade, KeyListReturnsTheNtHashForAnAllowedUser) {
  auto r = trade(partial("alice", 1105), true);
  ASSERT_TRUE(r) << r.error().to_string() << " / " << last_log_.detail;
  ASSERT_TRUE(r->nt_hash);
  // MD4(UTF-16LE("password")), the well-known NT hash of "password".
  EXPECT_EQ(hex_encode(r->nt_hash->reveal()), "8846f7eaee8fb117ad06bdd830b7586c");
}

TEST_F(RodcTrade, KeyListIsNeverAnsweredForADeniedUserOrANormalTgt) {
  expect_refused(trade(partial("dadmin", 1106), true), Errc::kTgtRevoked);
  auto full = trade(partial("alice", 1105));
  ASSERT_TRUE(full);
  auto again = trade(full->credential, true);
  ASSERT_TRUE(again) << last_log_.detail;
  EXPECT_FALSE(again->nt_hash);
}

TEST_F(RodcTrade, EditingThePolicyAllowsADomainAdminOnlyWhenNoDenyRemains) {
  auto w = edit_prp(*store_, {PrpList::kRevealOnDemand, true, "Domain Admins"});
  ASSERT_TRUE(w) << w.error().to_string();
  EXPECT_FALSE(w->empty());  // a warning about a privileged group
  expect_refused(trade(partial("dadmin", 1106)), Errc::kTgtRevoked);  // deny still wins
  ASSERT_TRUE(edit_prp(*store_, {PrpList::kNeverReveal, false, "Domain Admins"}));
  expect_refused(trade(partial("dadmin", 1106)), Errc::kTgtRevoked);  // via BUILTIN\Administrators
  ASSERT_TRUE(edit_prp(*store_, {PrpList::kNeverReveal, false, "S-1-5-32-544"}));
  // Domain Admins is a default member of the Denied RODC Password Replication Group.
  expect_refused(trade(partial("dadmin", 1106)), Errc::kTgtRevoked);
  EXPECT_NE(last_log_.detail.find("Denied RODC"), std::string::npos) << last_log_.detail;
  ASSERT_TRUE(
      edit_prp(*store_, {PrpList::kNeverReveal, false, "Denied RODC Password Replication Group"}));
  ASSERT_TRUE(trade(partial("dadmin", 1106))) << last_log_.detail;
  auto missing = edit_prp(*store_, {PrpList::kNeverReveal, false, "Domain Admins"});
  ASSERT_FALSE(missing);
  EXPECT_TRUE(missing.error().is(store::Errc::kNotFound));
}

TEST(PrpDecision, DenyWinsThenAllowElseDeny) {
  EXPECT_FALSE(prp_decision({"u", "a", "d"}, {"d"}, {"a"}).allowed);
  EXPECT_EQ(prp_decision({"u", "a", "d"}, {"d"}, {"a"}).deciding_sid, "d");
  EXPECT_TRUE(prp_decision({"u", "a"}, {"d"}, {"a"}).allowed);
  EXPECT_FALSE(prp_decision({"u"}, {"d"}, {"a"}).allowed);
  EXPECT_EQ(prp_decision({"u"}, {"d"}, {"a"}).deciding_sid, "");
}

}  // namespace
}  // namespace kb::kdc
