// What a TGS exchange works out, step by step; shared by tgs_exchange.cc and the RODC
// trade (rodc_trade.cc). Internal to src/kdc.
#pragma once

#include <memory>
#include <optional>

#include "crypto/crypto.h"
#include "krb5/messages.h"
#include "store/directory.h"

namespace kb::kdc {

// The RODC that issued the presented TGT (MS-KILE §3.1.5.8: kvno = branch << 16 | version).
struct RodcIssuer {
  std::uint16_t branch = 0;
  std::uint16_t key_version = 0;
  store::Account krbtgt;    // krbtgt_<n>: msDS-SecondaryKrbTgtNumber = branch
  store::Account computer;  // the RODC computer linking to it (msDS-KrbTgtLink)
};

struct TgsState {
  krb5::TgsReq req;
  krb5::ApReq ap;
  krb5::EncTicketPart tgt;  // the presented ticket, decrypted
  krb5::Authenticator authenticator;
  crypto::Key tgt_session;  // from the TGT
  store::Account client;
  std::shared_ptr<const store::Account> server;  // shared with the directory's cache
  const store::Domain* domain = nullptr;
  // The key that decrypted the presented TGT: the domain krbtgt's or an RODC krbtgt's.
  std::shared_ptr<const crypto::Key> ticket_key;
  // The domain krbtgt's current key: signs the PAC (KDC signature) of what this KDC issues.
  std::shared_ptr<const crypto::Key> kdc_key;
  std::optional<RodcIssuer> rodc;  // set when the TGT is RODC-issued
};

}  // namespace kb::kdc
