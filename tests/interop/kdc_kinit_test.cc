// MIT kinit (krb5-user 1.20) gets TGTs from our KDC over loopback: the encrypted-timestamp
// round trip, refusals with the messages MIT prints for each code, forwardable and
// renewable tickets, TCP when UDP is refused, and a PAC that libkrb5 verifies.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <krb5/krb5.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <random>

#include "apache_gssapi.h"
#include "client/credential_ccache.h"
#include "client/tgs_client.h"
#include "cloud/partial_tgt.h"
#include "crypto/master_key.h"
#include "formats/ccache.h"
#include "formats/keytab.h"
#include "kdc/accounts.h"
#include "kdc/kdc.h"
#include "kdc/kerberos_server.h"
#include "kdc/ticket_seal.h"
#include "mit_krb5.h"
#include "net/kdc_transport.h"
#include "pac/pac.h"
#include "process.h"
#include "store/sqlite/sqlite_directory.h"

namespace kb::kdc {
namespace {

using kb::testing::run;
using kb::testing::TempDir;

// The transport hands every request to the KDC and keeps its log records for the test.
class KdcHandler : public net::KdcHandler {
 public:
  KdcHandler(KdcDirectory& dir, const Clock& clock, Rng& rng)
      : kdc_(dir, clock, rng, KdcPolicy{},
             [this](const RequestLog& l, std::chrono::microseconds d, std::string_view peer) {
               std::lock_guard lock(mu_);
               logs.push_back(l);
               lines.push_back(format_log_line(l, d, peer));
             }) {}
  Bytes handle(ByteView req, const net::RequestContext& ctx) override {
    return kdc_.handle(req, ctx.udp, ctx.peer);
  }
  Bytes field_too_long(const net::RequestContext&) override { return kdc_.field_too_long(); }
  std::vector<RequestLog> logs;
  std::vector<std::string> lines;

 private:
  Kdc kdc_;
  std::mutex mu_;
};

class KinitAgainstOurKdc : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(kb::testing::find_program("kinit").empty()) << "kinit (krb5-user) is missing";
    store_ =
        std::move(*store::sqlite::SqliteDirectoryStore::open((dir_.path() / "dir.db").string()));
    auto d =
        provision_domain(*store_, {"contoso.test", "", "S-1-5-21-1-2-3", SecretString("Adm1n!pw")},
                         mk_, clock_, rng_);
    ASSERT_TRUE(d) << d.error().to_string();
    domain_ = *d;
    add_user(1105, "alice", "Al1ce-pw", 0);
    add_user(1106, "bob", "B0b-pw", store::uac::kAccountDisable);
    add_user(1107, "carol", "C4rol-pw", 0, /*must_change=*/true);
    add_user(1108, "dave", "D4ve-pw", store::uac::kNotDelegated);
    ASSERT_TRUE(store_->transact([&](store::DirectoryTxn& t) -> Result<void> {
      return t.put_group({"S-1-5-21-1-2-3-2001", "Engineers", {"S-1-5-21-1-2-3-1105"}});
    }));
    add_service(1200, "websvc", "HTTP/web.contoso.test");
    directory_ = std::make_unique<KdcDirectory>(*store_, mk_);
    handler_ = std::make_unique<KdcHandler>(*directory_, clock_, rng_);
    auto t = net::KdcTransport::start({.listen = {"127.0.0.1:0"}, .threads = 2}, *handler_);
    ASSERT_TRUE(t) << t.error().to_string();
    transport_ = std::move(*t);
    write_conf(false);
  }
  void TearDown() override {
    if (transport_) transport_->stop();
  }

  void add_user(std::uint32_t rid, const std::string& sam, const std::string& pw, std::uint32_t uac,
                bool must_change = false) {
    store::Account a;
    a.rid = rid;
    a.sam_account_name = sam;
    a.user_principal_name = sam + "@contoso.test";
    a.user_account_control = store::uac::kNormalAccount | uac;
    ASSERT_TRUE(set_password(a, domain_, SecretString(pw), mk_, clock_, rng_));
    if (must_change) a.pwd_last_set = 0;
    ASSERT_TRUE(store_->transact([&](store::DirectoryTxn& t) { return t.put_account(a); }));
  }

