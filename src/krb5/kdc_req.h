// KDC requests: AS-REQ and TGS-REQ (RFC 4120 5.4.1).
#pragma once

#include <optional>
#include <vector>

#include "krb5/basic.h"
#include "krb5/constants.h"
#include "krb5/ticket.h"

namespace kb::krb5 {

// KDC-REQ-BODY    ::= SEQUENCE {
//         kdc-options             [0] KDCOptions,
//         cname                   [1] PrincipalName OPTIONAL
//                                     -- Used only in AS-REQ --,
//         realm                   [2] Realm
//                                     -- Server's realm
//                                     -- Also client's in AS-REQ --,
//         sname                   [3] PrincipalName OPTIONAL,
//         from                    [4] KerberosTime OPTIONAL,
//         till                    [5] KerberosTime,
//         rtime                   [6] KerberosTime OPTIONAL,
//         nonce                   [7] UInt32,
//         etype                   [8] SEQUENCE OF Int32 -- EncryptionType
//                                     -- in preference order --,
//         addresses               [9] HostAddresses OPTIONAL,
//         enc-authorization-data  [10] EncryptedData OPTIONAL
//                                     -- AuthorizationData --,
//         additional-tickets      [11] SEQUENCE OF Ticket OPTIONAL
//                                        -- NOTE: not empty
// }
struct KdcReqBody {
  KerberosFlags kdc_options;  // kdc_option::
  std::optional<PrincipalName> cname;
  Realm realm;
  std::optional<PrincipalName> sname;
  std::optional<KerberosTime> from;
  KerberosTime till;
  std::optional<KerberosTime> rtime;
  UInt32 nonce = 0;
  std::vector<Int32> etype;
  std::optional<HostAddresses> addresses;
  std::optional<EncryptedData> enc_authorization_data;
  std::optional<std::vector<Ticket>> additional_tickets;

  static constexpr auto schema() {
    using T = KdcReqBody;
    return der::sequence("KDC-REQ-BODY", der::field(0, "kdc-options", &T::kdc_options),
                         der::field(1, "cname", &T::cname), der::field(2, "realm", &T::realm),
                         der::field(3, "sname", &T::sname), der::field(4, "from", &T::from),
                         der::field(5, "till", &T::till), der::field(6, "rtime", &T::rtime),
                         der::field(7, "nonce", &T::nonce), der::field(8, "etype", &T::etype),
                         der::field(9, "addresses", &T::addresses),
                         der::field(10, "enc-authorization-data", &T::enc_authorization_data),
                         der::field(11, "additional-tickets", &T::additional_tickets));
  }
  friend bool operator==(const KdcReqBody&, const KdcReqBody&) = default;
};

// KDC-REQ         ::= SEQUENCE {
//         -- NOTE: first tag is [1], not [0]
//         pvno            [1] INTEGER (5) ,
//         msg-type        [2] INTEGER (10 -- AS -- | 12 -- TGS --),
//         padata          [3] SEQUENCE OF PA-DATA OPTIONAL
//                             -- NOTE: not empty --,
//         req-body        [4] KDC-REQ-BODY
// }
// req-body is a der::Raw: the checksum in the PA-TGS-REQ authenticator (and the
// PA-REQ-ENC-PA-REP checksum) cover the bytes as received, not a re-encoding.
struct KdcReq {
  Int32 pvno = kPvno;
  Int32 msg_type = 0;
  std::optional<std::vector<PaData>> padata;
  der::Raw<KdcReqBody> req_body;

  static constexpr auto schema() {
    return der::sequence("KDC-REQ", der::field(1, "pvno", &KdcReq::pvno),
                         der::field(2, "msg-type", &KdcReq::msg_type),
                         der::field(3, "padata", &KdcReq::padata),
                         der::field(4, "req-body", &KdcReq::req_body));
  }
  friend bool operator==(const KdcReq&, const KdcReq&) = default;
};

// AS-REQ          ::= [APPLICATION 10] KDC-REQ
struct AsReq : KdcReq {
  AsReq() { msg_type = msg_type::kAsReq; }
  static constexpr auto schema() { return KdcReq::schema().named("AS-REQ").application(10); }
  friend bool operator==(const AsReq&, const AsReq&) = default;
};

// TGS-REQ         ::= [APPLICATION 12] KDC-REQ
struct TgsReq : KdcReq {
  TgsReq() { msg_type = msg_type::kTgsReq; }
  static constexpr auto schema() { return KdcReq::schema().named("TGS-REQ").application(12); }
  friend bool operator==(const TgsReq&, const TgsReq&) = default;
};

}  // namespace kb::krb5
