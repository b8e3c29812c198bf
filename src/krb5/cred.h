// KRB-CRED: forwarding credentials (RFC 4120 5.8).
#pragma once

#include <optional>
#include <vector>

#include "krb5/basic.h"
#include "krb5/constants.h"
#include "krb5/ticket.h"

namespace kb::krb5 {

// KRB-CRED        ::= [APPLICATION 22] SEQUENCE {
//         pvno            [0] INTEGER (5),
//         msg-type        [1] INTEGER (22),
//         tickets         [2] SEQUENCE OF Ticket,
//         enc-part        [3] EncryptedData -- EncKrbCredPart
// }  (5.8.1)
struct KrbCred {
  Int32 pvno = kPvno;
  Int32 msg_type = msg_type::kKrbCred;
  std::vector<Ticket> tickets;
  EncryptedData enc_part;

  static constexpr auto schema() {
    return der::sequence("KRB-CRED", der::field(0, "pvno", &KrbCred::pvno),
                         der::field(1, "msg-type", &KrbCred::msg_type),
                         der::field(2, "tickets", &KrbCred::tickets),
                         der::field(3, "enc-part", &KrbCred::enc_part))
        .application(22);
  }
  friend bool operator==(const KrbCred&, const KrbCred&) = default;
};

// KrbCredInfo     ::= SEQUENCE {
//         key             [0] EncryptionKey,
//         prealm          [1] Realm OPTIONAL,
//         pname           [2] PrincipalName OPTIONAL,
//         flags           [3] TicketFlags OPTIONAL,
//         authtime        [4] KerberosTime OPTIONAL,
//         starttime       [5] KerberosTime OPTIONAL,
//         endtime         [6] KerberosTime OPTIONAL,
//         renew-till      [7] KerberosTime OPTIONAL,
//         srealm          [8] Realm OPTIONAL,
//         sname           [9] PrincipalName OPTIONAL,
//         caddr           [10] HostAddresses OPTIONAL
// }  (5.8.1)
struct KrbCredInfo {
  EncryptionKey key;
  std::optional<Realm> prealm;
  std::optional<PrincipalName> pname;
  std::optional<KerberosFlags> flags;
  std::optional<KerberosTime> authtime;
  std::optional<KerberosTime> starttime;
  std::optional<KerberosTime> endtime;
  std::optional<KerberosTime> renew_till;
  std::optional<Realm> srealm;
  std::optional<PrincipalName> sname;
  std::optional<HostAddresses> caddr;

  static constexpr auto schema() {
    using T = KrbCredInfo;
    return der::sequence(
        "KrbCredInfo", der::field(0, "key", &T::key), der::field(1, "prealm", &T::prealm),
        der::field(2, "pname", &T::pname), der::field(3, "flags", &T::flags),
        der::field(4, "authtime", &T::authtime), der::field(5, "starttime", &T::starttime),
        der::field(6, "endtime", &T::endtime), der::field(7, "renew-till", &T::renew_till),
        der::field(8, "srealm", &T::srealm), der::field(9, "sname", &T::sname),
        der::field(10, "caddr", &T::caddr));
  }
  friend bool operator==(const KrbCredInfo&, const KrbCredInfo&) = default;
};

// EncKrbCredPart  ::= [APPLICATION 29] SEQUENCE {
//         ticket-info     [0] SEQUENCE OF KrbCredInfo,
//         nonce           [1] UInt32 OPTIONAL,
//         timestamp       [2] KerberosTime OPTIONAL,
//         usec            [3] Microseconds OPTIONAL,
//         s-address       [4] HostAddress OPTIONAL,
//         r-address       [5] HostAddress OPTIONAL
// }  (5.8.1)
struct EncKrbCredPart {
  std::vector<KrbCredInfo> ticket_info;
  std::optional<UInt32> nonce;
  std::optional<KerberosTime> timestamp;
  std::optional<Microseconds> usec;
  std::optional<HostAddress> s_address;
  std::optional<HostAddress> r_address;

  static constexpr auto schema() {
    using T = EncKrbCredPart;
    return der::sequence("EncKrbCredPart", der::field(0, "ticket-info", &T::ticket_info),
                         der::field(1, "nonce", &T::nonce),
                         der::field(2, "timestamp", &T::timestamp), der::field(3, "usec", &T::usec),
                         der::field(4, "s-address", &T::s_address),
                         der::field(5, "r-address", &T::r_address))
        .application(29);
  }
  friend bool operator==(const EncKrbCredPart&, const EncKrbCredPart&) = default;
};

}  // namespace kb::krb5