  void add_service(std::uint32_t rid, const std::string& sam, const std::string& spn) {
    store::Account a;
    a.rid = rid;
    a.sam_account_name = sam;
    a.service_principal_names = {spn};
    a.user_account_control = store::uac::kNormalAccount | store::uac::kDontExpirePassword;
    ASSERT_TRUE(set_random_keys(a, domain_, mk_, clock_, rng_));
    ASSERT_TRUE(store_->transact([&](store::DirectoryTxn& t) { return t.put_account(a); }));
  }

  // The service's keys as `keytab export` will write them.
  std::string export_keytab(const std::string& sam, const std::vector<std::string>& principal) {
    auto svc = directory_->client(krb5::PrincipalName{1, {sam}});
    EXPECT_TRUE(svc);
    std::vector<formats::KeytabEntry> kt;
    for (crypto::EncType e :
         {crypto::EncType::kAes256CtsHmacSha196, crypto::EncType::kAes128CtsHmacSha196}) {
      formats::KeytabEntry entry;
      entry.components = principal;
      entry.realm = "CONTOSO.TEST";
      entry.name_type = 3;
      entry.kvno = current_kvno(*svc);
      entry.enctype = static_cast<std::int32_t>(e);
      entry.key = (*directory_->key(*svc, e, 0))->bytes().clone();
      kt.push_back(std::move(entry));
    }
    auto path = dir_.path() / (sam + ".keytab");
    EXPECT_TRUE(formats::write_private_file(path, *formats::encode_keytab(kt)));
    return path.string();
  }

  void write_conf(bool tcp_only) {
    std::string port = std::to_string(transport_->bound().at(0).port);
    std::string text =
        "[libdefaults]\n default_realm = CONTOSO.TEST\n dns_lookup_kdc = false\n"
        " dns_lookup_realm = false\n rdns = false\n dns_canonicalize_hostname = false\n";
    if (tcp_only) text += " udp_preference_limit = 1\n";
    text += "[realms]\n CONTOSO.TEST = {\n  kdc = 127.0.0.1:" + port + "\n }\n";
    text += "[domain_realm]\n .contoso.test = CONTOSO.TEST\n contoso.test = CONTOSO.TEST\n";
    ASSERT_TRUE(formats::write_private_file(dir_.path() / "krb5.conf", as_bytes(text)));
  }

  std::map<std::string, std::string> env() const {
    return {{"KRB5_CONFIG", (dir_.path() / "krb5.conf").string()},
            {"KRB5CCNAME", "FILE:" + (dir_.path() / "cc").string()},
            {"KRB5_TRACE", (dir_.path() / "trace.log").string()},
            {"LC_ALL", "C"}};
  }

  RunResult kinit(const std::vector<std::string>& args, const std::string& password) {
    std::vector<std::string> argv = {"kinit"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, env(), password + "\n", 30);
  }

  // gss-client (with the ccache in env()) to gss-server (with the exported keytab).
  void gss_round_trip() {
    ASSERT_FALSE(kb::testing::find_program("gss-server").empty())
        << "gss-server (krb5-gss-samples) is missing";
    std::string keytab = export_keytab("websvc", {"HTTP", "web.contoso.test"});
    // A free port: bind, read, release (gss-server has no "port 0").
    auto probe = net::KdcTransport::start({.listen = {"127.0.0.1:0"}, .threads = 1, .udp = false},
                                          *handler_);
    ASSERT_TRUE(probe);
    std::string port = std::to_string((*probe)->bound().at(0).port);
    (*probe)->stop();
    BackgroundProcess server;
    auto server_env = env();
    ASSERT_TRUE(server.start(
        {"gss-server", "-port", port, "-once", "-keytab", keytab, "HTTP@web.contoso.test"},
        server_env, dir_.path() / "gss-server.log"));
    RunResult client;
    for (int i = 0; i < 50; ++i) {  // until the server listens
      client = run(
          {"gss-client", "-port", port, "127.0.0.1", "HTTP@web.contoso.test", "hello from alice"},
          env(), "", 20);
      if (client.out.find("connecting") == std::string::npos || client.exit_code == 0) break;
      ::usleep(100000);
    }
    EXPECT_EQ(client.exit_code, 0) << client.out;
    EXPECT_NE(client.out.find("Signature verified"), std::string::npos) << client.out;
    server.wait(5000);
    server.stop();
    auto log = formats::read_file(dir_.path() / "gss-server.log", 1 << 20);
    ASSERT_TRUE(log);
    EXPECT_NE(as_chars(*log).find("alice@CONTOSO.TEST"), std::string_view::npos) << as_chars(*log);
  }

