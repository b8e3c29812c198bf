// The PAC container (MS-PAC 2.3 PACTYPE, 2.4 PAC_INFO_BUFFER) and its typed contents.
//
//   PACTYPE = cBuffers u32 | Version u32 (= 0) | cBuffers x PAC_INFO_BUFFER
//   PAC_INFO_BUFFER = ulType u32 | cbBufferSize u32 | Offset u64 (from the PAC start)
//
// Buffers start on 8-byte boundaries and are zero-padded; cbBufferSize excludes padding.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "pac/buffers.h"
#include "pac/logon_info.h"

namespace kb::pac {

// A buffer type we keep as bytes (CREDENTIALS_INFO, DEVICE_INFO, claims, REQUESTOR_GUID,
// anything unknown): visible to callers, written back only if they pass it to a builder.
struct OpaqueBuffer {
  std::uint32_t type = 0;
  Bytes data;
  friend bool operator==(const OpaqueBuffer&, const OpaqueBuffer&) = default;
};

struct Pac {
  std::optional<KerbValidationInfo> logon_info;   // 1
  std::optional<ClientInfo> client_info;          // 10
  std::optional<UpnDnsInfo> upn_dns_info;         // 12
  std::optional<AttributesInfo> attributes_info;  // 17
  std::optional<Sid> requestor;                   // 18
  std::vector<OpaqueBuffer> other;                // every other type, in PAC order
  std::optional<SignatureData> server_checksum;   // 6
  std::optional<SignatureData> kdc_checksum;      // 7
  std::optional<SignatureData> ticket_checksum;   // 16
  std::optional<SignatureData> full_checksum;     // 19
  friend bool operator==(const Pac&, const Pac&) = default;
};

// Where a buffer sits in an encoded PAC.
struct InfoBuffer {
  std::uint32_t type = 0;
  std::uint32_t size = 0;
  std::uint64_t offset = 0;
};

// A PAC as received: the decoded contents plus the exact bytes and directory, which
// signature verification needs (signatures cover the bytes received, never a re-encoding).
struct ParsedPac {
  Pac pac;
  Bytes raw;
  std::vector<InfoBuffer> buffers;  // in directory order
  // The directory entry of `type` (first one), if present.
  [[nodiscard]] const InfoBuffer* find(BufferType type) const;
};

inline constexpr std::uint32_t kMaxPacBuffers = 64;

// Parses and decodes every known buffer. Rejects: Version != 0 (kBadVersion); cBuffers
// above kMaxPacBuffers or larger than the data (kTooManyBuffers); a buffer inside the
// directory or past the end (kBufferOutOfRange); a misaligned Offset (kBufferMisaligned);
// overlapping buffers (kBufferOverlap); a known buffer type twice (kDuplicateBuffer); more
// than 7 bytes after the last buffer (kTrailingBytes); and whatever a buffer's own decoder
// rejects (with the buffer type as error context).
Result<ParsedPac> parse(ByteView pac);

// Encodes exactly the buffers present in `pac`, in the order 1, 10, 12, 17, 18, other...,
// 6, 7, 16, 19, with 8-byte aligned offsets and zero padding (the last buffer padded too).
// Signature buffers are written as given; to produce valid signatures use sign() (sign.h).
Result<Bytes> encode(const Pac& pac);
// The same, also reporting where each buffer landed (used by the signer).
Result<Bytes> encode(const Pac& pac, std::vector<InfoBuffer>* layout);

}  // namespace kb::pac
