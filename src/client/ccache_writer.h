// Storing a TGT in the user's credential cache through libkrb5's ccache API, so that every
// cache type libkrb5 knows (FILE, DIR, KEYRING, KCM, ...) works, and reading back what a
// cache holds for `keybridge signin status`.
//
// The session key goes from its crypto::Key straight into libkrb5 (krb5_cc_store_cred copies
// it); key blocks libkrb5 hands back while reading are zeroed before they are freed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "client/tgs_client.h"

namespace kb::client {

enum class CcacheErrc {
  kKrb5 = 400,    // a libkrb5 call failed (its message in the detail)
  kBadPrincipal,  // a principal name libkrb5 cannot represent (control characters)
  kNoCache,       // the cache does not exist or holds no default principal
};
constexpr ErrorDomain error_domain(CcacheErrc) {
  return ErrorDomain::kClient;
}
std::string_view error_code_name(CcacheErrc e);

// Stores `cred` as the only credential of the cache `ccache_name` ("FILE:/tmp/cc",
// "DIR:/run/user/1000/krb5cc", "KEYRING:persistent:1000", "KCM:", ...), or of the user's
// default cache (KRB5CCNAME, then krb5.conf default_ccache_name) when none is given: the
// cache is initialized with the credential's client principal, which drops whatever it held.
// With no name and a default cache in a collection (KCM, DIR, KEYRING), the cache is picked
// as MIT kinit picks it: the collection's cache for that client if there is one, else a new
// one when the primary cache holds another principal; it then becomes the primary cache.
// Returns the full name of the cache written ("FILE:/tmp/krb5cc_1000", "KCM:0:12345").
Result<std::string> store_credential(const Credential& cred,
                                     std::optional<std::string_view> ccache_name = std::nullopt);

struct CachedCredential {
  std::string client;  // unparsed, "alice@CONTOSO.TEST"
  std::string server;  // "krbtgt/CONTOSO.TEST@CONTOSO.TEST"
  std::int32_t enctype = 0;
  std::uint32_t flags = 0;  // TicketFlags, bit 0 = 0x80000000
  SysTime authtime;
  SysTime starttime;
  SysTime endtime;
  std::optional<SysTime> renew_till;
  [[nodiscard]] bool is_tgt() const { return server.rfind("krbtgt/", 0) == 0; }
};

struct CcacheContents {
  std::string name;  // full name, "FILE:/tmp/cc"
  std::string default_principal;
  std::vector<CachedCredential> credentials;  // configuration entries are left out
};

// What the cache (or the default cache) holds. kNoCache when it does not exist or has no
// default principal.
Result<CcacheContents> read_ccache(std::optional<std::string_view> ccache_name = std::nullopt);

}  // namespace kb::client