  // A partial TGT minted by the cloud's code with this domain's Kerberos server object key
  // (created on first use with `branch`).
  client::Credential partial_tgt(const std::string& sam, std::uint32_t rid, std::uint16_t branch) {
    if (!*read_kerberos_server(*store_)) {
      KerberosServerSpec spec;
      spec.branch_id = branch;
      EXPECT_TRUE(create_kerberos_server(*store_, spec, mk_, clock_, rng_));
    }
    auto key = *kerberos_server_key(*store_, mk_);
    cloud::OnPremUser u{sam, sam + "@contoso.test", "contoso.test", "CONTOSO",
                        *pac::Sid::parse("S-1-5-21-1-2-3-" + std::to_string(rid))};
    auto minted = cloud::mint_partial_tgt(u, {branch, 1, &key}, {}, clock_, rng_);
    EXPECT_TRUE(minted);
    auto cred = client::open_as_rep(minted->as_rep, minted->client_key);
    EXPECT_TRUE(cred);
    return std::move(*cred);
  }

  // The credential as the only entry of the ccache in env().
  void write_cc(const client::Credential& c) {
    ASSERT_TRUE(formats::write_private_file(dir_.path() / "cc",
                                            *formats::encode_ccache(client::ccache_of(c))));
  }

  Bytes udp_exchange(const Bytes& request) {
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(transport_->bound().at(0).port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::sendto(fd, request.data(), request.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
    Bytes out(65536);
    const auto n = ::recv(fd, out.data(), out.size(), 0);
    ::close(fd);
    out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return out;
  }

  // The HTTP/web.contoso.test ticket in the ccache, decrypted with the service key.
  krb5::EncTicketPart service_ticket_part() {
    auto cc = *formats::parse_ccache(*formats::read_file(dir_.path() / "cc", 1 << 20));
    auto cred = std::find_if(cc.credentials.begin(), cc.credentials.end(),
                             [](const auto& c) { return c.server.components.at(0) == "HTTP"; });
    EXPECT_NE(cred, cc.credentials.end());
    auto ticket = *der::decode<krb5::Ticket>(cred->ticket);
    auto plain =
        *crypto::decrypt(*websvc_key(), crypto::KeyUsage::kKdcRepTicket, ticket.enc_part.cipher);
    return *der::decode<krb5::EncTicketPart>(plain.reveal());
  }

  std::shared_ptr<const crypto::Key> websvc_key() {
    auto svc = *directory_->client(krb5::PrincipalName{1, {"websvc"}});
    return *directory_->key(svc, crypto::EncType::kAes256CtsHmacSha196, 0);
  }

  // The PAC of the HTTP/web.contoso.test ticket in the ccache, verified with the service key.
  pac::Pac service_ticket_pac() {
    auto parsed = *pac::parse(**find_pac(service_ticket_part()));
    EXPECT_TRUE(pac::verify(parsed, {*websvc_key(), nullptr}));
    return parsed.pac;
  }

  crypto::SystemRng rng_;
  SystemClock clock_;
  crypto::MasterKey mk_ = crypto::MasterKey::generate(rng_);
  TempDir dir_;
  std::unique_ptr<store::sqlite::SqliteDirectoryStore> store_;
  store::Domain domain_;
  std::unique_ptr<KdcDirectory> directory_;
  std::unique_ptr<KdcHandler> handler_;
  std::unique_ptr<net::KdcTransport> transport_;
};

TEST_F(KinitAgainstOurKdc, PasswordOnStdinGetsATgtThatKlistShows) {
  auto r = kinit({"alice@CONTOSO.TEST"}, "Al1ce-pw");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto k = run({"klist", "-f", "-e"}, env());
  ASSERT_EQ(k.exit_code, 0) << k.out;
  EXPECT_NE(k.out.find("Default principal: alice@CONTOSO.TEST"), std::string::npos) << k.out;
  EXPECT_NE(k.out.find("krbtgt/CONTOSO.TEST@CONTOSO.TEST"), std::string::npos) << k.out;
  EXPECT_NE(k.out.find("Etype (skey, tkt): aes256-cts-hmac-sha1-96, aes256-cts-hmac-sha1-96"),
            std::string::npos)
      << k.out;
  // Two AS exchanges: the first answered PREAUTH_REQUIRED, the second issued the TGT.
  ASSERT_GE(handler_->logs.size(), 2u);
  EXPECT_EQ(handler_->logs[0].error_code, 25);
  EXPECT_EQ(handler_->logs.back().error_code, 0);
  EXPECT_EQ(handler_->logs.back().client, "alice");
}

TEST_F(KinitAgainstOurKdc, ForwardableAndRenewableFlagsFollowTheRequest) {
  auto r = kinit({"-f", "-r", "2d", "-l", "5h", "alice"}, "Al1ce-pw");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto k = run({"klist", "-f"}, env());
  EXPECT_NE(k.out.find("Flags: FRIA"), std::string::npos) << k.out;
  // A NOT_DELEGATED ("sensitive") account never gets a forwardable ticket.
  r = kinit({"-f", "dave"}, "D4ve-pw");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  k = run({"klist", "-f"}, env());
  auto flags_at = k.out.find("Flags: ");
  ASSERT_NE(flags_at, std::string::npos) << k.out;
  std::string flags = k.out.substr(flags_at + 7, k.out.find('\n', flags_at) - flags_at - 7);
  EXPECT_EQ(flags.find('F'), std::string::npos) << k.out;
  EXPECT_NE(flags.find('I'), std::string::npos) << k.out;
}

TEST_F(KinitAgainstOurKdc, RefusalsCarryTheCodesMitExplains) {
  auto wrong = kinit({"alice"}, "not-the-password");
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.out.find("Password incorrect while getting initial credentials"),
            std::string::npos)
      << wrong.out;

  auto unknown = kinit({"nobody"}, "x");
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.out.find("not found in Kerberos database"), std::string::npos) << unknown.out;

