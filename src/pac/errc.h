// Errors of src/pac (MS-PAC container, NDR, buffers, signatures).
#pragma once

#include <string_view>

#include "base/error.h"

namespace kb::pac {

enum class Errc {
  kTruncated = 1,           // a read ran past the end of its buffer
  kBadNdrHeader,            // MS-RPCE 2.2.6 common/private header wrong
  kBadNdrPointer,           // null where a referent is required, or referent ids inconsistent
  kBadNdrCount,             // conformance/variance disagree with the fixed part or the buffer
  kBadNdrString,            // conformant varying string inconsistent with its RPC_UNICODE_STRING
  kTrailingBytes,           // bytes left after a buffer's content (beyond alignment padding)
  kBadSid,                  // SID revision, sub-authority count or string form wrong
  kBadUtf16,                // odd length or unpaired surrogate
  kBadUtf8,                 // invalid UTF-8 in a builder input
  kBadVersion,              // PACTYPE Version != 0
  kTooManyBuffers,          // cBuffers absurd for the data
  kBufferOutOfRange,        // PAC_INFO_BUFFER outside the PAC, or inside the header
  kBufferMisaligned,        // Offset not a multiple of 8
  kBufferOverlap,           // two buffers share bytes
  kDuplicateBuffer,         // a singleton buffer type appears twice
  kMissingBuffer,           // a required buffer (e.g. a signature) is absent
  kBadBuffer,               // a buffer's fixed layout is wrong (lengths, offsets, flags)
  kBadSignatureType,        // checksum type does not fit the key's enctype
  kBadSignature,            // a PAC signature does not verify
  kRodcIdentifierMismatch,  // RODCIdentifier absent or not the expected one
  kInvalidArgument,         // builder input out of range
};
constexpr ErrorDomain error_domain(Errc) {
  return ErrorDomain::kPac;
}
std::string_view error_code_name(Errc e);

}  // namespace kb::pac
