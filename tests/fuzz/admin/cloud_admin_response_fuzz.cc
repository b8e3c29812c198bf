// The admin tool's readers of cloud responses on arbitrary bytes: a Kerberos server object,
// a page of users, and a problem document. Each must refuse or accept without crashing,
// and what it accepts must be within the documented bounds.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "admin/cloud_admin_client.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kb::admin;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto s = parse_kerberos_server_json(text)) {
    if (s->id == 0 || s->domain.size() > 253 || s->key_updated_from.size() > 256) std::abort();
  }
  if (auto p = parse_users_page(text)) {
    if (p->users.size() > CloudAdminClient::kBatch) std::abort();
    if (p->next && p->next->empty()) std::abort();
  }
  kb::http::Response r;
  r.status = size > 0 ? 400 + data[0] % 200 : 500;
  r.headers.add("Content-Type", "application/problem+json");
  r.body = std::string(text);
  const kb::Error e = error_from_response(r);
  if (e.domain() != kb::ErrorDomain::kCloud) std::abort();
  return 0;
}
