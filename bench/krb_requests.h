// The client side of the KDC benchmarks: builds AS-REQs (encrypted-timestamp
// pre-authentication) and TGS-REQs (a fresh authenticator each) for one user and one
// service, and signs in once to get the TGT the TGS-REQs carry. Transport-agnostic: the
// load generator sends over UDP, the in-process driver calls kdc::Kdc::handle directly.
#pragma once

#include <functional>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "base/secret.h"
#include "crypto/crypto.h"
#include "krb5/messages.h"

namespace kb::bench {

struct ClientConfig {
  std::string realm;
  std::string user;
  std::string service = "HTTP/web.contoso.test";
};

// Sends one request and returns the reply (empty when none came).
using Exchange = std::function<Bytes(const Bytes&)>;

class KrbRequests {
 public:
  explicit KrbRequests(ClientConfig cfg) : cfg_(std::move(cfg)) {}

  // A PREAUTH_REQUIRED round for the salt (ETYPE-INFO2), the user's aes256 key from the
  // password, then an AS exchange for the TGT used by tgs_req(). Errors say which step.
  Result<void> sign_in(const Exchange& exchange, const SecretString& password, SysTime now);

  // An AS-REQ for krbtgt/REALM with PA-ENC-TIMESTAMP at `now` (sign_in must have run).
  [[nodiscard]] Bytes as_req(SysTime now);
  // A TGS-REQ for the service with a fresh authenticator at `now` (sign_in must have run).
  [[nodiscard]] Bytes tgs_req(SysTime now);

  // Another client with the same keys and TGT and its own randomness (one per thread).
  [[nodiscard]] KrbRequests clone() const;

 private:
  krb5::AsReq make_as_req(bool with_timestamp, SysTime now);
  std::uint32_t nonce();

  ClientConfig cfg_;
  crypto::SystemRng rng_;
  crypto::Key user_key_;
  krb5::Ticket tgt_;
  crypto::Key tgt_session_;
};

// "HTTP/web.contoso.test" -> {type, ["HTTP", "web.contoso.test"]}.
krb5::PrincipalName principal(const std::string& s, std::int32_t type);

// The [APPLICATION n] tag byte a reply of message type n starts with (0x60 | n).
constexpr std::uint8_t reply_tag(int msg_type) {
  return static_cast<std::uint8_t>(0x60 | msg_type);
}

}  // namespace kb::bench