  auto disabled = kinit({"bob"}, "B0b-pw");
  EXPECT_NE(disabled.exit_code, 0);
  EXPECT_NE(disabled.out.find("credentials have been revoked"), std::string::npos) << disabled.out;

  auto expired = kinit({"carol"}, "C4rol-pw");
  EXPECT_NE(expired.exit_code, 0);
  EXPECT_NE(expired.out.find("Password expired.  You must change it now."), std::string::npos)
      << expired.out;

  std::vector<std::int32_t> codes;
  for (const auto& l : handler_->logs) codes.push_back(l.error_code);
  for (std::int32_t c : {24, 6, 18, 23}) {
    EXPECT_NE(std::find(codes.begin(), codes.end(), c), codes.end()) << "no reply with code " << c;
  }
}

TEST_F(KinitAgainstOurKdc, WrongPasswordsLockTheAccountAndMitSaysRevoked) {
  constexpr std::uint32_t kThreshold = 3;
  ASSERT_TRUE(store_->transact([&](store::DirectoryTxn& t) -> Result<void> {
    auto d = KB_TRY(t.domain());
    d->lockout_threshold = kThreshold;
    return t.put_domain(*d);
  }));
  for (std::uint32_t i = 0; i < kThreshold; ++i) {
    auto wrong = kinit({"alice"}, "not-the-password");
    EXPECT_NE(wrong.exit_code, 0);
    EXPECT_NE(wrong.out.find("Password incorrect"), std::string::npos) << i << ": " << wrong.out;
  }
  // Locked out: the right password is refused with KDC_ERR_CLIENT_REVOKED.
  auto locked = kinit({"alice"}, "Al1ce-pw");
  EXPECT_NE(locked.exit_code, 0);
  EXPECT_NE(locked.out.find("Client's credentials have been revoked"), std::string::npos)
      << locked.out;
  std::size_t failed = 0;
  for (const auto& l : handler_->logs) failed += l.error_code == 24 ? 1 : 0;
  EXPECT_EQ(failed, kThreshold);
  // Other accounts are unaffected.
  EXPECT_EQ(kinit({"dave"}, "D4ve-pw").exit_code, 0);
}

