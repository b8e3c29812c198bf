#include "demo/partial_tgt_demo.h"

#include <iomanip>
#include <sstream>

#include "base/subprocess.h"
#include "cloud/partial_tgt.h"
#include "demo/narrator.h"
#include "formats/ccache.h"
#include "formats/keytab.h"
#include "kdc/ticket_seal.h"
#include "pac/pac.h"
#include "pac/sign.h"

namespace kb::demo {
namespace {

constexpr const char* kRealm = "CONTOSO.TEST";

std::uint32_t unix_seconds(const krb5::KerberosTime& t) {
  return static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(t.to_sys().time_since_epoch()).count());
}

std::string hex32(std::uint32_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << std::setw(8) << std::setfill('0') << v;
  return s.str();
}

std::string format_time(const krb5::KerberosTime& t) {
  return der::format_generalized_time(t);
}

class Demo {
 public:
  explicit Demo(std::ostream& out) : n_(out, ""), dir_("keybridge-demo") {}

  int run() { return n_.finish(steps(), dir_.path().string()); }

 private:
  Result<void> steps() {
    crypto::SystemRng rng;
    SystemClock clock;

    step("An on-premises domain and a synced user");
    cloud::OnPremUser user{"alice", "alice@contoso.test", "contoso.test", "CONTOSO",
                           KB_TRY(pac::Sid::parse("S-1-5-21-3623811015-3361044348-30300820-1105"))};
    say("domain contoso.test (realm " + std::string(kRealm) + ", NetBIOS CONTOSO)");
    say("user alice, objectSid " + user.sid.to_string());

    step("The Kerberos server object (the RODC-style key the cloud holds for the domain)");
    Bytes b(2);
    rng.fill(b);
    // A branch id above 32767 shows the signed kvno encoding that Windows and Samba need.
    auto branch =
        static_cast<std::uint16_t>(0x8000u | ((unsigned{b[0]} << 8 | unsigned{b[1]}) & 0x7fffu));
    const std::uint16_t version = 1;
    crypto::Key server_key = crypto::Key::random(crypto::EncType::kAes256CtsHmacSha196, rng);
    const std::uint32_t kvno = cloud::rodc_kvno(branch, version);
    say("branch id " + std::to_string(branch) + ", key version " + std::to_string(version) +
        ", key " + crypto::to_string(server_key));
    say("ticket kvno = (branch << 16) | version = " + hex32(kvno) + " (" +
        std::to_string(static_cast<std::int32_t>(kvno)) + " as the signed 32-bit number AD uses)");

    step("The cloud mints a partial TGT for alice");
    auto t = KB_TRY(cloud::mint_partial_tgt(user, {branch, version, &server_key}, {}, clock, rng));
    auto rep = KB_TRY(der::decode<krb5::AsRep>(t.as_rep));
    say("AS-REP of " + std::to_string(t.as_rep.size()) + " bytes for " + rep.cname.name_string[0] +
        "@" + rep.crealm + ", ticket for krbtgt/" + rep.ticket.realm);
    Bytes ticket_der = der::encode(rep.ticket);
    say("ticket enc-part: etype " + std::to_string(rep.ticket.enc_part.etype) + ", kvno " +
        hex32(*rep.ticket.enc_part.kvno) + ", " +
        std::to_string(rep.ticket.enc_part.cipher.size()) + " bytes of ciphertext");

    step("The device unwraps it with tgt_client_key (AS-REP enc-part, key usage 3)");
    auto plain =
        KB_TRY(crypto::decrypt(t.client_key, crypto::KeyUsage::kAsRepEncPart, rep.enc_part.cipher));
    auto part = KB_TRY(der::decode<krb5::EncAsRepPart>(plain.reveal()));
    say("session key: " + to_string(part.key.keyvalue) + " of etype " +
        std::to_string(part.key.keytype));
    say("valid " + format_time(part.authtime) + " to " + format_time(part.endtime) +
        ", renewable until " + format_time(*part.renew_till));

    step("What a writable DC checks: the branch key decrypts it and the PAC is the RODC's");
    auto etp_plain = KB_TRY(
        crypto::decrypt(server_key, crypto::KeyUsage::kKdcRepTicket, rep.ticket.enc_part.cipher));
    auto etp = KB_TRY(der::decode<krb5::EncTicketPart>(etp_plain.reveal()));
    auto pac_bytes = KB_TRY(kdc::find_pac(etp));
    if (!pac_bytes) return Error(BaseErrc::kNotFound, "the ticket carries no PAC");
    auto parsed = KB_TRY(pac::parse(*pac_bytes));
    KB_CHECK(pac::verify(parsed, {server_key, &server_key, std::nullopt, branch}));
    say("PAC of " + std::to_string(pac_bytes->size()) +
        " bytes: server and KDC signatures verify, " + "RODC identifier " +
        std::to_string(*parsed.pac.kdc_checksum->rodc_identifier));
    auto sid = KB_TRY(parsed.pac.logon_info->user_sid());
    say("user SID in the PAC: " + sid.to_string() +
        (sid == user.sid ? " (matches alice)" : " (MISMATCH)"));
    say("groups in the PAC: " + std::to_string(parsed.pac.logon_info->group_ids.size()) +
        " (Domain Users only; the DC rebuilds the real list)");
    if (sid != user.sid) return Error(BaseErrc::kInvalidArgument, "SID mismatch");

    step("MIT klist reads the ticket from a credential cache");
    std::string cc = KB_TRY(write_ccache(rep, part, ticket_der));
    std::string conf = KB_TRY(write_krb5_conf());
    KB_CHECK(show({"klist", "-e", "-f", "-c", cc}, conf));

    step("MIT kvno decrypts it with a keytab holding the Kerberos server object's key");
    std::string kt = KB_TRY(write_keytab(server_key, kvno));
    KB_CHECK(
        show({"kvno", "-c", cc, "-k", kt, std::string("krbtgt/") + kRealm + "@" + kRealm}, conf));
    return ok();
  }

