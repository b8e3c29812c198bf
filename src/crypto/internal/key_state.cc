#include "crypto/internal/key_state.h"

namespace kb::crypto::internal {

Result<EncryptionSubkey> EncryptionSubkey::create(SecretBytes bytes) {
  CtsKey c = KB_TRY(CtsKey::create(bytes.reveal()));
  return EncryptionSubkey(std::move(bytes), std::move(c));
}

}  // namespace kb::crypto::internal