TEST_F(KinitAgainstOurKdc, EnterpriseNameFindsTheUpn) {
  auto r = kinit({"-E", "alice@contoso.test"}, "Al1ce-pw");
  ASSERT_EQ(r.exit_code, 0) << r.out;
}

TEST_F(KinitAgainstOurKdc, WorksOverTcp) {
  write_conf(true);
  auto r = kinit({"alice"}, "Al1ce-pw");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto trace = formats::read_file(dir_.path() / "trace.log", 1 << 20);
  ASSERT_TRUE(trace);
  EXPECT_NE(as_chars(*trace).find("stream 127.0.0.1"), std::string_view::npos);
}

TEST_F(KinitAgainstOurKdc, TgtPacHasTheUsersGroupsAndMitVerifiesIt) {
  ASSERT_EQ(kinit({"alice"}, "Al1ce-pw").exit_code, 0);
  auto cc_bytes = formats::read_file(dir_.path() / "cc", 1 << 20);
  ASSERT_TRUE(cc_bytes);
  auto cc = formats::parse_ccache(*cc_bytes);
  ASSERT_TRUE(cc) << cc.error().to_string();
  auto cred = std::find_if(cc->credentials.begin(), cc->credentials.end(),
                           [](const auto& c) { return c.server.components.at(0) == "krbtgt"; });
  ASSERT_NE(cred, cc->credentials.end());
  auto ticket = der::decode<krb5::Ticket>(cred->ticket);
  ASSERT_TRUE(ticket);
  auto krbtgt = *directory_->krbtgt();
  auto key = *directory_->key(krbtgt, crypto::EncType::kAes256CtsHmacSha196, 0);
  auto etp = der::decode<krb5::EncTicketPart>(
      crypto::decrypt(*key, crypto::KeyUsage::kKdcRepTicket, ticket->enc_part.cipher)->reveal());
  ASSERT_TRUE(etp);
  auto pac_bytes = **find_pac(*etp);
  auto parsed = *pac::parse(pac_bytes);
  const auto& li = *parsed.pac.logon_info;
  EXPECT_EQ(li.user_id, 1105u);
  std::vector<std::uint32_t> rids;
  for (const auto& g : li.group_ids) rids.push_back(g.relative_id);
  EXPECT_EQ(rids, (std::vector<std::uint32_t>{513, 2001}));
  ASSERT_EQ(li.extra_sids.size(), 1u);
  EXPECT_EQ(li.extra_sids[0].sid.to_string(), "S-1-18-1");

  krb5_context ctx = nullptr;
  ASSERT_EQ(krb5_init_context(&ctx), 0);
  krb5_pac pac = nullptr;
  ASSERT_EQ(krb5_pac_parse(ctx, pac_bytes.data(), pac_bytes.size(), &pac), 0);
  krb5_principal client = nullptr;
  ASSERT_EQ(krb5_parse_name(ctx, "alice@CONTOSO.TEST", &client), 0);
  krb5_keyblock kb = kb::testing::mit_keyblock(*key);
  const auto authtime = static_cast<krb5_timestamp>(cred->authtime);
  krb5_error_code rc = krb5_pac_verify(ctx, pac, authtime, client, &kb, &kb);
  EXPECT_EQ(rc, 0) << krb5_get_error_message(ctx, rc);
  krb5_free_principal(ctx, client);
  krb5_pac_free(ctx, pac);
  krb5_free_context(ctx);
}

