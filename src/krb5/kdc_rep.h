// KDC replies: AS-REP, TGS-REP and their encrypted parts (RFC 4120 5.4.2, RFC 6806 11).
#pragma once

#include <optional>
#include <vector>

#include "krb5/basic.h"
#include "krb5/constants.h"
#include "krb5/ticket.h"

namespace kb::krb5 {

// KDC-REP         ::= SEQUENCE {
//         pvno            [0] INTEGER (5),
//         msg-type        [1] INTEGER (11 -- AS -- | 13 -- TGS --),
//         padata          [2] SEQUENCE OF PA-DATA OPTIONAL
//                                 -- NOTE: not empty --,
//         crealm          [3] Realm,
//         cname           [4] PrincipalName,
//         ticket          [5] Ticket,
//         enc-part        [6] EncryptedData
//                                 -- EncASRepPart or EncTGSRepPart,
//                                 -- as appropriate
// }
struct KdcRep {
  Int32 pvno = kPvno;
  Int32 msg_type = 0;
  std::optional<std::vector<PaData>> padata;
  Realm crealm;
  PrincipalName cname;
  Ticket ticket;
  EncryptedData enc_part;

  static constexpr auto schema() {
    return der::sequence(
        "KDC-REP", der::field(0, "pvno", &KdcRep::pvno),
        der::field(1, "msg-type", &KdcRep::msg_type), der::field(2, "padata", &KdcRep::padata),
        der::field(3, "crealm", &KdcRep::crealm), der::field(4, "cname", &KdcRep::cname),
        der::field(5, "ticket", &KdcRep::ticket), der::field(6, "enc-part", &KdcRep::enc_part));
  }
  friend bool operator==(const KdcRep&, const KdcRep&) = default;
};

// AS-REP          ::= [APPLICATION 11] KDC-REP
struct AsRep : KdcRep {
  AsRep() { msg_type = msg_type::kAsRep; }
  static constexpr auto schema() { return KdcRep::schema().named("AS-REP").application(11); }
  friend bool operator==(const AsRep&, const AsRep&) = default;
};

// TGS-REP         ::= [APPLICATION 13] KDC-REP
struct TgsRep : KdcRep {
  TgsRep() { msg_type = msg_type::kTgsRep; }
  static constexpr auto schema() { return KdcRep::schema().named("TGS-REP").application(13); }
  friend bool operator==(const TgsRep&, const TgsRep&) = default;
};

// EncKDCRepPart   ::= SEQUENCE {
//         key             [0] EncryptionKey,
//         last-req        [1] LastReq,
//         nonce           [2] UInt32,
//         key-expiration  [3] KerberosTime OPTIONAL,
//         flags           [4] TicketFlags,
//         authtime        [5] KerberosTime,
//         starttime       [6] KerberosTime OPTIONAL,
//         endtime         [7] KerberosTime,
//         renew-till      [8] KerberosTime OPTIONAL,
//         srealm          [9] Realm,
//         sname           [10] PrincipalName,
//         caddr           [11] HostAddresses OPTIONAL,
//         encrypted-pa-data [12] METHOD-DATA OPTIONAL   -- RFC 6806 11
// }
struct EncKdcRepPart {
  EncryptionKey key;
  LastReq last_req;
  UInt32 nonce = 0;
  std::optional<KerberosTime> key_expiration;
  KerberosFlags flags;  // ticket_flag::
  KerberosTime authtime;
  std::optional<KerberosTime> starttime;
  KerberosTime endtime;
  std::optional<KerberosTime> renew_till;
  Realm srealm;
  PrincipalName sname;
  std::optional<HostAddresses> caddr;
  std::optional<MethodData> encrypted_pa_data;

  static constexpr auto schema() {
    using T = EncKdcRepPart;
    return der::sequence(
        "EncKDCRepPart", der::field(0, "key", &T::key), der::field(1, "last-req", &T::last_req),
        der::field(2, "nonce", &T::nonce), der::field(3, "key-expiration", &T::key_expiration),
        der::field(4, "flags", &T::flags), der::field(5, "authtime", &T::authtime),
        der::field(6, "starttime", &T::starttime), der::field(7, "endtime", &T::endtime),
        der::field(8, "renew-till", &T::renew_till), der::field(9, "srealm", &T::srealm),
        der::field(10, "sname", &T::sname), der::field(11, "caddr", &T::caddr),
        der::field(12, "encrypted-pa-data", &T::encrypted_pa_data));
  }
  friend bool operator==(const EncKdcRepPart&, const EncKdcRepPart&) = default;
};

// EncASRepPart    ::= [APPLICATION 25] EncKDCRepPart
// RFC 4120 5.4.2: some implementations send [APPLICATION 26] in an AS-REP too (MIT's KDC
// does), and a receiver may accept either. Decoding accepts both and records the tag in
// app_tag; encoding writes app_tag back (25 unless set to 26).
struct EncAsRepPart : EncKdcRepPart {
  int app_tag = 25;

  static constexpr auto schema() {
    return EncKdcRepPart::schema().named("EncASRepPart").application(25, 26);
  }
  friend bool operator==(const EncAsRepPart&, const EncAsRepPart&) = default;
};

// EncTGSRepPart   ::= [APPLICATION 26] EncKDCRepPart
struct EncTgsRepPart : EncKdcRepPart {
  static constexpr auto schema() {
    return EncKdcRepPart::schema().named("EncTGSRepPart").application(26);
  }
  friend bool operator==(const EncTgsRepPart&, const EncTgsRepPart&) = default;
};

}  // namespace kb::krb5
