#include "client/dc_locator.h"

#include <algorithm>
#include <cctype>

namespace kb::client {

std::string_view error_code_name(LocatorErrc e) {
  switch (e) {
    case LocatorErrc::kNoDc:
      return "no_dc";
    case LocatorErrc::kNoService:
      return "no_kerberos_service";
    case LocatorErrc::kBadConfig:
      return "bad_dc_config";
  }
  return "unknown";
}

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::uint32_t random_u32(Rng& rng) {
  std::uint8_t b[4];
  rng.fill(b);
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}

// "host" -> "host:88"; "[v6]" -> "[v6]:88"; a bare IPv6 literal gets brackets.
Result<std::string> with_port(const std::string& a) {
  if (a.empty() || a.size() > 300) return Error(LocatorErrc::kBadConfig, "empty DC address");
  if (a.front() == '[') {
    auto close = a.find(']');
    if (close == std::string::npos) return Error(LocatorErrc::kBadConfig, "unclosed [ in " + a);
    return close + 1 == a.size() ? a + ":88" : a;
  }
  auto colon = a.find(':');
  if (colon == std::string::npos) return a + ":88";
  if (a.find(':', colon + 1) != std::string::npos) return "[" + a + "]:88";
  return a;
}

std::string srv_address(const SrvEntry& e) {
  const bool v6 = e.target.find(':') != std::string::npos;
  return (v6 ? "[" + e.target + "]" : e.target) + ":" + std::to_string(e.port);
}

// One priority class, RFC 2782: zero-weight entries first, then pick by running sum.
void order_by_weight(std::vector<SrvEntry>& cls, Rng& rng, std::vector<SrvEntry>& out) {
  std::stable_partition(cls.begin(), cls.end(), [](const SrvEntry& e) { return e.weight == 0; });
  while (!cls.empty()) {
    std::uint64_t total = 0;
    for (const auto& e : cls) total += e.weight;
    // Uniform in [0, total]; the modulo bias is below 2^-15 for sums under 2^17.
    const std::uint64_t pick = random_u32(rng) % (total + 1);
    std::uint64_t running = 0;
    std::size_t chosen = cls.size() - 1;
    for (std::size_t i = 0; i < cls.size(); ++i) {
      running += cls[i].weight;
      if (running >= pick) {
        chosen = i;
        break;
      }
    }
    out.push_back(std::move(cls[chosen]));
    cls.erase(cls.begin() + static_cast<std::ptrdiff_t>(chosen));
  }
}

}  // namespace

std::vector<std::string> srv_names(std::string_view realm) {
  const std::string domain = lower(realm);
  return {"_kerberos._tcp.dc._msdcs." + domain, "_kerberos._tcp." + domain};
}

std::optional<std::vector<SrvEntry>> order_srv(std::vector<SrvEntry> records, Rng& rng) {
  // RFC 2782: "A Target of '.' means that the service is decidedly not available at this
  // domain." Other '.' entries among real ones carry no address and are dropped.
  if (records.size() == 1 && records[0].target.empty()) return std::nullopt;
  std::erase_if(records, [](const SrvEntry& e) { return e.target.empty(); });
  std::stable_sort(records.begin(), records.end(),
                   [](const SrvEntry& a, const SrvEntry& b) { return a.priority < b.priority; });
  std::vector<SrvEntry> out;
  out.reserve(records.size());
  for (auto it = records.begin(); it != records.end();) {
    auto end = std::find_if(it, records.end(),
                            [p = it->priority](const SrvEntry& e) { return e.priority != p; });
    std::vector<SrvEntry> cls(std::make_move_iterator(it), std::make_move_iterator(end));
    order_by_weight(cls, rng, out);
    it = end;
  }
  return out;
}

Result<std::vector<DcCandidate>> locate_dcs(std::string_view realm, const LocatorConfig& cfg,
                                            const SrvLookup& lookup, Rng& rng) {
  std::vector<DcCandidate> out;
  if (auto it = cfg.realm_dcs.find(upper(realm));
      it != cfg.realm_dcs.end() && !it->second.empty()) {
    for (const auto& a : it->second) out.push_back({KB_TRY(with_port(a)), "config"});
    return out;
  }
  if (!cfg.dns_lookup || !lookup) {
    return Error(LocatorErrc::kNoDc, "no DC configured for " + std::string(realm));
  }
  std::string tried;
  for (const auto& name : srv_names(realm)) {
    auto records = lookup(name);
    if (!records) {
      tried += (tried.empty() ? "" : "; ") + name + ": " + records.error().name();
      continue;
    }
    auto ordered = order_srv(std::move(*records), rng);
    if (!ordered) {
      return Error(LocatorErrc::kNoService, name + " says no Kerberos service (target '.')");
    }
    for (const auto& e : *ordered) {
      DcCandidate c{srv_address(e), name};
      if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(std::move(c));
    }
    if (!out.empty()) return out;
    tried += (tried.empty() ? "" : "; ") + name + ": no usable target";
  }
  return Error(LocatorErrc::kNoDc, "no DC for " + std::string(realm) + " (" + tried + ")");
}

void DcIterator::fail(const Error& why) {
  if (pos_ >= dcs_.size()) return;
  failures_.emplace_back(dcs_[pos_], why);
  ++pos_;
}

void DcIterator::answered() {
  if (pos_ < dcs_.size()) answered_.push_back(dcs_[pos_].address);
}

Error DcIterator::exhausted() const {
  std::string detail;
  for (const auto& [dc, err] : failures_) {
    detail += (detail.empty() ? "" : "; ") + dc.address + ": " + err.name();
  }
  return Error(LocatorErrc::kNoDc, detail.empty() ? "no DC to try" : detail);
}

}  // namespace kb::client
