// MIT keytab, file format version 0x502 (krb5 doc/formats/keytab_file_format.rst).
//
//   u8 5, u8 2, then records: i32 length (big-endian); < 0 = a hole of -length bytes,
//   0 = end of file. An entry: u16 ncomponents (realm excluded), data16 realm,
//   data16 component..., u32 name_type, u32 timestamp, u8 kvno8, u16 enctype,
//   u16 keylength, key, [u32 kvno32: overrides kvno8 when present and non-zero].
//
// We always write kvno32: an RODC-style kvno ((branch << 16) | version) does not fit in
// eight bits.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/secret.h"
#include "formats/errors.h"

namespace kb::formats {

struct KeytabEntry {
  std::vector<std::string> components;  // e.g. {"HTTP", "web.contoso.test"}
  std::string realm;
  std::uint32_t name_type = 1;  // NT-PRINCIPAL; 2 for krbtgt, 3 for host services
  std::uint32_t timestamp = 0;  // unix seconds
  std::uint32_t kvno = 0;
  std::int32_t enctype = 0;  // written as u16, as MIT does
  SecretBytes key;
};

// Limits on what we read: more than MIT produces, far less than memory.
inline constexpr std::size_t kKeytabMaxComponents = 64;
inline constexpr std::size_t kKeytabMaxEntries = 100000;

Result<Bytes> encode_keytab(const std::vector<KeytabEntry>& entries);
// Strict: version 0x502 only, every record parsed to its declared length, holes skipped.
Result<std::vector<KeytabEntry>> parse_keytab(ByteView file);

// Writes `bytes` to `path` with mode 0600, atomically (temporary file + rename).
Result<void> write_private_file(const std::filesystem::path& path, ByteView bytes);
Result<Bytes> read_file(const std::filesystem::path& path, std::size_t max_size);

}  // namespace kb::formats
