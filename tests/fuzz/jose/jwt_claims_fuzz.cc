// JWT claims: strict JSON (duplicates refused) and the claim checks on arbitrary payloads.
// An accepted object serializes to text the strict reader accepts again, with the same
// members. (Not always equal values: Boost.JSON 1.81 does not round doubles such as
// 120000000000000239558001 correctly, so a double may move by one ulp; integers are exact.)
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
  if (!again || again->size() != claims->size()) std::abort();
  for (const auto& kv : *claims) {
    if (!again->contains(kv.key())) std::abort();
    if (!kv.value().is_double() && !kv.value().is_object() && !kv.value().is_array() &&
        again->at(kv.key()) != kv.value()) {
      std::abort();
    }
  }
  kb::jose::ClaimChecks checks;
  checks.issuer = "https://cloud.example";
  checks.audience = "keybridge";
  checks.max_age = std::chrono::seconds(3600);
  const kb::SysTime now{std::chrono::seconds(1767225600)};
  (void)kb::jose::check_claims(*claims, checks, now);
  for (const char* name : {"exp", "nbf", "iat"}) (void)kb::jose::numeric_date(*claims, name);
  return 0;
}
