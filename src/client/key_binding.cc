#include "client/key_binding.h"

#include "client/authenticator.h"
#include "client/signin_flow.h"
#include "crypto/master_key.h"
#include "crypto/seal.h"

namespace kb::client {
namespace {

// Associated data: what a blob is, the device and the credential, so a blob moved to another
// device's state or made for another credential does not open.
Bytes binding_ad(std::string_view what, const DeviceState& s, ByteView credential_id) {
  Bytes ad = to_bytes(kKeyBindingInfo);
  ad.push_back(0);
  append(ad, as_bytes(what));
  ad.push_back(0);
  put_u32be(ad, static_cast<std::uint32_t>(s.device_id.size()));
  append(ad, as_bytes(s.device_id));
  append(ad, credential_id);
  return ad;
}

Result<crypto::MasterKey> key_from_output(const SecretBytes& output) {
  SecretBytes k = KB_TRY(crypto::hkdf_sha256(output.reveal(), {}, as_bytes(kKeyBindingInfo),
                                             crypto::MasterKey::kKeySize));
  return crypto::MasterKey::from_bytes(k.reveal());
}

Error refused(std::string why) {
  return Error(SigninErrc::kCachedKeyRefused, std::move(why));
}

}  // namespace

void ensure_hmac_salt(DeviceState& s, Rng& rng) {
  if (s.hmac_salt.size() == kHmacSecretSaltSize) return;
  s.hmac_salt.assign(kHmacSecretSaltSize, 0);
  rng.fill(s.hmac_salt);
}

Result<SecretBytes> open_cached_tgt(const DeviceState& s,
                                    const std::optional<SecretBytes>& output) {
  if (!s.key_binding) {
    if (!s.full_tgt) return Error(SigninErrc::kCachedUnavailable, "no cached TGT on this device");
    return s.full_tgt->clone();
  }
  if (!s.full_tgt_sealed) {
    return Error(SigninErrc::kCachedUnavailable, "no cached TGT on this device");
  }
  const KeyBinding& b = *s.key_binding;
  if (b.credential_id != s.credential_id) {
    return refused("the cached TGT is bound to another credential than the cached one");
  }
  if (!output) {
    return refused("the security key sent no hmac-secret output; the cached TGT is bound to it");
  }
  crypto::MasterKey k = KB_TRY(key_from_output(*output));
  auto priv = k.unwrap(b.wrapped_private_key, binding_ad("seal key", s, b.credential_id));
  if (!priv) return refused("the security key's hmac-secret output does not open the cached TGT");
  auto image = crypto::open_sealed(*priv, s.full_tgt_sealed->reveal(),
                                   binding_ad("full_tgt", s, b.credential_id));
  if (!image) return refused("the sealed cached TGT does not open (changed or foreign)");
  return std::move(image).value();
}

Result<void> keep_full_tgt(DeviceState& s, SecretBytes image, Rng& rng) {
  if (!s.key_binding) {
    s.full_tgt_sealed.reset();
    s.full_tgt = std::move(image);
    return ok();
  }
  Bytes sealed = KB_TRY(crypto::seal(s.key_binding->seal_public_key, image.reveal(),
                                     binding_ad("full_tgt", s, s.key_binding->credential_id), rng));
  s.full_tgt.reset();
  s.full_tgt_sealed = SecretBytes::adopt(std::move(sealed));
  return ok();
}

Result<void> bind_cached_tgt(DeviceState& s, ByteView credential_id,
                             const std::optional<SecretBytes>& output, Rng& rng) {
  // The TGT cached so far, if it can still be read with what this sign-in has.
  std::optional<SecretBytes> image;
  if (s.full_tgt) {
    image = std::move(s.full_tgt);
  } else if (s.full_tgt_sealed && s.key_binding && output &&
             to_bytes(credential_id) == s.key_binding->credential_id) {
    if (auto old = open_cached_tgt(s, output)) image = std::move(old).value();
  }
  s.full_tgt.reset();
  s.full_tgt_sealed.reset();
  s.key_binding.reset();
  const bool bindable = output && output->size() == 32 && !s.credential_id.empty() &&
                        to_bytes(credential_id) == s.credential_id &&
                        !s.credential_public_key.empty() && !s.hmac_salt.empty();
  if (bindable) {
    crypto::SealKeyPair kp = KB_TRY(crypto::generate_seal_key(rng));
    crypto::MasterKey k = KB_TRY(key_from_output(*output));
    KeyBinding b;
    b.credential_id = s.credential_id;
    b.seal_public_key = std::move(kp.public_key);
    b.wrapped_private_key =
        KB_TRY(k.wrap(kp.private_key.reveal(), binding_ad("seal key", s, b.credential_id), rng));
    s.key_binding = std::move(b);
  }
  if (image) {
    KB_CHECK(keep_full_tgt(s, std::move(*image), rng));
  } else {
    s.full_tgt_expiry.reset();
  }
  return ok();
}

bool cached_tgt_bound(const DeviceState& s) {
  return s.key_binding.has_value() && s.full_tgt_sealed.has_value();
}

}  // namespace kb::client
