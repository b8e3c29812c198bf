#include "krb5/basic.h"

namespace kb::krb5 {

const PaData* find_padata(const std::vector<PaData>& padata, Int32 type) {
  for (const PaData& p : padata) {
    if (p.padata_type == type) return &p;
  }
  return nullptr;
}

const PaData* find_padata(const std::optional<std::vector<PaData>>& padata, Int32 type) {
  return padata ? find_padata(*padata, type) : nullptr;
}

}  // namespace kb::krb5

namespace kb::der {

void Codec<krb5::KerberosFlags>::encode(Writer& w, const krb5::KerberosFlags& v) {
  if (v.tail.octets.empty()) {
    // The usual 32 bits, as Codec<BitString> writes them (unused-bits octet 0, four
    // octets), without building a BitString on the heap: every ticket and reply has one.
    const std::uint8_t c[5] = {
        0, static_cast<std::uint8_t>(v.bits >> 24), static_cast<std::uint8_t>(v.bits >> 16),
        static_cast<std::uint8_t>(v.bits >> 8), static_cast<std::uint8_t>(v.bits)};
    w.write_tlv(tag::kBitString, c);
    return;
  }
  BitString b;
  b.octets.reserve(4 + v.tail.octets.size());
  for (int shift = 24; shift >= 0; shift -= 8) {
    b.octets.push_back(static_cast<std::uint8_t>(v.bits >> shift));
  }
  append(b.octets, v.tail.octets);
  b.unused_bits = v.tail.octets.empty() ? 0 : v.tail.unused_bits;
  Codec<BitString>::encode(w, b);
}

Result<krb5::KerberosFlags> Codec<krb5::KerberosFlags>::decode(Reader& r) {
  BitString b = KB_TRY(Codec<BitString>::decode(r));
  if (b.bit_count() < 32) return Error(Errc::kBadBitString, "KerberosFlags shorter than 32 bits");
  krb5::KerberosFlags out;
  for (std::size_t i = 0; i < 4; ++i) out.bits = (out.bits << 8) | b.octets[i];
  out.tail.octets.assign(b.octets.begin() + 4, b.octets.end());
  out.tail.unused_bits = out.tail.octets.empty() ? 0 : b.unused_bits;
  return out;
}

}  // namespace kb::der
