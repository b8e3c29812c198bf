#include "webauthn/auth_data.h"

#include <algorithm>

#include "webauthn/errc.h"

namespace kb::webauthn {
namespace {

using E = WebauthnErrc;

constexpr std::size_t kFixedLength = 37;  // rpIdHash + flags + signCount

Result<cbor::Value> parse_extensions(ByteView in) {
  cbor::Limits limits;
  limits.max_bytes = 2048;
  limits.max_depth = 4;
  limits.max_items = 64;
  limits.canonical = true;
  auto v = cbor::decode(in, limits);
  if (!v) return Error(E::kBadExtensions, "extensions: " + v.error().detail());
  if (v->kind != cbor::Value::Kind::kMap) return Error(E::kBadExtensions, "extensions not a map");
  for (std::size_t i = 0; i < v->items.size(); i += 2) {
    // WebAuthn 9: extension identifiers are text strings.
    if (v->items[i].kind != cbor::Value::Kind::kText) {
      return Error(E::kBadExtensions, "extension identifier is not text");
    }
  }
  return std::move(v).value();
}

}  // namespace

Result<AuthenticatorData> parse_authenticator_data(ByteView in) {
  if (in.size() < kFixedLength) return Error(E::kBadAuthenticatorData, "shorter than 37 bytes");
  AuthenticatorData ad;
  ad.raw = to_bytes(in);
  std::copy_n(in.begin(), 32, ad.rp_id_hash.begin());
  ad.flags = in[32];
  ad.sign_count = (std::uint32_t{in[33]} << 24) | (std::uint32_t{in[34]} << 16) |
                  (std::uint32_t{in[35]} << 8) | std::uint32_t{in[36]};
  ByteView rest = in.subspan(kFixedLength);
  if (ad.at()) {
    if (rest.size() < 18) return Error(E::kBadAuthenticatorData, "attested data truncated");
    AttestedCredentialData acd;
    std::copy_n(rest.begin(), 16, acd.aaguid.begin());
    std::size_t id_len = (std::size_t{rest[16]} << 8) | rest[17];
    rest = rest.subspan(18);
    if (id_len > kMaxCredentialIdLength) {
      return Error(E::kCredentialIdTooLong, "credential id longer than 1023 bytes");
    }
    if (rest.size() < id_len) return Error(E::kBadAuthenticatorData, "credential id truncated");
    acd.credential_id = to_bytes(rest.first(id_len));
    rest = rest.subspan(id_len);
    std::size_t used = 0;
    acd.public_key = KB_TRY(parse_cose_key_prefix(rest, used));
    rest = rest.subspan(used);
    ad.attested = std::move(acd);
  }
  if (ad.ed()) {
    if (rest.empty()) return Error(E::kBadExtensions, "ED set without extension data");
    ad.extensions = KB_TRY(parse_extensions(rest));
    rest = {};
  }
  if (!rest.empty()) {
    return Error(E::kBadAuthenticatorData, "trailing bytes after authenticator data");
  }
  return ad;
}

Bytes build_authenticator_data(ByteView rp_id_hash, std::uint8_t flags, std::uint32_t sign_count,
                               const Aaguid& aaguid, ByteView credential_id, ByteView cose_key,
                               ByteView extensions) {
  Bytes out = to_bytes(rp_id_hash);
  out.push_back(flags);
  put_u32be(out, sign_count);
  if ((flags & kFlagAt) != 0) {
    append(out, aaguid);
    put_u16be(out, static_cast<std::uint16_t>(credential_id.size()));
    append(out, credential_id);
    append(out, cose_key);
  }
  if ((flags & kFlagEd) != 0) append(out, extensions);
  return out;
}

}  // namespace kb::webauthn
