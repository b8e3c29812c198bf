// Pre-authentication data values (RFC 4120 5.2.7, MS-KILE 2.2, RFC 6806).
// Each travels DER-encoded inside PA-DATA.padata-value; decode it with der::decode<T>.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "krb5/basic.h"

namespace kb::krb5 {

// PA-ENC-TS-ENC           ::= SEQUENCE {
//         patimestamp     [0] KerberosTime -- client's time --,
//         pausec          [1] Microseconds OPTIONAL
// }  (5.2.7.2; carried encrypted in PA-ENC-TIMESTAMP ::= EncryptedData, key usage 1)
struct PaEncTsEnc {
  KerberosTime patimestamp;
  std::optional<Microseconds> pausec;

  static constexpr auto schema() {
    return der::sequence("PA-ENC-TS-ENC", der::field(0, "patimestamp", &PaEncTsEnc::patimestamp),
                         der::field(1, "pausec", &PaEncTsEnc::pausec));
  }
  friend bool operator==(const PaEncTsEnc&, const PaEncTsEnc&) = default;
};

// ETYPE-INFO2-ENTRY       ::= SEQUENCE {
//         etype           [0] Int32,
//         salt            [1] KerberosString OPTIONAL,
//         s2kparams       [2] OCTET STRING OPTIONAL
// }  (5.2.7.5)
// ETYPE-INFO2             ::= SEQUENCE SIZE (1..MAX) OF ETYPE-INFO2-ENTRY
struct EtypeInfo2Entry {
  Int32 etype = 0;
  std::optional<KerberosString> salt;
  std::optional<Bytes> s2kparams;

  static constexpr auto schema() {
    return der::sequence("ETYPE-INFO2-ENTRY", der::field(0, "etype", &EtypeInfo2Entry::etype),
                         der::field(1, "salt", &EtypeInfo2Entry::salt),
                         der::field(2, "s2kparams", &EtypeInfo2Entry::s2kparams));
  }
  friend bool operator==(const EtypeInfo2Entry&, const EtypeInfo2Entry&) = default;
};
using EtypeInfo2 = std::vector<EtypeInfo2Entry>;

// KERB-PA-PAC-REQUEST ::= SEQUENCE {
//         include-pac[0] BOOLEAN --If TRUE, and no pac present, include PAC.
// }  (MS-KILE 2.2.3; padata 128)
struct PaPacRequest {
  bool include_pac = false;

  static constexpr auto schema() {
    return der::sequence("PA-PAC-REQUEST",
                         der::field(0, "include-pac", &PaPacRequest::include_pac));
  }
  friend bool operator==(const PaPacRequest&, const PaPacRequest&) = default;
};

// PA-PAC-OPTIONS ::= SEQUENCE {
//         flags   [0] PAC-OPTIONS-FLAGS
// }
// PAC-OPTIONS-FLAGS ::= KerberosFlags
//         -- claims (0), branch-aware (1), forward-to-full-dc (2),
//         -- resource-based-constrained-delegation (3, MS-SFU 2.2.5)
// (MS-KILE 2.2.10; padata 167; bit numbers in pac_option::)
struct PaPacOptions {
  KerberosFlags flags;

  static constexpr auto schema() {
    return der::sequence("PA-PAC-OPTIONS", der::field(0, "flags", &PaPacOptions::flags));
  }
  friend bool operator==(const PaPacOptions&, const PaPacOptions&) = default;
};

// KERB-KEY-LIST-REQ ::= SEQUENCE OF EncryptionType -- Int32  (MS-KILE 2.2.11; padata 161)
using KerbKeyListReq = std::vector<Int32>;
// KERB-KEY-LIST-REP ::= SEQUENCE OF EncryptionKey  (MS-KILE 2.2.12; padata 162, inside
// EncKDCRepPart.encrypted-pa-data). Heimdal's "SEQUENCE OF ENCTYPE" is wrong; not used.
using KerbKeyListRep = std::vector<EncryptionKey>;

// PA-SUPPORTED-ENCTYPES (padata 165, MS-KILE 2.2.8): the value is not DER but a 32-bit
// little-endian bit mask of supported encryption types.
Bytes encode_pa_supported_enctypes(std::uint32_t mask);
// krb5::Errc::kBadSupportedEnctypes unless exactly 4 octets.
[[nodiscard]] Result<std::uint32_t> decode_pa_supported_enctypes(ByteView value);

}  // namespace kb::krb5