  Result<std::string> write_ccache(const krb5::AsRep& rep, const krb5::EncAsRepPart& part,
                                   const Bytes& ticket_der) {
    formats::Ccache c;
    c.default_principal = {1, rep.crealm, rep.cname.name_string};
    formats::CcacheCredential cr;
    cr.client = c.default_principal;
    cr.server = {2, rep.crealm, {"krbtgt", rep.crealm}};
    cr.enctype = static_cast<std::uint16_t>(part.key.keytype);
    cr.key = part.key.keyvalue.clone();
    cr.authtime = unix_seconds(part.authtime);
    cr.starttime = part.starttime ? unix_seconds(*part.starttime) : cr.authtime;
    cr.endtime = unix_seconds(part.endtime);
    cr.renew_till = part.renew_till ? unix_seconds(*part.renew_till) : 0;
    cr.ticket_flags = part.flags.bits;
    cr.ticket = ticket_der;
    c.credentials.push_back(std::move(cr));
    auto path = dir_.path() / "ccache";
    KB_CHECK(formats::write_private_file(path, KB_TRY(formats::encode_ccache(c))));
    return "FILE:" + path.string();
  }

  Result<std::string> write_keytab(const crypto::Key& key, std::uint32_t kvno) {
    std::vector<formats::KeytabEntry> kt(1);
    kt[0].components = {"krbtgt", kRealm};
    kt[0].realm = kRealm;
    kt[0].name_type = 2;
    kt[0].kvno = kvno;
    kt[0].enctype = static_cast<std::int32_t>(key.enctype());
    kt[0].key = key.bytes().clone();
    auto path = dir_.path() / "krbtgt_AzureAD.keytab";
    KB_CHECK(formats::write_private_file(path, KB_TRY(formats::encode_keytab(kt))));
    return path.string();
  }

  // A private krb5.conf whose KDC is a closed port: nothing here may reach a KDC.
  Result<std::string> write_krb5_conf() {
    auto path = dir_.path() / "krb5.conf";
    std::string text = "[libdefaults]\n default_realm = " + std::string(kRealm) +
                       "\n dns_lookup_kdc = false\n[realms]\n " + kRealm +
                       " = {\n  kdc = 127.0.0.1:9\n }\n";
    KB_CHECK(formats::write_private_file(path, as_bytes(text)));
    return path.string();
  }

  Result<void> show(const std::vector<std::string>& argv, const std::string& conf) {
    return n_.show(argv, {{"KRB5_CONFIG", conf}, {"LC_ALL", "C"}});
  }
  void step(const std::string& what) { n_.step(what); }
  void say(const std::string& what) { n_.say(what); }

  Narrator n_;
  TempDir dir_;
};

}  // namespace

int run_partial_tgt_demo(std::ostream& out) {
  return Demo(out).run();
}

}  // namespace kb::demo
