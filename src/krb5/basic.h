// RFC 4120 5.2: the basic types every message is built from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/secret.h"
#include "der/schema.h"

namespace kb::krb5 {

using Int32 = std::int32_t;          // RFC 4120 5.2.4
using UInt32 = std::uint32_t;        // encoded as a 32-bit two's-complement INTEGER, see der::Codec
using Microseconds = Int32;          // 0..999999
using KerberosString = std::string;  // GeneralString (5.2.1)
using Realm = KerberosString;

// KerberosTime ::= GeneralizedTime -- with no fractional seconds (5.2.3)
using KerberosTime = der::GeneralizedTime;

// KerberosFlags ::= BIT STRING (SIZE (32..MAX)) (5.2.8)
//   -- minimum number of bits shall be sent, but no fewer than 32
// Bit 0 is the most significant bit of the first octet. The first 32 bits are `bits`
// (bit 0 = 0x80000000); any octets after them are kept in `tail` for round trips.
struct KerberosFlags {
  std::uint32_t bits = 0;
  der::BitString tail;

  [[nodiscard]] bool test(unsigned bit) const { return bit < 32 && ((bits >> (31 - bit)) & 1u); }
  KerberosFlags& set(unsigned bit, bool on = true) {
    if (bit < 32) {
      const std::uint32_t m = 1u << (31 - bit);
      bits = on ? (bits | m) : (bits & ~m);
    }
    return *this;
  }
  friend bool operator==(const KerberosFlags&, const KerberosFlags&) = default;
};

// TicketFlags (5.3); enc-pa-rep from RFC 6806 11.
namespace ticket_flag {
inline constexpr unsigned kReserved = 0;
inline constexpr unsigned kForwardable = 1;
inline constexpr unsigned kForwarded = 2;
inline constexpr unsigned kProxiable = 3;
inline constexpr unsigned kProxy = 4;
inline constexpr unsigned kMayPostdate = 5;
inline constexpr unsigned kPostdated = 6;
inline constexpr unsigned kInvalid = 7;
inline constexpr unsigned kRenewable = 8;
inline constexpr unsigned kInitial = 9;
inline constexpr unsigned kPreAuthent = 10;
inline constexpr unsigned kHwAuthent = 11;
inline constexpr unsigned kTransitedPolicyChecked = 12;
inline constexpr unsigned kOkAsDelegate = 13;
inline constexpr unsigned kEncPaRep = 15;
}  // namespace ticket_flag

// KDCOptions (5.4.1).
namespace kdc_option {
inline constexpr unsigned kReserved = 0;
inline constexpr unsigned kForwardable = 1;
inline constexpr unsigned kForwarded = 2;
inline constexpr unsigned kProxiable = 3;
inline constexpr unsigned kProxy = 4;
inline constexpr unsigned kAllowPostdate = 5;
inline constexpr unsigned kPostdated = 6;
inline constexpr unsigned kRenewable = 8;
inline constexpr unsigned kCanonicalize = 15;
inline constexpr unsigned kRenewableOk = 27;
inline constexpr unsigned kEncTktInSkey = 28;
inline constexpr unsigned kRenew = 30;
inline constexpr unsigned kValidate = 31;
}  // namespace kdc_option

// APOptions (5.5.1).
namespace ap_option {
inline constexpr unsigned kReserved = 0;
inline constexpr unsigned kUseSessionKey = 1;
inline constexpr unsigned kMutualRequired = 2;
}  // namespace ap_option

// PAC-OPTIONS-FLAGS (MS-KILE 2.2.10, MS-SFU 2.2.5).
namespace pac_option {
inline constexpr unsigned kClaims = 0;
inline constexpr unsigned kBranchAware = 1;
inline constexpr unsigned kForwardToFullDc = 2;
inline constexpr unsigned kResourceBasedConstrainedDelegation = 3;
}  // namespace pac_option

// PrincipalName ::= SEQUENCE {
//         name-type       [0] Int32,
//         name-string     [1] SEQUENCE OF KerberosString
// }  (5.2.2)
struct PrincipalName {
  Int32 name_type = 0;
  std::vector<KerberosString> name_string;

  static constexpr auto schema() {
    return der::sequence("PrincipalName", der::field(0, "name-type", &PrincipalName::name_type),
                         der::field(1, "name-string", &PrincipalName::name_string));
  }
  friend bool operator==(const PrincipalName&, const PrincipalName&) = default;
};

// HostAddress ::= SEQUENCE {
//         addr-type       [0] Int32,
//         address         [1] OCTET STRING
// }  (5.2.5)
// HostAddresses ::= SEQUENCE OF HostAddress
struct HostAddress {
  Int32 addr_type = 0;
  Bytes address;

  static constexpr auto schema() {
    return der::sequence("HostAddress", der::field(0, "addr-type", &HostAddress::addr_type),
                         der::field(1, "address", &HostAddress::address));
  }
  friend bool operator==(const HostAddress&, const HostAddress&) = default;
};
using HostAddresses = std::vector<HostAddress>;

// AuthorizationData ::= SEQUENCE OF SEQUENCE {
//         ad-type         [0] Int32,
//         ad-data         [1] OCTET STRING
// }  (5.2.6)
// AD-IF-RELEVANT ::= AuthorizationData  (5.2.6.1; ad-type 1, ad-data is its DER)
struct AuthorizationDataEntry {
  Int32 ad_type = 0;
  Bytes ad_data;

