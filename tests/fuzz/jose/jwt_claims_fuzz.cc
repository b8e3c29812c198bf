// JWT claims: strict JSON (duplicates refused) and the claim checks on arbitrary payloads.
// An accepted object serializes and parses back to an equal object.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "base/json.h"
#include "jose/jwt.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto claims = kb::jose::parse_claims(kb::ByteView(data, size));
  if (!claims) return 0;
  auto again = kb::jose::parse_claims(kb::as_bytes(kb::json::serialize(*claims)), 1 << 20);
  if (!again || *again != *claims) std::abort();
  kb::jose::ClaimChecks checks;
  checks.issuer = "https://cloud.example";
  checks.audience = "keybridge";
  checks.max_age = std::chrono::seconds(3600);
  const kb::SysTime now{std::chrono::seconds(1767225600)};
  (void)kb::jose::check_claims(*claims, checks, now);
  for (const char* name : {"exp", "nbf", "iat"}) (void)kb::jose::numeric_date(*claims, name);
  return 0;
}
