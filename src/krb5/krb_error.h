// KRB-ERROR (RFC 4120 5.9.1) and the e-data shapes clients look into.
#pragma once

#include <optional>

#include "base/result.h"
#include "krb5/basic.h"
#include "krb5/constants.h"

namespace kb::krb5 {

// KRB-ERROR       ::= [APPLICATION 30] SEQUENCE {
//         pvno            [0] INTEGER (5),
//         msg-type        [1] INTEGER (30),
//         ctime           [2] KerberosTime OPTIONAL,
//         cusec           [3] Microseconds OPTIONAL,
//         stime           [4] KerberosTime,
//         susec           [5] Microseconds,
//         error-code      [6] Int32,
//         crealm          [7] Realm OPTIONAL,
//         cname           [8] PrincipalName OPTIONAL,
//         realm           [9] Realm -- service realm --,
//         sname           [10] PrincipalName -- service name --,
//         e-text          [11] KerberosString OPTIONAL,
//         e-data          [12] OCTET STRING OPTIONAL
// }
struct KrbError {
  Int32 pvno = kPvno;
  Int32 msg_type = msg_type::kKrbError;
  std::optional<KerberosTime> ctime;
  std::optional<Microseconds> cusec;
  KerberosTime stime;
  Microseconds susec = 0;
  Int32 error_code = 0;  // error_code::
  std::optional<Realm> crealm;
  std::optional<PrincipalName> cname;
  Realm realm;
  PrincipalName sname;
  std::optional<KerberosString> e_text;
  std::optional<Bytes> e_data;

  static constexpr auto schema() {
    using T = KrbError;
    return der::sequence("KRB-ERROR", der::field(0, "pvno", &T::pvno),
                         der::field(1, "msg-type", &T::msg_type), der::field(2, "ctime", &T::ctime),
                         der::field(3, "cusec", &T::cusec), der::field(4, "stime", &T::stime),
                         der::field(5, "susec", &T::susec),
                         der::field(6, "error-code", &T::error_code),
                         der::field(7, "crealm", &T::crealm), der::field(8, "cname", &T::cname),
                         der::field(9, "realm", &T::realm), der::field(10, "sname", &T::sname),
                         der::field(11, "e-text", &T::e_text), der::field(12, "e-data", &T::e_data))
        .application(30);
  }
  friend bool operator==(const KrbError&, const KrbError&) = default;
};

// KERB-ERROR-DATA ::= SEQUENCE {
//         data-type       [1] INTEGER,
//         data-value      [2] OCTET STRING OPTIONAL
// }  (MS-KILE 2.2.1; data-type values in kerb_error_data_type::. For type 3 the value is
//     a KERB-EXT-ERROR, MS-KILE 2.2.2, carrying an NTSTATUS.)
struct KerbErrorData {
  Int32 data_type = 0;
  std::optional<Bytes> data_value;

  static constexpr auto schema() {
    return der::sequence("KERB-ERROR-DATA", der::field(1, "data-type", &KerbErrorData::data_type),
                         der::field(2, "data-value", &KerbErrorData::data_value));
  }
  friend bool operator==(const KerbErrorData&, const KerbErrorData&) = default;
};

// e-data as METHOD-DATA (e.g. with KDC_ERR_PREAUTH_REQUIRED, RFC 4120 5.9.1 / 3.1.3).
// krb5::Errc::kNoEData without e-data; der errors with path "KRB-ERROR.e-data...".
[[nodiscard]] Result<MethodData> method_data(const KrbError& e);
// e-data as KERB-ERROR-DATA (Windows KDCs).
[[nodiscard]] Result<KerbErrorData> kerb_error_data(const KrbError& e);

}  // namespace kb::krb5