TEST_F(KinitAgainstOurKdc, KvnoGetsAServiceTicketWithAPacSignedForTheService) {
  ASSERT_EQ(kinit({"alice"}, "Al1ce-pw").exit_code, 0);
  auto v = run({"kvno", "HTTP/web.contoso.test"}, env());
  ASSERT_EQ(v.exit_code, 0) << v.out;
  EXPECT_NE(v.out.find("HTTP/web.contoso.test@CONTOSO.TEST: kvno = 1"), std::string::npos) << v.out;
  // MIT kvno -k also decrypts the ticket with the exported keytab.
  auto vk = run({"kvno", "-k", export_keytab("websvc", {"HTTP", "web.contoso.test"}),
                 "HTTP/web.contoso.test"},
                env());
  EXPECT_NE(vk.out.find("keytab entry valid"), std::string::npos) << vk.out;

  auto cc = *formats::parse_ccache(*formats::read_file(dir_.path() / "cc", 1 << 20));
  auto cred = std::find_if(cc.credentials.begin(), cc.credentials.end(),
                           [](const auto& c) { return c.server.components.at(0) == "HTTP"; });
  ASSERT_NE(cred, cc.credentials.end());
  auto ticket = *der::decode<krb5::Ticket>(cred->ticket);
  auto svc = *directory_->client(krb5::PrincipalName{1, {"websvc"}});
  auto svc_key = *directory_->key(svc, crypto::EncType::kAes256CtsHmacSha196, 0);
  auto krbtgt = *directory_->krbtgt();
  auto tgt_key = *directory_->key(krbtgt, crypto::EncType::kAes256CtsHmacSha196, 0);
  auto plain = crypto::decrypt(*svc_key, crypto::KeyUsage::kKdcRepTicket, ticket.enc_part.cipher);
  ASSERT_TRUE(plain);
  auto etp = *der::decode<krb5::EncTicketPart>(plain->reveal());

  // Ours: server, KDC, full and ticket signatures.
  auto parsed = *pac::parse(**find_pac(etp));
  krb5::EncTicketPart without_pac{
      etp.flags,
      etp.key.clone(),
      etp.crealm,
      etp.cname,
      etp.transited,
      etp.authtime,
      etp.starttime,
      etp.endtime,
      etp.renew_till,
      etp.caddr,
      krb5::AuthorizationData(etp.authorization_data->begin() + 1, etp.authorization_data->end())};
  if (without_pac.authorization_data->empty()) without_pac.authorization_data.reset();
  Bytes cksum_input = *ticket_checksum_input(without_pac);
  auto ours = pac::verify(parsed, {*svc_key, tgt_key.get(), ByteView(cksum_input)});
  EXPECT_TRUE(ours) << ours.error().to_string();
  ASSERT_TRUE(parsed.pac.ticket_checksum && parsed.pac.full_checksum);
  EXPECT_EQ(parsed.pac.logon_info->user_id, 1105u);

  // MIT's: krb5_kdc_verify_ticket checks the ticket signature and the PAC signatures.
  krb5_context ctx = nullptr;
  ASSERT_EQ(krb5_init_context(&ctx), 0);
  // MIT decodes our Ticket and decrypts it itself.
  krb5_data tdata{KV5M_DATA, static_cast<unsigned int>(cred->ticket.size()),
                  reinterpret_cast<char*>(cred->ticket.data())};
  krb5_ticket* mit_ticket = nullptr;
  ASSERT_EQ(krb5_decode_ticket(&tdata, &mit_ticket), 0);
  krb5_principal server = nullptr;
  ASSERT_EQ(krb5_parse_name(ctx, "HTTP/web.contoso.test@CONTOSO.TEST", &server), 0);
  krb5_keyblock skb = kb::testing::mit_keyblock(*svc_key);
  krb5_keyblock kkb = kb::testing::mit_keyblock(*tgt_key);
  krb5_keytab kt = nullptr;
  ASSERT_EQ(
      krb5_kt_resolve(
          ctx, ("FILE:" + export_keytab("websvc", {"HTTP", "web.contoso.test"})).c_str(), &kt),
      0);
  ASSERT_EQ(krb5_server_decrypt_ticket_keytab(ctx, kt, mit_ticket), 0);
  krb5_kt_close(ctx, kt);
  krb5_pac mit_pac = nullptr;
  krb5_error_code rc =
      krb5_kdc_verify_ticket(ctx, mit_ticket->enc_part2, server, &skb, &kkb, &mit_pac);
  EXPECT_EQ(rc, 0) << krb5_get_error_message(ctx, rc);
  krb5_pac_free(ctx, mit_pac);
  krb5_free_principal(ctx, server);
  krb5_free_ticket(ctx, mit_ticket);
  krb5_free_context(ctx);
}

