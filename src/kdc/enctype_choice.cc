#include "kdc/enctype_choice.h"

#include <algorithm>
#include <array>

namespace kb::kdc {

bool has_key(const store::Account& account, crypto::EncType e) {
  return newest_key(account, e) != nullptr;
}

const store::StoredKey* newest_key(const store::Account& account, crypto::EncType e) {
  const auto etype = static_cast<std::int32_t>(e);
  const store::StoredKey* best = nullptr;
  for (const auto& k : account.keys) {
    if (k.enctype == etype && (best == nullptr || k.kvno > best->kvno)) best = &k;
  }
  return best;
}

std::optional<crypto::EncType> first_common_enctype(const std::vector<std::int32_t>& requested,
                                                    const store::Account& account) {
  for (std::int32_t e : requested) {
    auto et = crypto::enctype_from_int(e);
    if (et && has_key(account, *et)) return et;
  }
  return std::nullopt;
}

std::optional<crypto::EncType> ticket_enctype(const store::Account& service) {
  static constexpr std::array<crypto::EncType, 3> kPreference = {
      crypto::EncType::kAes256CtsHmacSha196, crypto::EncType::kAes128CtsHmacSha196,
      crypto::EncType::kRc4Hmac};
  for (crypto::EncType e : kPreference) {
    if (has_key(service, e)) return e;
  }
  return std::nullopt;
}

bool is_tgs_principal(const krb5::PrincipalName& name) {
  return name.name_string.size() == 2 && name.name_string[0] == "krbtgt";
}

}  // namespace kb::kdc
