// Finding the domain controllers (KDCs) of a realm for `keybridge signin`: configuration
// first, else DNS SRV (MS-ADTS 6.3.6 / RFC 4120 §7.2.3.2: _kerberos._tcp.dc._msdcs.DOMAIN,
// then _kerberos._tcp.DOMAIN) ordered as RFC 2782 says, and an iterator that moves to the
// next DC when one fails.
//
// No network here: the SRV lookup is a function the caller supplies (net::lookup_srv in
// the program, a table in unit tests), so the ordering is testable and deterministic under
// a given Rng.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace kb::client {

enum class LocatorErrc {
  kNoDc = 300,  // neither configuration nor DNS names a DC for the realm
  kNoService,   // DNS says the service is decidedly not available (a lone "." target)
  kBadConfig,   // a configured DC address is malformed
};
constexpr ErrorDomain error_domain(LocatorErrc) {
  return ErrorDomain::kClient;
}
std::string_view error_code_name(LocatorErrc e);

// One SRV record as the lookup returns it (RFC 2782 fields; target "" = ".").
struct SrvEntry {
  std::uint16_t priority = 0;
  std::uint16_t weight = 0;
  std::uint16_t port = 0;
  std::string target;
};
// Looks up one SRV name. Any error means "nothing usable under this name".
using SrvLookup = std::function<Result<std::vector<SrvEntry>>(const std::string& qname)>;

struct DcCandidate {
  std::string address;  // "host:port" or "[v6]:port", as net::send_to_kdc takes it
  std::string source;   // "config" or the SRV name it came from
  friend bool operator==(const DcCandidate&, const DcCandidate&) = default;
};

struct LocatorConfig {
  // Upper-case realm -> configured DC addresses, tried in this order. Entries without a
  // port get 88.
  std::map<std::string, std::vector<std::string>> realm_dcs;
  bool dns_lookup = true;
};

// The SRV names tried for `realm`, in order (the realm lower-cased is the AD DNS domain).
std::vector<std::string> srv_names(std::string_view realm);

// RFC 2782 "Usage rules": records sorted by priority (lowest first); within one priority,
// repeatedly pick among the remaining records with probability proportional to weight
// (weight-0 records placed first in the running sum, so they are picked rarely but can be).
// A lone record with target "." means no service (returns nullopt).
std::optional<std::vector<SrvEntry>> order_srv(std::vector<SrvEntry> records, Rng& rng);

// The DCs for `realm`: the configured ones if any, else the ordered SRV targets of the
// first SRV name that has records (duplicates removed). Errors: kNoDc, kNoService,
// kBadConfig. `lookup` is not called when configuration names DCs or dns_lookup is off.
Result<std::vector<DcCandidate>> locate_dcs(std::string_view realm, const LocatorConfig& cfg,
                                            const SrvLookup& lookup, Rng& rng);

// Walks the candidates: current() until the caller reports it failed, then the next one.
// Remembers which DCs failed and why, and which answered, for `signin status`.
class DcIterator {
 public:
  explicit DcIterator(std::vector<DcCandidate> dcs) : dcs_(std::move(dcs)) {}
  // The DC to try now, or nullptr when all have failed.
  [[nodiscard]] const DcCandidate* current() const {
    return pos_ < dcs_.size() ? &dcs_[pos_] : nullptr;
  }
  // The current DC failed (unreachable, timed out, answered as an RODC would): move on.
  void fail(const Error& why);
  // The current DC answered; it stays current.
  void answered();
  [[nodiscard]] const std::vector<std::pair<DcCandidate, Error>>& failures() const {
    return failures_;
  }
  [[nodiscard]] const std::vector<std::string>& answered_dcs() const { return answered_; }
  // kNoDc naming every failure, for when current() is nullptr.
  [[nodiscard]] Error exhausted() const;

 private:
  std::vector<DcCandidate> dcs_;
  std::size_t pos_ = 0;
  std::vector<std::pair<DcCandidate, Error>> failures_;
  std::vector<std::string> answered_;
};

// Tries `attempt` on each DC in turn until one succeeds; returns its result, or the
// iterator's exhausted() error. `attempt` decides what counts as a failure by returning an
// error (a KRB-ERROR the caller wants to accept as final should be returned as a value).
template <typename T>
Result<T> try_each_dc(DcIterator& it, const std::function<Result<T>(const DcCandidate&)>& attempt) {
  while (const DcCandidate* dc = it.current()) {
    auto r = attempt(*dc);
    if (r) {
      it.answered();
      return r;
    }
    it.fail(r.error());
  }
  return it.exhausted();
}

}  // namespace kb::client