// MS-KILE 3.3.5.3: a service whose account has NO_AUTH_DATA_REQUIRED gets tickets without a
// PAC (what a standalone Samba or any PAC-less service needs); MIT kvno and gss-server take
// them, and the TGT still carries the PAC.
TEST_F(KinitAgainstOurKdc, NoAuthDataRequiredServiceGetsTicketsWithoutAPac) {
  ASSERT_TRUE(store_->transact([&](store::DirectoryTxn& t) -> Result<void> {
    auto a = KB_TRY(t.account_by_sam("websvc"));
    if (!a) return Error(store::Errc::kNotFound, "websvc");
    a->user_account_control |= store::uac::kNoAuthDataRequired;
    return t.put_account(*a);
  }));
  ASSERT_EQ(kinit({"alice"}, "Al1ce-pw").exit_code, 0);
  auto v = run({"kvno", "HTTP/web.contoso.test"}, env());
  ASSERT_EQ(v.exit_code, 0) << v.out;
  const auto etp = service_ticket_part();
  auto pac_bytes = find_pac(etp);
  ASSERT_TRUE(pac_bytes) << pac_bytes.error().to_string();
  EXPECT_FALSE(pac_bytes->has_value());
  EXPECT_EQ(etp.cname.name_string.at(0), "alice");
  gss_round_trip();
}

TEST_F(KinitAgainstOurKdc, KinitRenewsARenewableTgt) {
  ASSERT_EQ(kinit({"-r", "2d", "alice"}, "Al1ce-pw").exit_code, 0);
  auto r = run({"kinit", "-R"}, env());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(handler_->logs.back().kind, "TGS");
  EXPECT_EQ(handler_->logs.back().error_code, 0);
}

TEST_F(KinitAgainstOurKdc, GssServerAcceptsOurServiceTicket) {
  ASSERT_EQ(kinit({"alice"}, "Al1ce-pw").exit_code, 0);
  gss_round_trip();
}

// Issue 5: a partial TGT as the cloud mints it (branch >= 32768, so its kvno is negative on
// the wire) in the ccache; MIT's own TGS client presents it for a service ticket, which
// carries the full PAC from the directory, and gss-server accepts it.
TEST_F(KinitAgainstOurKdc, MitClientsPresentAPartialTgtAndGssServerAcceptsTheResult) {
  write_cc(partial_tgt("alice", 1105, 40000));
  auto v = run({"kvno", "HTTP/web.contoso.test"}, env());
  ASSERT_EQ(v.exit_code, 0) << v.out << "\nKDC: " << handler_->lines.back();
  EXPECT_EQ(handler_->logs.back().kind, "TGS");
  EXPECT_EQ(handler_->logs.back().error_code, 0);
  const pac::Pac p = service_ticket_pac();
  EXPECT_EQ(p.logon_info->user_id, 1105u);
  std::vector<std::uint32_t> rids;
  for (const auto& g : p.logon_info->group_ids) rids.push_back(g.relative_id);
  EXPECT_EQ(rids, (std::vector<std::uint32_t>{513, 2001}));  // Engineers: from the directory
  gss_round_trip();
}

// Issue 5: the trade itself over UDP (our client), then MIT klist shows the full TGT and
// MIT kvno and gss-client use it.
TEST_F(KinitAgainstOurKdc, TradedFullTgtIsUsedByMitToolsAndGss) {
  const client::Credential partial = partial_tgt("alice", 1105, 4711);
  client::TgsRequest req;
  req.realm = "CONTOSO.TEST";
  req.sname = krb5::PrincipalName{2, {"krbtgt", "CONTOSO.TEST"}};
  req.kdc_options = client::trade_options();
  req.key_list = true;
  auto prepared = client::build_tgs_req(partial, req, clock_, rng_);
  ASSERT_TRUE(prepared);
  auto reply = client::read_tgs_rep(udp_exchange(prepared->bytes), partial, *prepared);
  ASSERT_TRUE(reply) << reply.error().to_string() << "\nKDC: " << handler_->lines.back();
  ASSERT_TRUE(reply->nt_hash);
  EXPECT_EQ(reply->nt_hash->reveal().size(), 16u);
  EXPECT_EQ(reply->credential.ticket.enc_part.kvno, 1u);
  write_cc(reply->credential);
  auto k = run({"klist", "-f"}, env());
  ASSERT_EQ(k.exit_code, 0) << k.out;
  EXPECT_NE(k.out.find("krbtgt/CONTOSO.TEST@CONTOSO.TEST"), std::string::npos) << k.out;
  EXPECT_NE(k.out.find("Flags: FR"), std::string::npos) << k.out;
  auto v = run({"kvno", "HTTP/web.contoso.test"}, env());
  ASSERT_EQ(v.exit_code, 0) << v.out;
  gss_round_trip();
}

