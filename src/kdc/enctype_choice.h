// Which keys a ticket and a session get (RFC 4120 §3.1.3, §3.3.3), shared by AS and TGS.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "crypto/crypto.h"
#include "krb5/messages.h"
#include "store/directory.h"

namespace kb::kdc {

bool has_key(const store::Account& account, crypto::EncType e);
// The newest stored key of this enctype, or null.
const store::StoredKey* newest_key(const store::Account& account, crypto::EncType e);
// The first enctype of the client's list (in its order) that we implement and the account
// has a key for.
std::optional<crypto::EncType> first_common_enctype(const std::vector<std::int32_t>& requested,
                                                    const store::Account& account);
// The account's strongest key type, for encrypting a ticket to it: aes256, aes128, rc4.
std::optional<crypto::EncType> ticket_enctype(const store::Account& service);

// krbtgt/<realm>: the name of a ticket-granting service.
bool is_tgs_principal(const krb5::PrincipalName& name);

}  // namespace kb::kdc
