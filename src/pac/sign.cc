#include "pac/sign.h"

#include <algorithm>
#include <string>

namespace kb::pac {

namespace {

constexpr auto kUsage = crypto::KeyUsage::kPacChecksum;  // MS-KILE 3.1.5.9: usage 17

crypto::ChecksumType checksum_type_for(const crypto::Key& key) {
  return crypto::mandatory_checksum(key.enctype());
}

const InfoBuffer* find_in(const std::vector<InfoBuffer>& layout, BufferType type) {
  for (const auto& b : layout) {
    if (b.type == static_cast<std::uint32_t>(type)) return &b;
  }
  return nullptr;
}

// Zeroes a PAC_SIGNATURE_DATA after its SignatureType, RODCIdentifier included. The
// directory was checked by parse(); the bounds check guards hand-assembled ParsedPacs.
void zero_signature(Bytes& pac, const InfoBuffer* b) {
  if (b == nullptr || b->size < 4 || b->offset > pac.size() || b->size > pac.size() - b->offset) {
    return;
  }
  auto first = pac.begin() + static_cast<std::ptrdiff_t>(b->offset + 4);
  std::fill(first, first + (b->size - 4), std::uint8_t{0});
}

void write_at(Bytes& pac, std::uint64_t offset, ByteView data) {
  std::copy(data.begin(), data.end(), pac.begin() + static_cast<std::ptrdiff_t>(offset));
}

void write_rodc(Bytes& pac, const InfoBuffer& b, std::uint16_t id) {
  pac[b.offset + b.size - 2] = static_cast<std::uint8_t>(id);
  pac[b.offset + b.size - 1] = static_cast<std::uint8_t>(id >> 8);
}

SignatureData zero_filled_signature(const crypto::Key& key, std::optional<std::uint16_t> rodc) {
  SignatureData s;
  crypto::ChecksumType t = checksum_type_for(key);
  s.signature_type = static_cast<std::int32_t>(t);
  s.signature.assign(crypto::checksum_length(t), 0);
  if (rodc) s.rodc_identifier = std::uint16_t{0};  // the slot exists but is zero while signing
  return s;
}

// Computes a checksum and writes it into the buffer's signature field. `data` may view
// `pac` itself: the checksum is complete before anything is written.
Result<void> fill(Bytes& pac, const InfoBuffer& b, const crypto::Key& key, ByteView data) {
  Bytes cksum = KB_TRY(crypto::make_checksum(checksum_type_for(key), key, kUsage, data));
  if (4 + cksum.size() > b.size) return Error(Errc::kInvalidArgument, "checksum longer than slot");
  write_at(pac, b.offset + 4, cksum);
  return kb::ok();
}

}  // namespace

Result<Bytes> sign(Pac pac, const SignKeys& keys) {
  if (keys.server_key.empty() || keys.kdc_key.empty()) {
    return Error(Errc::kInvalidArgument, "empty signing key");
  }
  const bool service_ticket = keys.ticket_checksum_input.has_value();
  pac.server_checksum = zero_filled_signature(keys.server_key, std::nullopt);  // never an RODC id
  pac.kdc_checksum = zero_filled_signature(keys.kdc_key, keys.rodc_identifier);
  pac.ticket_checksum.reset();
  pac.full_checksum.reset();
  if (service_ticket) {
    pac.ticket_checksum = zero_filled_signature(keys.kdc_key, keys.rodc_identifier);
    pac.full_checksum = zero_filled_signature(keys.kdc_key, keys.rodc_identifier);
  }
  std::vector<InfoBuffer> layout;
  Bytes out = KB_TRY(encode(pac, &layout));
  const InfoBuffer* server = find_in(layout, BufferType::kServerChecksum);
  const InfoBuffer* kdc = find_in(layout, BufferType::kPrivsvrChecksum);

  if (service_ticket) {
    // MS-PAC 2.8.2, then 2.8.3 (protocol-digest C.3 steps 2-3).
    const InfoBuffer* ticket = find_in(layout, BufferType::kTicketChecksum);
    const InfoBuffer* full = find_in(layout, BufferType::kFullChecksum);
    KB_CHECK(fill(out, *ticket, keys.kdc_key, *keys.ticket_checksum_input));
    if (keys.rodc_identifier) write_rodc(out, *ticket, *keys.rodc_identifier);
    // Server, KDC and full signatures are still zero here. fill() computes the checksum
    // over `out` before it writes into it, so no copy is needed.
    KB_CHECK(fill(out, *full, keys.kdc_key, out));
    if (keys.rodc_identifier) write_rodc(out, *full, *keys.rodc_identifier);
  }
  // MS-PAC 2.8.4: over the whole PAC with server and KDC signatures zero.
  KB_CHECK(fill(out, *server, keys.server_key, out));
  // MS-PAC 2.8.5: over the server signature bytes.
  const std::size_t server_len = crypto::checksum_length(checksum_type_for(keys.server_key));
  KB_CHECK(fill(out, *kdc, keys.kdc_key, ByteView(out).subspan(server->offset + 4, server_len)));
  if (keys.rodc_identifier) write_rodc(out, *kdc, *keys.rodc_identifier);
  return out;
}

namespace {

Result<void> check_one(const char* what, const SignatureData& sig, const crypto::Key& key,
                       ByteView data) {
  // Accept only the checksum type of the key's enctype family (no downgrade to another
  // type the same key could also compute).
  if (sig.signature_type != static_cast<std::int32_t>(checksum_type_for(key))) {
    return Error(Errc::kBadSignatureType, std::string(what) + ": checksum type " +
                                              std::to_string(sig.signature_type) +
                                              " does not match the key");
  }
  auto r = crypto::verify_checksum(checksum_type_for(key), key, kUsage, data, sig.signature);
  if (!r) {
    if (r.error().is(crypto::Errc::kBadChecksum)) {
      return Error(Errc::kBadSignature, std::string(what) + " does not verify");
    }
    return std::move(r).error();
  }
  return kb::ok();
}

Result<void> check_rodc(const char* what, const SignatureData& sig,
                        std::optional<std::uint16_t> expected) {
  if (expected && sig.rodc_identifier != expected) {
    return Error(Errc::kRodcIdentifierMismatch, std::string(what) + ": RODCIdentifier");
  }
  return kb::ok();
}

}  // namespace

Result<void> verify(const ParsedPac& parsed, const VerifyKeys& keys) {
  const Pac& pac = parsed.pac;
  if (!pac.server_checksum) return Error(Errc::kMissingBuffer, "no SERVER_CHECKSUM");
  if (!pac.kdc_checksum) return Error(Errc::kMissingBuffer, "no KDC_CHECKSUM");
  const InfoBuffer* server = parsed.find(BufferType::kServerChecksum);
  const InfoBuffer* kdc = parsed.find(BufferType::kPrivsvrChecksum);
  const InfoBuffer* full = parsed.find(BufferType::kFullChecksum);

  // MS-PAC 2.8.4 (digest I: the whole PAC_SIGNATURE_DATA after SignatureType is zeroed).
  Bytes copy = parsed.raw;
  zero_signature(copy, server);
  zero_signature(copy, kdc);
  KB_CHECK(check_one("server signature", *pac.server_checksum, keys.server_key, copy));
  if (keys.kdc_key == nullptr) return kb::ok();

  KB_CHECK(check_rodc("KDC signature", *pac.kdc_checksum, keys.expected_rodc_identifier));
  // MS-PAC 2.8.5: over the server signature bytes as received.
  KB_CHECK(
      check_one("KDC signature", *pac.kdc_checksum, *keys.kdc_key, pac.server_checksum->signature));
  if (pac.full_checksum) {
    // MS-PAC 2.8.3: server, KDC and full signatures zeroed.
    KB_CHECK(check_rodc("full signature", *pac.full_checksum, keys.expected_rodc_identifier));
    zero_signature(copy, full);
    KB_CHECK(check_one("full signature", *pac.full_checksum, *keys.kdc_key, copy));
  }
  if (keys.ticket_checksum_input) {
    if (!pac.ticket_checksum) return Error(Errc::kMissingBuffer, "no TICKET_CHECKSUM");
    KB_CHECK(check_rodc("ticket signature", *pac.ticket_checksum, keys.expected_rodc_identifier));
    KB_CHECK(check_one("ticket signature", *pac.ticket_checksum, *keys.kdc_key,
                       *keys.ticket_checksum_input));
  }
  return kb::ok();
}

}  // namespace kb::pac
