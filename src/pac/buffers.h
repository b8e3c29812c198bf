// The small, non-NDR PAC buffers: CLIENT_INFO (MS-PAC 2.7), UPN_DNS_INFO (2.10),
// ATTRIBUTES_INFO (2.14), REQUESTOR (2.15) and PAC_SIGNATURE_DATA (2.8).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/result.h"
#include "pac/sid.h"
#include "pac/text.h"

namespace kb::pac {

// MS-PAC 2.4 ulType values.
enum class BufferType : std::uint32_t {
  kLogonInfo = 1,
  kCredentialsInfo = 2,
  kServerChecksum = 6,
  kPrivsvrChecksum = 7,  // the KDC signature
  kClientInfo = 10,
  kConstrainedDelegation = 11,
  kUpnDnsInfo = 12,
  kClientClaims = 13,
  kDeviceInfo = 14,
  kDeviceClaims = 15,
  kTicketChecksum = 16,
  kAttributesInfo = 17,
  kRequestor = 18,
  kFullChecksum = 19,  // "extended KDC signature"
  kRequestorGuid = 20,
};

// MS-PAC 2.7 PAC_CLIENT_INFO. client_id must equal the ticket's authtime.
struct ClientInfo {
  FileTime client_id = kFileTimeUnset;
  std::string name;  // client name without realm, UTF-8 here, UTF-16LE on the wire
  friend bool operator==(const ClientInfo&, const ClientInfo&) = default;
};
Result<ClientInfo> parse_client_info(ByteView buffer);
Result<Bytes> build_client_info(const ClientInfo& info);

// MS-PAC 2.10 UPN_DNS_INFO flags.
inline constexpr std::uint32_t kUpnDnsFlagUpnConstructed = 0x1;  // "U"
inline constexpr std::uint32_t kUpnDnsFlagSamNameAndSid = 0x2;   // "S": extension present

struct UpnDnsInfo {
  std::string upn;
  std::string dns_domain_name;
  // kUpnDnsFlagSamNameAndSid is set by the builder iff `sam_name_and_sid` is present; other
  // bits are written as given.
  std::uint32_t flags = 0;
  struct SamNameAndSid {
    std::string sam_name;
    Sid sid;
    friend bool operator==(const SamNameAndSid&, const SamNameAndSid&) = default;
  };
  std::optional<SamNameAndSid> sam_name_and_sid;
  friend bool operator==(const UpnDnsInfo&, const UpnDnsInfo&) = default;
};
// Strings may sit anywhere inside the buffer; each (offset, length) is bounds-checked.
Result<UpnDnsInfo> parse_upn_dns_info(ByteView buffer);
// Strings follow the header, each 8-byte aligned (as Windows and Samba lay them out).
Result<Bytes> build_upn_dns_info(const UpnDnsInfo& info);

// MS-PAC 2.14 PAC_ATTRIBUTES_INFO flags.
inline constexpr std::uint32_t kPacWasRequested = 0x1;
inline constexpr std::uint32_t kPacWasGivenImplicitly = 0x2;

struct AttributesInfo {
  std::uint32_t flags_length = 2;  // in bits; at most 32 here
  std::uint32_t flags = 0;
  friend bool operator==(const AttributesInfo&, const AttributesInfo&) = default;
};
Result<AttributesInfo> parse_attributes_info(ByteView buffer);
Result<Bytes> build_attributes_info(const AttributesInfo& info);

// MS-PAC 2.15 PAC_REQUESTOR: one raw SID filling the buffer.
Result<Sid> parse_requestor(ByteView buffer);
Result<Bytes> build_requestor(const Sid& sid);

// MS-PAC 2.8 PAC_SIGNATURE_DATA.
struct SignatureData {
  std::int32_t signature_type = 0;  // a Kerberos checksum type
  Bytes signature;
  std::optional<std::uint16_t> rodc_identifier;  // present when an RODC signed
  friend bool operator==(const SignatureData&, const SignatureData&) = default;
};
// Signature length of the checksum types PACs use (15/16: 12, 19: 16, 20: 24, -138: 16).
std::optional<std::size_t> pac_signature_length(std::int32_t signature_type);
// For a known type the rest of the buffer is the signature, optionally followed by the
// 2-byte RODCIdentifier; any other length is kBadBuffer. For an unknown type the whole rest
// is kept as the signature.
Result<SignatureData> parse_signature_data(ByteView buffer);
Bytes build_signature_data(const SignatureData& sig);

}  // namespace kb::pac
