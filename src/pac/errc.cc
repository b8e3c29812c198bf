#include "pac/errc.h"

namespace kb::pac {

std::string_view error_code_name(Errc e) {
  switch (e) {
    case Errc::kTruncated:
      return "truncated";
    case Errc::kBadNdrHeader:
      return "bad_ndr_header";
    case Errc::kBadNdrPointer:
      return "bad_ndr_pointer";
    case Errc::kBadNdrCount:
      return "bad_ndr_count";
    case Errc::kBadNdrString:
      return "bad_ndr_string";
    case Errc::kTrailingBytes:
      return "trailing_bytes";
    case Errc::kBadSid:
      return "bad_sid";
    case Errc::kBadUtf16:
      return "bad_utf16";
    case Errc::kBadUtf8:
      return "bad_utf8";
    case Errc::kBadVersion:
      return "bad_version";
    case Errc::kTooManyBuffers:
      return "too_many_buffers";
    case Errc::kBufferOutOfRange:
      return "buffer_out_of_range";
    case Errc::kBufferMisaligned:
      return "buffer_misaligned";
    case Errc::kBufferOverlap:
      return "buffer_overlap";
    case Errc::kDuplicateBuffer:
      return "duplicate_buffer";
    case Errc::kMissingBuffer:
      return "missing_buffer";
    case Errc::kBadBuffer:
      return "bad_buffer";
    case Errc::kBadSignatureType:
      return "bad_signature_type";
    case Errc::kBadSignature:
      return "bad_signature";
    case Errc::kRodcIdentifierMismatch:
      return "rodc_identifier_mismatch";
    case Errc::kInvalidArgument:
      return "invalid_argument";
  }
  return "unknown";
}

}  // namespace kb::pac
