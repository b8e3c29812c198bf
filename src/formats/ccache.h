// MIT FILE credential cache, format version 4 (krb5 doc/formats/ccache_file_format.rst).
//
//   u8 5, u8 4, u16 header length, header fields {u16 tag, u16 len, value}
//   (tag 1 = KDC time offset {i32 seconds, i32 microseconds}), principal default,
//   then credentials until end of file. Integers are big-endian.
//
// The sign-in client writes the user's cache through libkrb5's ccache API (so KEYRING and
// KCM work too); this module is for files we produce or check ourselves: tests, the demo,
// and reading a cache without a libkrb5 context.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/secret.h"
#include "formats/errors.h"

namespace kb::formats {

struct CcachePrincipal {
  std::uint32_t name_type = 1;
  std::string realm;
  std::vector<std::string> components;
  friend bool operator==(const CcachePrincipal&, const CcachePrincipal&) = default;
};

struct CcacheAddress {
  std::uint16_t addrtype = 0;
  Bytes address;
  friend bool operator==(const CcacheAddress&, const CcacheAddress&) = default;
};

struct CcacheAuthData {
  std::uint16_t ad_type = 0;
  Bytes data;
  friend bool operator==(const CcacheAuthData&, const CcacheAuthData&) = default;
};

struct CcacheCredential {
  CcachePrincipal client;
  CcachePrincipal server;
  std::uint16_t enctype = 0;
  SecretBytes key;
  std::uint32_t authtime = 0;
  std::uint32_t starttime = 0;
  std::uint32_t endtime = 0;
  std::uint32_t renew_till = 0;
  std::uint8_t is_skey = 0;
  std::uint32_t ticket_flags = 0;  // TKT_FLG_* layout: the DER bit string as a u32
  std::vector<CcacheAddress> addresses;
  std::vector<CcacheAuthData> authdata;
  Bytes ticket;         // DER Ticket (APPLICATION 1)
  Bytes second_ticket;  // empty unless user-to-user
};

struct Ccache {
  CcachePrincipal default_principal;
  std::optional<std::pair<std::int32_t, std::int32_t>> kdc_time_offset;  // seconds, usec
  std::vector<CcacheCredential> credentials;
};

inline constexpr std::size_t kCcacheMaxComponents = 64;
inline constexpr std::size_t kCcacheMaxCount = 4096;  // addresses, authdata per credential
inline constexpr std::size_t kCcacheMaxCredentials = 100000;

Result<Bytes> encode_ccache(const Ccache& cache);
// Strict: v4 only; header fields bounded; every credential complete.
Result<Ccache> parse_ccache(ByteView file);

}  // namespace kb::formats
