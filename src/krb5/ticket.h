// Tickets (RFC 4120 5.3).
#pragma once

#include <optional>

#include "krb5/basic.h"

namespace kb::krb5 {

// Ticket          ::= [APPLICATION 1] SEQUENCE {
//         tkt-vno         [0] INTEGER (5),
//         realm           [1] Realm,
//         sname           [2] PrincipalName,
//         enc-part        [3] EncryptedData -- EncTicketPart
// }
struct Ticket {
  Int32 tkt_vno = 5;
  Realm realm;
  PrincipalName sname;
  EncryptedData enc_part;

  static constexpr auto schema() {
    return der::sequence("Ticket", der::field(0, "tkt-vno", &Ticket::tkt_vno),
                         der::field(1, "realm", &Ticket::realm),
                         der::field(2, "sname", &Ticket::sname),
                         der::field(3, "enc-part", &Ticket::enc_part))
        .application(1);
  }
  friend bool operator==(const Ticket&, const Ticket&) = default;
};

// EncTicketPart   ::= [APPLICATION 3] SEQUENCE {
//         flags                   [0] TicketFlags,
//         key                     [1] EncryptionKey,
//         crealm                  [2] Realm,
//         cname                   [3] PrincipalName,
//         transited               [4] TransitedEncoding,
//         authtime                [5] KerberosTime,
//         starttime               [6] KerberosTime OPTIONAL,
//         endtime                 [7] KerberosTime,
//         renew-till              [8] KerberosTime OPTIONAL,
//         caddr                   [9] HostAddresses OPTIONAL,
//         authorization-data      [10] AuthorizationData OPTIONAL
// }
struct EncTicketPart {
  KerberosFlags flags;  // ticket_flag::
  EncryptionKey key;
  Realm crealm;
  PrincipalName cname;
  TransitedEncoding transited;
  KerberosTime authtime;
  std::optional<KerberosTime> starttime;
  KerberosTime endtime;
  std::optional<KerberosTime> renew_till;
  std::optional<HostAddresses> caddr;
  std::optional<AuthorizationData> authorization_data;

  static constexpr auto schema() {
    using T = EncTicketPart;
    return der::sequence(
               "EncTicketPart", der::field(0, "flags", &T::flags), der::field(1, "key", &T::key),
               der::field(2, "crealm", &T::crealm), der::field(3, "cname", &T::cname),
               der::field(4, "transited", &T::transited), der::field(5, "authtime", &T::authtime),
               der::field(6, "starttime", &T::starttime), der::field(7, "endtime", &T::endtime),
               der::field(8, "renew-till", &T::renew_till), der::field(9, "caddr", &T::caddr),
               der::field(10, "authorization-data", &T::authorization_data))
        .application(3);
  }
  friend bool operator==(const EncTicketPart&, const EncTicketPart&) = default;
};

}  // namespace kb::krb5
