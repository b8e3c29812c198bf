// Client/server authentication: AP-REQ, Authenticator, AP-REP (RFC 4120 5.5).
#pragma once

#include <optional>

#include "krb5/basic.h"
#include "krb5/constants.h"
#include "krb5/ticket.h"

namespace kb::krb5 {

// AP-REQ          ::= [APPLICATION 14] SEQUENCE {
//         pvno            [0] INTEGER (5),
//         msg-type        [1] INTEGER (14),
//         ap-options      [2] APOptions,
//         ticket          [3] Ticket,
//         authenticator   [4] EncryptedData -- Authenticator
// }  (5.5.1)
struct ApReq {
  Int32 pvno = kPvno;
  Int32 msg_type = msg_type::kApReq;
  KerberosFlags ap_options;  // ap_option::
  Ticket ticket;
  EncryptedData authenticator;

  static constexpr auto schema() {
    return der::sequence("AP-REQ", der::field(0, "pvno", &ApReq::pvno),
                         der::field(1, "msg-type", &ApReq::msg_type),
                         der::field(2, "ap-options", &ApReq::ap_options),
                         der::field(3, "ticket", &ApReq::ticket),
                         der::field(4, "authenticator", &ApReq::authenticator))
        .application(14);
  }
  friend bool operator==(const ApReq&, const ApReq&) = default;
};

// Authenticator   ::= [APPLICATION 2] SEQUENCE  {
//         authenticator-vno       [0] INTEGER (5),
//         crealm                  [1] Realm,
//         cname                   [2] PrincipalName,
//         cksum                   [3] Checksum OPTIONAL,
//         cusec                   [4] Microseconds,
//         ctime                   [5] KerberosTime,
//         subkey                  [6] EncryptionKey OPTIONAL,
//         seq-number              [7] UInt32 OPTIONAL,
//         authorization-data      [8] AuthorizationData OPTIONAL
// }  (5.5.1)
struct Authenticator {
  Int32 authenticator_vno = kPvno;
  Realm crealm;
  PrincipalName cname;
  std::optional<Checksum> cksum;
  Microseconds cusec = 0;
  KerberosTime ctime;
  std::optional<EncryptionKey> subkey;
  std::optional<UInt32> seq_number;
  std::optional<AuthorizationData> authorization_data;

  static constexpr auto schema() {
    using T = Authenticator;
    return der::sequence("Authenticator", der::field(0, "authenticator-vno", &T::authenticator_vno),
                         der::field(1, "crealm", &T::crealm), der::field(2, "cname", &T::cname),
                         der::field(3, "cksum", &T::cksum), der::field(4, "cusec", &T::cusec),
                         der::field(5, "ctime", &T::ctime), der::field(6, "subkey", &T::subkey),
                         der::field(7, "seq-number", &T::seq_number),
                         der::field(8, "authorization-data", &T::authorization_data))
        .application(2);
  }
  friend bool operator==(const Authenticator&, const Authenticator&) = default;
};

// AP-REP          ::= [APPLICATION 15] SEQUENCE {
//         pvno            [0] INTEGER (5),
//         msg-type        [1] INTEGER (15),
//         enc-part        [2] EncryptedData -- EncAPRepPart
// }  (5.5.2)
struct ApRep {
  Int32 pvno = kPvno;
  Int32 msg_type = msg_type::kApRep;
  EncryptedData enc_part;

  static constexpr auto schema() {
    return der::sequence("AP-REP", der::field(0, "pvno", &ApRep::pvno),
                         der::field(1, "msg-type", &ApRep::msg_type),
                         der::field(2, "enc-part", &ApRep::enc_part))
        .application(15);
  }
  friend bool operator==(const ApRep&, const ApRep&) = default;
};

// EncAPRepPart    ::= [APPLICATION 27] SEQUENCE {
//         ctime           [0] KerberosTime,
//         cusec           [1] Microseconds,
//         subkey          [2] EncryptionKey OPTIONAL,
//         seq-number      [3] UInt32 OPTIONAL
// }  (5.5.2)
struct EncApRepPart {
  KerberosTime ctime;
  Microseconds cusec = 0;
  std::optional<EncryptionKey> subkey;
  std::optional<UInt32> seq_number;

  static constexpr auto schema() {
    return der::sequence("EncAPRepPart", der::field(0, "ctime", &EncApRepPart::ctime),
                         der::field(1, "cusec", &EncApRepPart::cusec),
                         der::field(2, "subkey", &EncApRepPart::subkey),
                         der::field(3, "seq-number", &EncApRepPart::seq_number))
        .application(27);
  }
  friend bool operator==(const EncApRepPart&, const EncApRepPart&) = default;
};

}  // namespace kb::krb5
