// Attestation object: parse, then run the format's verification over a fixed client data hash.
#include <cstddef>
#include <cstdint>

#include "webauthn/attestation.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  kb::ByteView in(data, size);
  auto obj = kb::webauthn::parse_attestation_object(in);
  if (!obj) return 0;
  kb::Bytes hash(32, 0x5a);
  (void)kb::webauthn::verify_attestation_statement(*obj, hash);
  return 0;
}