// A Domain Admin's partial TGT is refused with TGT_REVOKED, which MIT kvno reports.
TEST_F(KinitAgainstOurKdc, MitKvnoWithADeniedUsersPartialTgtFails) {
  ASSERT_TRUE(store_->transact([&](store::DirectoryTxn& t) -> Result<void> {
    auto g = KB_TRY(t.group_by_sid("S-1-5-21-1-2-3-512"));
    if (!g) return Error(store::Errc::kNotFound, "Domain Admins");
    g->member_sids.push_back("S-1-5-21-1-2-3-1108");
    return t.put_group(*g);
  }));
  write_cc(partial_tgt("dave", 1108, 4711));
  auto v = run({"kvno", "HTTP/web.contoso.test"}, env());
  EXPECT_NE(v.exit_code, 0);
  EXPECT_NE(v.out.find("TGT has been revoked"), std::string::npos) << v.out;
}

TEST_F(KinitAgainstOurKdc, EveryRequestGetsOneStructuredLogLine) {
  ASSERT_EQ(kinit({"alice"}, "Al1ce-pw").exit_code, 0);
  ASSERT_FALSE(handler_->lines.empty());
  const std::string& last = handler_->lines.back();
  EXPECT_EQ(last.rfind("kdc AS client=alice service=krbtgt/CONTOSO.TEST result=ok code=0 us=", 0),
            0u)
      << last;
  for (const auto& l : handler_->lines) {
    EXPECT_EQ(l.find("Al1ce-pw"), std::string::npos);  // no secrets
  }
}

// Apache httpd with mod_auth_gssapi, keyed with a keytab exported from our directory,
// answers curl --negotiate (MIT GSSAPI under curl) with 200 and logs the authenticated
// user; without a ticket it answers 401.
TEST_F(KinitAgainstOurKdc, ApacheModAuthGssapiAcceptsCurlNegotiate) {
  ASSERT_EQ(kinit({"alice"}, "Al1ce-pw").exit_code, 0);
  std::string error;
  auto apache = kb::testing::ApacheGssapi::start(
      {export_keytab("websvc", {"HTTP", "web.contoso.test"}), dir_.path() / "krb5.conf"}, &error);
  ASSERT_TRUE(apache) << error;

  auto ok_reply = apache->curl_negotiate(env());
  EXPECT_EQ(ok_reply.out, "200") << apache->logs();
  EXPECT_TRUE(apache->wait_for_access_log("alice@CONTOSO.TEST 200 GET /index.html"))
      << apache->logs();

  ASSERT_EQ(run({"kdestroy"}, env()).exit_code, 0);
  EXPECT_EQ(apache->curl_negotiate(env()).out, "401");
}

// A bounded flood (20000 datagrams, junk and near-valid AS-REQ tags, sent without reading
// replies) neither crashes nor wedges the KDC: kinit works right after, and the AS-tagged
// junk that got through the socket buffer was refused as garbage (KRB_ERR_GENERIC).
TEST_F(KinitAgainstOurKdc, UdpFloodOfJunkLeavesTheKdcServing) {
  const auto port = transport_->bound().at(0).port;
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::mt19937 gen(12345);
  for (int i = 0; i < 20000; ++i) {
    Bytes d(1 + gen() % 1400);
    for (auto& b : d) b = static_cast<std::uint8_t>(gen());
    if (i % 4 == 0) d[0] = 0x6a;  // looks like an AS-REQ: must be refused, not crash
    ::sendto(fd, d.data(), d.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  ::close(fd);
  auto r = kinit({"alice"}, "Al1ce-pw");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  std::size_t refused = 0;
  for (const auto& l : handler_->logs) refused += l.kind == "AS" && l.error_code == 60 ? 1 : 0;
  EXPECT_GT(refused, 0u);  // the AS-tagged junk reached the KDC and was refused as garbage
}

}  // namespace
}  // namespace kb::kdc
