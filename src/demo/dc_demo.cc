#include "demo/dc_demo.h"

#include "base/subprocess.h"
#include "client/credential_ccache.h"
#include "cloud/partial_tgt.h"
#include "crypto/master_key.h"
#include "demo/narrator.h"
#include "formats/keytab.h"
#include "kdc/accounts.h"
#include "kdc/kdc.h"
#include "kdc/kerberos_server.h"
#include "net/kdc_service.h"
#include "store/sqlite/sqlite_directory.h"

namespace kb::demo {
namespace {

class DcDemo {
 public:
  explicit DcDemo(std::ostream& out) : n_(out, "DC "), dir_("keybridge-dc-demo") {}

  int run() {
    auto r = steps();
    if (transport_) transport_->stop();
    return n_.finish(r, dir_.path().string());
  }

 private:
  Result<void> steps() {
    step("A domain: contoso.test, in an embedded directory under a master key");
    auto master = KB_TRY(crypto::MasterKey::create_stash(dir_.path() / "master.stash", rng_));
    mk_ = std::make_unique<crypto::MasterKey>(std::move(master));
    store_ =
        KB_TRY(store::sqlite::SqliteDirectoryStore::open((dir_.path() / "directory.db").string()));
    auto domain = KB_TRY(kdc::provision_domain(
        *store_, {"contoso.test", "", "", SecretString("Demo-Admin-1")}, *mk_, clock_, rng_));
    say("realm " + domain.realm + ", domain SID " + domain.sid +
        ", krbtgt and Administrator created");

    store::Account alice;
    store::Account web;
    KB_CHECK(store_->transact([&](store::DirectoryTxn& t) -> Result<void> {
      alice.rid = KB_TRY(t.allocate_rid());
      alice.sam_account_name = "alice";
      alice.user_principal_name = "alice@contoso.test";
      alice.display_name = "Alice";
      KB_CHECK(kdc::set_password(alice, domain, SecretString("Demo-Alice-1"), *mk_, clock_, rng_));
      KB_CHECK(t.put_account(alice));
      web.rid = KB_TRY(t.allocate_rid());
      web.sam_account_name = "websvc";
      web.service_principal_names = {"HTTP/web.contoso.test"};
      web.user_account_control = store::uac::kNormalAccount | store::uac::kDontExpirePassword;
      KB_CHECK(kdc::set_random_keys(web, domain, *mk_, clock_, rng_));
      return t.put_account(web);
    }));
    say("user alice (RID " + std::to_string(alice.rid) +
        "), service account websvc with SPN HTTP/web.contoso.test");

    step("The KDC serves the domain on loopback (UDP and TCP)");
    directory_ = std::make_unique<kdc::KdcDirectory>(*store_, *mk_);
    kdc_ = std::make_unique<kdc::Kdc>(
        *directory_, clock_, rng_, kdc::KdcPolicy{},
        [this](const kdc::RequestLog& l, std::chrono::microseconds d, std::string_view peer) {
          std::lock_guard lock(mu_);
          log_lines_.push_back(kdc::format_log_line(l, d, peer));
        });
    handler_ = std::make_unique<net::KdcService>(*kdc_);
    transport_ = KB_TRY(net::KdcTransport::start({.listen = {"127.0.0.1:0"}}, *handler_));
    const auto port = transport_->bound().at(0).port;
    say("listening on 127.0.0.1:" + std::to_string(port));
    KB_CHECK(write_conf(port));

    step("MIT kinit gets alice a TGT (password on stdin, encrypted-timestamp pre-authentication)");
    KB_CHECK(show({"kinit", "alice@CONTOSO.TEST"}, "Demo-Alice-1\n"));
    step("MIT kvno gets a service ticket for HTTP/web.contoso.test");
    KB_CHECK(show({"kvno", "HTTP/web.contoso.test"}));
    step("MIT kvno -k decrypts it with the keytab of the service account");
    KB_CHECK(write_keytab(web, domain));
    KB_CHECK(
        show({"kvno", "-k", (dir_.path() / "websvc.keytab").string(), "HTTP/web.contoso.test"}));
    step("MIT klist shows both tickets");
    KB_CHECK(show({"klist", "-e", "-f"}));
    KB_CHECK(trade_steps(domain, alice));
    step("The KDC's log: one line per request");
    std::lock_guard lock(mu_);
    for (const auto& l : log_lines_) say(l);
    return ok();
  }

