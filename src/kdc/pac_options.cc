#include "kdc/pac_options.h"

#include "kdc/errc.h"

namespace kb::kdc {

Result<std::optional<krb5::PaPacOptions>> read_pac_options(
    const std::optional<std::vector<krb5::PaData>>& padata) {
  if (!padata) return std::optional<krb5::PaPacOptions>();
  for (const auto& p : *padata) {
    if (p.padata_type != krb5::padata_type::kPacOptions) continue;
    auto options = der::decode<krb5::PaPacOptions>(p.padata_value);
    if (!options) {
      return Error(Errc::kBadOption,
                   "PA-PAC-OPTIONS does not decode: " + options.error().to_string());
    }
    return std::optional<krb5::PaPacOptions>(std::move(*options));
  }
  return std::optional<krb5::PaPacOptions>();
}

std::string describe_pac_options(const krb5::PaPacOptions& options) {
  static constexpr const char* kNames[] = {"claims", "branch-aware", "forward-to-full-dc", "rbcd"};
  std::string out;
  for (unsigned bit = 0; bit < 32; ++bit) {
    if (!options.flags.test(bit)) continue;
    if (!out.empty()) out += ',';
    out += bit < std::size(kNames) ? std::string(kNames[bit]) : "bit" + std::to_string(bit);
  }
  for (std::uint8_t octet : options.flags.tail.octets) {
    if (octet == 0) continue;
    out += out.empty() ? "bits>31" : ",bits>31";
    break;
  }
  return out.empty() ? "-" : out;
}

}  // namespace kb::kdc
