#include "crypto/master_key.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "crypto/symmetric.h"

namespace kb::crypto {
namespace {

constexpr std::uint8_t kBlobVersion = 1;
constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kTagSize = 16;
constexpr char kStashMagic[4] = {'K', 'B', 'M', 'K'};
constexpr std::uint8_t kStashVersion = 1;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

Error ossl_error(const char* what) {
  return Error(Errc::kOpenssl, std::string("AES-256-GCM ") + what);
}

int as_int(std::size_t n) {
  return static_cast<int>(n);
}

}  // namespace

MasterKey MasterKey::generate(Rng& rng) {
  SecretBytes k(kKeySize);
  rng.fill(k.reveal_mutable());
  return MasterKey(std::move(k));
}

Result<MasterKey> MasterKey::from_bytes(ByteView key) {
  if (key.size() != kKeySize) return Error(Errc::kBadKeyLength, "a master key is 32 bytes");
  return MasterKey(SecretBytes(key));
}

Result<SecretBytes> MasterKey::derive_key(std::string_view label, ByteView context) const {
  return kbkdf_hmac_sha256(key_.reveal(), as_bytes(label), context, kKeySize);
}

Result<Bytes> MasterKey::wrap(ByteView secret, ByteView associated_data, Rng& rng) const {
  if (secret.size() > (1u << 20)) return Error(Errc::kBadKeyLength, "secret too large to wrap");
  Bytes out(1 + kNonceSize + secret.size() + kTagSize);
  out[0] = kBlobVersion;
  MutableByteView nonce(out.data() + 1, kNonceSize);
  rng.fill(nonce);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  std::uint8_t* ct = out.data() + 1 + kNonceSize;
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.reveal().data(),
                         nonce.data()) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, associated_data.data(),
                        as_int(associated_data.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), ct, &len, secret.data(), as_int(secret.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), ct + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, as_int(kTagSize), ct + secret.size()) !=
          1) {
    return ossl_error("encryption failed");
  }
  return out;
}

Result<SecretBytes> MasterKey::unwrap(ByteView blob, ByteView associated_data) const {
  if (blob.size() < 1 + kNonceSize + kTagSize) {
    return Error(Errc::kCiphertextTooShort, "wrapped key blob too short");
  }
  if (blob[0] != kBlobVersion) return Error(Errc::kIntegrity, "unknown wrapped key version");
  const std::size_t n = blob.size() - 1 - kNonceSize - kTagSize;
  const std::uint8_t* nonce = blob.data() + 1;
  const std::uint8_t* ct = nonce + kNonceSize;
  Bytes tag(ct + n, ct + n + kTagSize);
  SecretBytes out(n);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.reveal().data(), nonce) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, associated_data.data(),
                        as_int(associated_data.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), out.reveal_mutable().data(), &len, ct, as_int(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, as_int(kTagSize), tag.data()) != 1) {
    return ossl_error("decryption setup failed");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), out.reveal_mutable().data() + len, &len) != 1) {
    return Error(Errc::kIntegrity, "wrapped key does not authenticate under this master key");
  }
  return out;
}

Result<MasterKey> MasterKey::create_stash(const std::filesystem::path& path, Rng& rng) {
  MasterKey mk = generate(rng);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error(Errc::kStash,
                 "cannot create stash " + path.string() + ": " + std::strerror(errno));
  }
  Bytes file(kStashMagic, kStashMagic + 4);
  file.push_back(kStashVersion);
  append(file, mk.key_.reveal());
  bool ok_write = ::write(fd, file.data(), file.size()) == static_cast<ssize_t>(file.size());
  secure_wipe(file.data(), file.size());
  if (!ok_write || ::fsync(fd) != 0) {
    ::close(fd);
    ::unlink(path.c_str());
    return Error(Errc::kStash, "cannot write stash " + path.string());
  }
  ::close(fd);
  return mk;
}

Result<MasterKey> MasterKey::load_stash(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Error(Errc::kStash, "cannot open stash " + path.string() + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
    ::close(fd);
    return Error(Errc::kStash, "stash " + path.string() + " must be mode 0600 (chmod 600 it)");
  }
  std::uint8_t buf[5 + kKeySize + 1];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  Result<MasterKey> out =
      Error(Errc::kStash, "stash " + path.string() + " is not a Keybridge master key");
  if (n == static_cast<ssize_t>(5 + kKeySize) && std::memcmp(buf, kStashMagic, 4) == 0 &&
      buf[4] == kStashVersion) {
    out = MasterKey(SecretBytes(ByteView(buf + 5, kKeySize)));
  }
  secure_wipe(buf, sizeof buf);
  return out;
}

Bytes key_binding(std::string_view owner, std::uint32_t kvno, std::int32_t enctype) {
  Bytes ad = to_bytes(std::string_view("keybridge-key-v1\0", 17));
  put_u32be(ad, static_cast<std::uint32_t>(owner.size()));
  append(ad, as_bytes(owner));
  put_u32be(ad, kvno);
  put_u32be(ad, static_cast<std::uint32_t>(enctype));
  return ad;
}

}  // namespace kb::crypto
