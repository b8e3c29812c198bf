#include "net/tls_files.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "formats/errors.h"
#include "formats/keytab.h"

namespace kb::net {

namespace {
constexpr std::size_t kMaxPemFile = 1024 * 1024;
}  // namespace

Result<void> save_tls_identity(const crypto::TlsIdentity& identity,
                               const std::filesystem::path& cert_file,
                               const std::filesystem::path& key_file) {
  KB_CHECK(formats::write_private_file(key_file, as_bytes(identity.key_pem.reveal())));
  KB_CHECK(formats::write_private_file(cert_file, as_bytes(identity.cert_pem)));
  // The certificate is public: whoever runs a client needs to read it to pin it.
  if (::chmod(cert_file.c_str(), 0644) != 0) {
    return Error(formats::Errc::kIo, "chmod " + cert_file.string() + ": " + std::strerror(errno));
  }
  return ok();
}

Result<crypto::TlsIdentity> load_tls_identity(const std::filesystem::path& cert_file,
                                              const std::filesystem::path& key_file) {
  Bytes cert = KB_TRY(formats::read_file(cert_file, kMaxPemFile));
  Bytes key = KB_TRY(formats::read_file(key_file, kMaxPemFile));
  crypto::TlsIdentity id;
  id.cert_pem = std::string(as_chars(cert));
  id.key_pem = SecretString(as_chars(key));
  secure_wipe(key.data(), key.size());
  KB_TRY(crypto::check_tls_identity(id));
  return id;
}

}  // namespace kb::net
