// Untrusted entry point: a PAC from a ticket (kb::pac::parse, then verify).
//
// Properties checked on every input that parses:
//   1. encode() of the decoded PAC succeeds (or refuses with kInvalidArgument when the
//      input's strings cannot be laid out again, e.g. aliased UPN_DNS_INFO strings),
//   2. the re-encoding parses and decodes to the same contents,
//   3. encoding is idempotent,
//   4. verify() returns (any result) without crashing.
#include <cstdint>
#include <cstdlib>

#include "pac/pac.h"
#include "pac/sign.h"

namespace {

using kb::pac::Pac;

// The builder derives these UserFlags bits from the data; the parser reports them raw.
Pac normalized(Pac p) {
  if (p.logon_info) {
    auto& li = *p.logon_info;
    if (!li.extra_sids.empty()) li.user_flags |= kb::pac::kUserFlagExtraSids;
    if (li.resource_group_domain_sid || !li.resource_group_ids.empty()) {
      li.user_flags |= kb::pac::kUserFlagResourceGroups;
    }
  }
  return p;
}

void check_verify(const kb::pac::ParsedPac& parsed) {
  static const kb::crypto::Key key = [] {
    kb::Bytes b(32, 0x5a);
    return std::move(kb::crypto::Key::from_bytes(kb::crypto::EncType::kAes256CtsHmacSha196, b))
        .value();
  }();
  const kb::Bytes ticket = {0x00};
  (void)kb::pac::verify(parsed, kb::pac::VerifyKeys{key, &key, kb::ByteView(ticket), 1});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto first = kb::pac::parse(kb::ByteView(data, size));
  if (!first) return 0;
  check_verify(*first);
  auto encoded = kb::pac::encode(first->pac);
  if (!encoded) {
    if (encoded.error().is(kb::pac::Errc::kInvalidArgument)) return 0;
    std::abort();
  }
  auto second = kb::pac::parse(*encoded);
  if (!second) std::abort();
  if (!(normalized(first->pac) == second->pac)) std::abort();
  auto again = kb::pac::encode(second->pac);
  if (!again || *again != *encoded) std::abort();
  return 0;
}
