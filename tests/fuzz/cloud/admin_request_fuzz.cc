// The admin API's input validation on arbitrary bytes: the user sync body, the delete
// body, the policy document and the scalar syntaxes (RFC 3339, SID, UPN, DNS name,
// AAGUID). Each must refuse or accept without crashing, and what it accepts must be
// within the documented bounds.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cloud/service/admin_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kb::cloud::admin;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto users = parse_user_upserts(text)) {
    if (users->empty() || users->size() > kMaxUsersPerRequest) std::abort();
  }
  (void)parse_anchor_list(text);
  if (auto p = parse_policy(text)) {
    if (p->aaguid_allow.size() > kMaxAaguidsPerList) std::abort();
  }
  if (auto t = parse_rfc3339(text)) {
    // What we accept we can print and read back to the same instant.
    auto back = parse_rfc3339(format_rfc3339(*t));
    if (!back || *back != *t) std::abort();
  }
  (void)parse_sid(text);
  (void)parse_upn(text);
  (void)parse_domain(text);
  if (auto a = parse_aaguid(text)) {
    if (a->size() != 16) std::abort();
  }
  return 0;
}
