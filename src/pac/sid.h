// Security identifiers (MS-DTYP 2.4.2): raw form (REQUESTOR, UPN_DNS_INFO), NDR RPC_SID
// form (LOGON_INFO) and the "S-1-5-21-a-b-c-RID" string form.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "pac/ndr.h"

namespace kb::pac {

struct Sid {
  static constexpr std::size_t kMaxSubAuthorities = 15;  // MS-DTYP 2.4.2
  static constexpr std::uint64_t kMaxAuthority = (std::uint64_t{1} << 48) - 1;

  std::uint64_t authority = 0;  // 48-bit IdentifierAuthority (big-endian on the wire)
  std::vector<std::uint32_t> sub_authorities;

  // "S-1-<authority>-<sub>..." with decimal numbers (authority also as 0x + 12 hex digits,
  // the form Windows prints for values >= 2^32). At most 15 sub-authorities.
  static Result<Sid> parse(std::string_view text);
  // Raw form: Revision(1)=1, SubAuthorityCount, Authority[6] big-endian, SubAuthority[] LE.
  // The whole view must be one SID.
  static Result<Sid> from_raw(ByteView raw);
  // Reads a raw SID at the reader's position (no alignment).
  static Sid read_raw(LeReader& r);
  // NDR RPC_SID as a deferred referent: u32 conformance (= SubAuthorityCount, aligned 4),
  // then the raw form.
  static Sid read_ndr(LeReader& r);

  [[nodiscard]] std::string to_string() const;
  [[nodiscard]] Bytes to_raw() const;
  void write_raw(LeWriter& w) const;
  void write_ndr(LeWriter& w) const;
  [[nodiscard]] std::size_t raw_size() const { return 8 + 4 * sub_authorities.size(); }
  // True when the fields are within MS-DTYP limits (builders check this).
  [[nodiscard]] bool valid() const;

  // domain.with_rid(1104) = S-1-5-21-a-b-c-1104.
  [[nodiscard]] Sid with_rid(std::uint32_t rid) const;
  // The last sub-authority; kBadSid if there is none.
  [[nodiscard]] Result<std::uint32_t> rid() const;
  // The SID without its last sub-authority; kBadSid if there is none.
  [[nodiscard]] Result<Sid> domain() const;

  friend bool operator==(const Sid&, const Sid&) = default;
};

}  // namespace kb::pac
