#include "crypto/internal/key_state.h"

#include "crypto/rfc3961/simplified.h"

namespace kb::crypto::internal {

Result<EncryptionSubkey> EncryptionSubkey::create(SecretBytes bytes) {
  CtsKey c = KB_TRY(CtsKey::create(bytes.reveal()));
  return EncryptionSubkey(std::move(bytes), std::move(c));
}

Result<const EncryptionSubkey*> UsageKeys::ke() const {
  return ke_.get([this]() -> Result<EncryptionSubkey> {
    return EncryptionSubkey::create(KB_TRY(derive_(base_, usage_, rfc3961::kKeyEncryption)));
  });
}

Result<const IntegritySubkey*> UsageKeys::ki() const {
  return ki_.get([this]() -> Result<IntegritySubkey> {
    return IntegritySubkey::create(digest_, KB_TRY(derive_(base_, usage_, rfc3961::kKeyIntegrity)));
  });
}

Result<const ChecksumSubkey*> UsageKeys::kc() const {
  return kc_.get([this]() -> Result<ChecksumSubkey> {
    return ChecksumSubkey::create(digest_, KB_TRY(derive_(base_, usage_, rfc3961::kKeyChecksum)));
  });
}

}  // namespace kb::crypto::internal
