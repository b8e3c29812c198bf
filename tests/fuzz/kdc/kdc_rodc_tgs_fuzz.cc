// The TGS path with RODC-issued tickets (issue 5): a directory with a Kerberos server
// object, and fuzz bytes placed where an attacker or a broken cloud controls them once the
// ticket decrypts. The first byte picks the place:
//   0: raw PAC bytes inside an RODC ticket sealed with the RODC key (PAC parsing),
//   1: a PAC that parses, re-signed with the RODC key (the SID, account and policy checks),
//   2: a raw EncTicketPart encrypted with the RODC key,
//   3: a whole TGS-REQ (as kdc_request, with the RODC objects present).
// Every request gets a TGS-REP or a KRB-ERROR; never a crash, a hang or an abort.
#include <cstdlib>

#include "base/subprocess.h"
#include "cloud/partial_tgt.h"
#include "crypto/master_key.h"
#include "kdc/accounts.h"
#include "kdc/kdc.h"
#include "kdc/kerberos_server.h"
#include "kdc/ticket_seal.h"
#include "pac/sign.h"
#include "store/sqlite/sqlite_directory.h"

namespace {

using namespace kb;
constexpr std::uint16_t kBranch = 40000;

struct World {
  World() : clock(SysTime(std::chrono::seconds(1800000000))), mk(crypto::MasterKey::generate(rng)) {
    store = std::move(*store::sqlite::SqliteDirectoryStore::open((dir.path() / "d.db").string()));
    auto d = kdc::provision_domain(
        *store, {"contoso.test", "", "S-1-5-21-1-2-3", SecretString("pw")}, mk, clock, rng);
    if (!d) std::abort();
    store::Account a;
    a.rid = 1105;
    a.sam_account_name = "alice";
    if (!kdc::set_password(a, *d, SecretString("password"), mk, clock, rng)) std::abort();
    if (!store->transact([&](store::DirectoryTxn& t) { return t.put_account(a); })) std::abort();
    kdc::KerberosServerSpec spec;
    spec.branch_id = kBranch;
    if (!kdc::create_kerberos_server(*store, spec, mk, clock, rng)) std::abort();
    rodc_key = std::make_unique<crypto::Key>(*kdc::kerberos_server_key(*store, mk));
    directory = std::make_unique<kdc::KdcDirectory>(*store, mk);
    kdc = std::make_unique<kdc::Kdc>(*directory, clock, rng, kdc::KdcPolicy{});
  }

  // An RODC ticket for alice whose EncTicketPart is `part`, presented in a TGS-REQ for
  // krbtgt/CONTOSO.TEST with KERB-KEY-LIST-REQ.
  Bytes request(const Bytes& enc_ticket_part) {
    krb5::Ticket t;
    t.realm = "CONTOSO.TEST";
    t.sname = krb5::PrincipalName{2, {"krbtgt", "CONTOSO.TEST"}};
    t.enc_part.etype = 18;
    t.enc_part.kvno = cloud::rodc_kvno(kBranch, 1);
    t.enc_part.cipher =
        *crypto::encrypt(*rodc_key, crypto::KeyUsage::kKdcRepTicket, enc_ticket_part, rng);
    krb5::TgsReq r;
    auto& b = r.req_body.value;
    b.realm = "CONTOSO.TEST";
    b.sname = krb5::PrincipalName{2, {"krbtgt", "CONTOSO.TEST"}};
    b.till = krb5::KerberosTime::from_sys(clock.now() + std::chrono::hours(1));
    b.nonce = 7;
    b.etype = {18};
    const Bytes body = der::encode(b);
    krb5::Authenticator au;
    au.crealm = "CONTOSO.TEST";
    au.cname = krb5::PrincipalName{1, {"alice"}};
    au.cksum = krb5::Checksum{
        16, *crypto::make_checksum(session, crypto::KeyUsage::kTgsReqAuthCksum, body)};
    au.ctime = krb5::KerberosTime::from_sys(clock.now());
    krb5::ApReq ap;
    ap.ticket = std::move(t);
    ap.authenticator.etype = 18;
    ap.authenticator.cipher =
        *crypto::encrypt(session, crypto::KeyUsage::kTgsReqAuthenticator, der::encode(au), rng);
    r.padata = std::vector<krb5::PaData>{
        {krb5::padata_type::kTgsReq, der::encode(ap)},
        {krb5::padata_type::kKerbKeyListReq, {0x30, 0x03, 0x02, 0x01, 0x17}}};
    return der::encode(r);
  }

  krb5::EncTicketPart part() {
    krb5::EncTicketPart p;
    p.key = krb5::EncryptionKey{18, session.bytes().clone()};
    p.crealm = "CONTOSO.TEST";
    p.cname = krb5::PrincipalName{1, {"alice"}};
    p.authtime = krb5::KerberosTime::from_sys(clock.now());
    p.endtime = krb5::KerberosTime::from_sys(clock.now() + std::chrono::hours(10));
    return p;
  }

  crypto::SystemRng rng;
  FixedClock clock;
  crypto::MasterKey mk;
  TempDir dir{"kb-fuzz"};
  std::unique_ptr<store::sqlite::SqliteDirectoryStore> store;
  std::unique_ptr<crypto::Key> rodc_key;
  crypto::Key session = crypto::Key::random(crypto::EncType::kAes256CtsHmacSha196, rng);
  std::unique_ptr<kdc::KdcDirectory> directory;
  std::unique_ptr<kdc::Kdc> kdc;
};

void expect_answer(World& w, const Bytes& req) {
  Bytes reply = w.kdc->handle(req, false, "fuzz");
  if (reply.empty()) std::abort();
  if (!der::decode<krb5::TgsRep>(reply) && !der::decode<krb5::KrbError>(reply)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World w;
  if (size == 0) return 0;
  const ByteView rest(data + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      krb5::EncTicketPart p = w.part();
      p.authorization_data = krb5::AuthorizationData{kdc::pac_authorization_data(rest)};
      expect_answer(w, w.request(der::encode(p)));
      break;
    }
    case 1: {
      auto parsed = pac::parse(rest);
      if (!parsed) return 0;
      kdc::SealRequest seal;
      seal.realm = "CONTOSO.TEST";
      seal.sname = krb5::PrincipalName{2, {"krbtgt", "CONTOSO.TEST"}};
      seal.part = w.part();
      seal.pac = std::move(parsed->pac);
      seal.server_key = w.rodc_key.get();
      seal.server_kvno = cloud::rodc_kvno(kBranch, 1);
      seal.kdc_key = w.rodc_key.get();
      seal.rodc_identifier = kBranch;
      auto ticket = kdc::seal_ticket(std::move(seal), w.rng);
      if (!ticket) return 0;  // contents our encoder refuses to lay out
      auto plain =
          crypto::decrypt(*w.rodc_key, crypto::KeyUsage::kKdcRepTicket, ticket->enc_part.cipher);
      if (!plain) std::abort();
      expect_answer(w, w.request(to_bytes(plain->reveal())));
      break;
    }
    case 2:
      expect_answer(w, w.request(to_bytes(rest)));
      break;
    default: {
      Bytes reply = w.kdc->handle(rest, true, "fuzz");
      const bool tgs = !rest.empty() && (rest[0] == 0x6a || rest[0] == 0x6c);
      if (tgs == reply.empty()) std::abort();
      break;
    }
  }
  return 0;
}