  // Issue 5: what the DC does with a cloud sign-in's partial TGT.
  Result<void> trade_steps(const store::Domain& domain, const store::Account& alice) {
    step(
        "A Kerberos server object: the RODC-style computer AzureADKerberos$ and the disabled "
        "krbtgt_AzureAD holding its key, under a branch id");
    kdc::KerberosServerSpec spec;
    spec.updated_from = "demo";
    const auto info = KB_TRY(kdc::create_kerberos_server(*store_, spec, *mk_, clock_, rng_));
    say(info.computer_dn + " -> " + info.krbtgt_dn + ", branch id " +
        std::to_string(info.branch_id) + ", key version " + std::to_string(info.key_version));
    say("password replication policy: Domain Users allowed; Domain Admins, Enterprise Admins, "
        "Schema Admins, Administrators and the Denied RODC group denied");

    step(
        "The cloud mints alice's partial TGT with that key (her SID only, kvno = branch << 16 | "
        "version); it goes into a credential cache as a sign-in would leave it");
    KB_CHECK(write_partial(domain, alice, "partial.ccache", info));
    KB_CHECK(show({"klist", "-e"}, "", "partial.ccache"));
    step(
        "MIT kvno presents the partial TGT: the DC decrypts it with the branch key, checks the "
        "RODC PAC and the policy, and issues a service ticket with alice's groups");
    KB_CHECK(show({"kvno", "HTTP/web.contoso.test"}, "", "partial.ccache"));

    step(
        "The Administrator's partial TGT is refused: privileged accounts are denied by the "
        "policy (reference 002: a Domain Admin's security-key sign-in gets no full TGT)");
    store::Account admin;
    KB_CHECK(store_->read([&](store::DirectoryTxn& t) -> Result<void> {
      admin = *KB_TRY(t.account_by_rid(store::kRidAdministrator));
      return ok();
    }));
    KB_CHECK(write_partial(domain, admin, "admin.ccache", info));
    say("$ kvno HTTP/web.contoso.test   (with the Administrator's partial TGT)");
    const RunResult refused = run_program({"kvno", "HTTP/web.contoso.test"}, env("admin.ccache"));
    say(refused.out);
    if (refused.exit_code == 0) {
      return Error(BaseErrc::kInvalidArgument, "the DC traded a Domain Admin's partial TGT");
    }
    return ok();
  }

  Result<void> write_partial(const store::Domain& domain, const store::Account& a,
                             const std::string& file, const kdc::KerberosServerInfo& info) {
    const crypto::Key key = KB_TRY(kdc::kerberos_server_key(*store_, *mk_));
    cloud::OnPremUser u{a.sam_account_name, a.user_principal_name, domain.dns_name,
                        domain.netbios_name,
                        KB_TRY(pac::Sid::parse(store::rid_sid(domain, a.rid)))};
    auto minted = KB_TRY(
        cloud::mint_partial_tgt(u, {info.branch_id, info.key_version, &key}, {}, clock_, rng_));
    const client::Credential c = KB_TRY(client::open_as_rep(minted.as_rep, minted.client_key));
    return formats::write_private_file(dir_.path() / file,
                                       KB_TRY(formats::encode_ccache(client::ccache_of(c))));
  }

  Result<void> write_conf(std::uint16_t port) {
    std::string text =
        "[libdefaults]\n default_realm = CONTOSO.TEST\n dns_lookup_kdc = false\n"
        " dns_lookup_realm = false\n rdns = false\n dns_canonicalize_hostname = false\n"
        "[realms]\n CONTOSO.TEST = {\n  kdc = 127.0.0.1:" +
        std::to_string(port) +
        "\n }\n"
        "[domain_realm]\n .contoso.test = CONTOSO.TEST\n";
    return formats::write_private_file(dir_.path() / "krb5.conf", as_bytes(text));
  }

  Result<void> write_keytab(const store::Account& web, const store::Domain& domain) {
    std::vector<formats::KeytabEntry> kt;
    for (crypto::EncType e :
         {crypto::EncType::kAes256CtsHmacSha196, crypto::EncType::kAes128CtsHmacSha196}) {
      formats::KeytabEntry entry;
      entry.components = {"HTTP", "web.contoso.test"};
      entry.realm = domain.realm;
      entry.name_type = 3;
      entry.kvno = kdc::current_kvno(web);
      entry.enctype = static_cast<std::int32_t>(e);
      entry.key = KB_TRY(kdc::account_key(web, e, 0, *mk_)).bytes().clone();
      kt.push_back(std::move(entry));
    }
    return formats::write_private_file(dir_.path() / "websvc.keytab",
                                       KB_TRY(formats::encode_keytab(kt)));
  }

  std::map<std::string, std::string> env(const std::string& ccache) const {
    return {{"KRB5_CONFIG", (dir_.path() / "krb5.conf").string()},
            {"KRB5CCNAME", "FILE:" + (dir_.path() / ccache).string()},
            {"LC_ALL", "C"}};
  }
  Result<void> show(const std::vector<std::string>& argv, const std::string& input = "",
                    const std::string& ccache = "ccache") {
    return n_.show(argv, env(ccache), input);
  }
  void step(const std::string& what) { n_.step(what); }
  void say(const std::string& what) { n_.say(what); }

  Narrator n_;
  TempDir dir_;
  crypto::SystemRng rng_;
  SystemClock clock_;
  std::unique_ptr<crypto::MasterKey> mk_;
  std::unique_ptr<store::sqlite::SqliteDirectoryStore> store_;
  std::unique_ptr<kdc::KdcDirectory> directory_;
  std::unique_ptr<kdc::Kdc> kdc_;
  std::unique_ptr<net::KdcService> handler_;
  std::unique_ptr<net::KdcTransport> transport_;
  std::mutex mu_;
  std::vector<std::string> log_lines_;
};

}  // namespace

int run_dc_demo(std::ostream& out) {
  return DcDemo(out).run();
}

}  // namespace kb::demo
