// The client side of a TGS exchange (RFC 4120 §3.3): what `keybridge signin` uses to trade
// a partial TGT at a writable DC (digest E "Client use": krbtgt/REALM, canonicalize,
// forwardable, renewable, etypes {18, 17, 23}, optionally KERB-KEY-LIST-REQ), and what
// `admin dc-check` and the tests use to probe a DC.
#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "base/secret.h"
#include "crypto/crypto.h"
#include "krb5/messages.h"

namespace kb::client {

enum class Errc {
  // From 100: AuthenticatorErrc (client/authenticator.h) shares the client domain from 1.
  kBadReply = 100,  // not a TGS-REP or KRB-ERROR, does not decrypt, or answers another request
};
constexpr ErrorDomain error_domain(Errc) {
  return ErrorDomain::kClient;
}
std::string_view error_code_name(Errc e);

// A ticket with its session key, e.g. the partial TGT from the cloud or a full TGT.
struct Credential {
  krb5::Realm crealm;
  krb5::PrincipalName cname;
  krb5::Ticket ticket;
  crypto::Key session_key;
  krb5::KerberosFlags flags;
  krb5::KerberosTime authtime;
  std::optional<krb5::KerberosTime> starttime;
  krb5::KerberosTime endtime;
  std::optional<krb5::KerberosTime> renew_till;
};

// Digest F.3: an AS-REP (the cloud's KERB_MESSAGE_BUFFER) whose enc-part decrypts with
// `reply_key` at key usage 3 (tgt_client_key).
Result<Credential> open_as_rep(ByteView as_rep, const crypto::Key& reply_key);

struct TgsRequest {
  krb5::Realm realm;
  krb5::PrincipalName sname;  // krbtgt/REALM for the trade
  krb5::KerberosFlags kdc_options;
  std::vector<krb5::Int32> etypes{18, 17, 23};
  bool key_list = false;                   // add KERB-KEY-LIST-REQ {rc4-hmac} (MS-KILE §2.2.11)
  std::vector<krb5::PaData> extra_padata;  // appended after PA-TGS-REQ
  std::chrono::seconds lifetime{10 * 3600};
};

// The options of the trade: canonicalize, forwardable, renewable.
krb5::KerberosFlags trade_options();

struct PreparedTgsReq {
  Bytes bytes;
  krb5::UInt32 nonce = 0;
};
// A TGS-REQ presenting `tgt`: an AP-REQ whose authenticator (usage 7) carries the
// checksum of the request body as sent (usage 6).
Result<PreparedTgsReq> build_tgs_req(const Credential& tgt, const TgsRequest& req,
                                     const Clock& clock, Rng& rng);

struct TgsReply {
  Credential credential;
  std::optional<SecretBytes> nt_hash;  // KERB-KEY-LIST-REP's rc4-hmac key, when returned
};
// Reads the reply to `prepared`: a TGS-REP decrypted with the TGT session key (usage 8)
// whose nonce matches. A KRB-ERROR comes back as an Error whose kdc::Errc is the wire
// error code (e.is(kdc::Errc::kTgtRevoked)) with the e-text in the detail; anything else
// malformed is ClientErrc::kBadReply.
Result<TgsReply> read_tgs_rep(ByteView reply, const Credential& tgt,
                              const PreparedTgsReq& prepared);

// The numeric Kerberos error code carried by an Error from read_tgs_rep, or 0.
std::int32_t kerberos_error_code(const Error& e);

}  // namespace kb::client
