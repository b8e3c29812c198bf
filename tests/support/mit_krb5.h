// Test support for tests that hand our keys to MIT libkrb5 as an oracle.
#pragma once

#include <krb5/krb5.h>

#include "crypto/crypto.h"

namespace kb::testing {

// A krb5_keyblock viewing `key`'s bytes (no copy: valid while `key` lives).
inline krb5_keyblock mit_keyblock(const crypto::Key& key) {
  krb5_keyblock kb{};
  kb.magic = KV5M_KEYBLOCK;
  kb.enctype = static_cast<krb5_enctype>(key.enctype());
  kb.length = static_cast<unsigned int>(key.bytes().size());
  kb.contents = const_cast<krb5_octet*>(key.bytes().reveal().data());
  return kb;
}

}  // namespace kb::testing