  static constexpr auto schema() {
    return der::sequence("AuthorizationData",
                         der::field(0, "ad-type", &AuthorizationDataEntry::ad_type),
                         der::field(1, "ad-data", &AuthorizationDataEntry::ad_data));
  }
  friend bool operator==(const AuthorizationDataEntry&, const AuthorizationDataEntry&) = default;
};
using AuthorizationData = std::vector<AuthorizationDataEntry>;
using AdIfRelevant = AuthorizationData;

// PA-DATA ::= SEQUENCE {
//         -- NOTE: first tag is [1], not [0]
//         padata-type     [1] Int32,
//         padata-value    [2] OCTET STRING -- might be encoded AP-REQ
// }  (5.2.7)
// METHOD-DATA ::= SEQUENCE OF PA-DATA  (5.9.1)
struct PaData {
  Int32 padata_type = 0;
  Bytes padata_value;

  static constexpr auto schema() {
    return der::sequence("PA-DATA", der::field(1, "padata-type", &PaData::padata_type),
                         der::field(2, "padata-value", &PaData::padata_value));
  }
  friend bool operator==(const PaData&, const PaData&) = default;
};
using MethodData = std::vector<PaData>;

// The first PA-DATA of the given type, or nullptr.
const PaData* find_padata(const std::vector<PaData>& padata, Int32 type);
const PaData* find_padata(const std::optional<std::vector<PaData>>& padata, Int32 type);

// LastReq ::= SEQUENCE OF SEQUENCE {
//         lr-type         [0] Int32,
//         lr-value        [1] KerberosTime
// }  (5.4.2)
struct LastReqEntry {
  Int32 lr_type = 0;
  KerberosTime lr_value;

  static constexpr auto schema() {
    return der::sequence("LastReq", der::field(0, "lr-type", &LastReqEntry::lr_type),
                         der::field(1, "lr-value", &LastReqEntry::lr_value));
  }
  friend bool operator==(const LastReqEntry&, const LastReqEntry&) = default;
};
using LastReq = std::vector<LastReqEntry>;

// TransitedEncoding ::= SEQUENCE {
//         tr-type         [0] Int32 -- must be registered --,
//         contents        [1] OCTET STRING
// }  (5.3)
struct TransitedEncoding {
  Int32 tr_type = 0;
  Bytes contents;

  static constexpr auto schema() {
    return der::sequence("TransitedEncoding", der::field(0, "tr-type", &TransitedEncoding::tr_type),
                         der::field(1, "contents", &TransitedEncoding::contents));
  }
  friend bool operator==(const TransitedEncoding&, const TransitedEncoding&) = default;
};

// EncryptedData ::= SEQUENCE {
//         etype   [0] Int32 -- EncryptionType --,
//         kvno    [1] UInt32 OPTIONAL,
//         cipher  [2] OCTET STRING -- ciphertext
// }  (5.2.9)
// kvno is encoded as a signed 32-bit INTEGER (MS-KILE 3.1.5.8): RODC kvnos with the
// branch number >= 0x8000 are negative on the wire. See der::Codec<std::uint32_t>.
struct EncryptedData {
  Int32 etype = 0;
  std::optional<UInt32> kvno;
  Bytes cipher;

  static constexpr auto schema() {
    return der::sequence("EncryptedData", der::field(0, "etype", &EncryptedData::etype),
                         der::field(1, "kvno", &EncryptedData::kvno),
                         der::field(2, "cipher", &EncryptedData::cipher));
  }
  friend bool operator==(const EncryptedData&, const EncryptedData&) = default;
};

// EncryptionKey ::= SEQUENCE {
//         keytype         [0] Int32 -- actually encryption type --,
//         keyvalue        [1] OCTET STRING
// }  (5.2.9)
// keyvalue is a SecretBytes: wiped on destruction, printed as "<secret:N bytes>".
struct EncryptionKey {
  Int32 keytype = 0;
  SecretBytes keyvalue;

  [[nodiscard]] EncryptionKey clone() const { return {keytype, keyvalue.clone()}; }
  static constexpr auto schema() {
    return der::sequence("EncryptionKey", der::field(0, "keytype", &EncryptionKey::keytype),
                         der::field(1, "keyvalue", &EncryptionKey::keyvalue));
  }
  friend bool operator==(const EncryptionKey&, const EncryptionKey&) = default;
};

// Checksum ::= SEQUENCE {
//         cksumtype       [0] Int32,
//         checksum        [1] OCTET STRING
// }  (5.2.9)
struct Checksum {
  Int32 cksumtype = 0;
  Bytes checksum;

  static constexpr auto schema() {
    return der::sequence("Checksum", der::field(0, "cksumtype", &Checksum::cksumtype),
                         der::field(1, "checksum", &Checksum::checksum));
  }
  friend bool operator==(const Checksum&, const Checksum&) = default;
};

}  // namespace kb::krb5

namespace kb::der {

// KerberosFlags: a BIT STRING of at least 32 bits (RFC 4120 5.2.8).
template <>
struct Codec<krb5::KerberosFlags> {
  static void encode(Writer& w, const krb5::KerberosFlags& v);
  static Result<krb5::KerberosFlags> decode(Reader& r);
};

}  // namespace kb::der
