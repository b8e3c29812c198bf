// The cloud's TLS identity on disk: certificate (mode 0644) and private key (mode 0600),
// each written atomically, and read back with the check that they belong together.
#pragma once

#include <filesystem>

#include "base/result.h"
#include "crypto/x509.h"

namespace kb::net {

Result<void> save_tls_identity(const crypto::TlsIdentity& identity,
                               const std::filesystem::path& cert_file,
                               const std::filesystem::path& key_file);

// Reads both files (1 MiB each at most) and runs crypto::check_tls_identity:
// crypto::Errc::kBadCertificate, kBadPrivateKey, kKeyMismatch; formats::Errc::kIo.
Result<crypto::TlsIdentity> load_tls_identity(const std::filesystem::path& cert_file,
                                              const std::filesystem::path& key_file);

}  // namespace kb::net
