#include "ctap_pin.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdlib>
#include <string>

namespace kb::testing {
namespace {

namespace cbor = webauthn::cbor;
constexpr std::size_t kCoordSize = 32;
constexpr std::size_t kBlock = 16;

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct CtxDeleter {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct CipherDeleter {
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

Pkey generate_p256() {
  Pkey k(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!k) std::abort();  // test support: no way to continue without a key
  return k;
}

Pkey p256_from_point(ByteView x, ByteView y) {
  Bytes point{0x04};
  append(point, x);
  append(point, y);
  std::string group = "prime256v1";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group.data(), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end()};
  std::unique_ptr<EVP_PKEY_CTX, CtxDeleter> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* out = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &out, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    return nullptr;
  }
  Pkey k(out);
  // EVP_PKEY_fromdata does not check that the point is on the curve; the public check does.
  std::unique_ptr<EVP_PKEY_CTX, CtxDeleter> check(
      EVP_PKEY_CTX_new_from_pkey(nullptr, k.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return k;
}

std::optional<Bytes> hkdf_sha256(ByteView ikm, std::string_view info) {
  Bytes salt(32, 0);
  Bytes out(32);
  std::unique_ptr<EVP_PKEY_CTX, CtxDeleter> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr));
  std::size_t len = out.size();
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_hkdf_md(ctx.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_CTX_set1_hkdf_salt(ctx.get(), salt.data(), static_cast<int>(salt.size())) != 1 ||
      EVP_PKEY_CTX_set1_hkdf_key(ctx.get(), ikm.data(), static_cast<int>(ikm.size())) != 1 ||
      EVP_PKEY_CTX_add1_hkdf_info(ctx.get(), reinterpret_cast<const unsigned char*>(info.data()),
                                  static_cast<int>(info.size())) != 1 ||
      EVP_PKEY_derive(ctx.get(), out.data(), &len) != 1 || len != out.size()) {
    return std::nullopt;
  }
  return out;
}

std::optional<Bytes> aes256_cbc(bool enc, ByteView key, ByteView iv, ByteView in) {
  if (key.size() != 32 || iv.size() != kBlock || in.size() % kBlock != 0) return std::nullopt;
  std::unique_ptr<EVP_CIPHER_CTX, CipherDeleter> ctx(EVP_CIPHER_CTX_new());
  Bytes out(in.size() + kBlock);
  int n1 = 0;
  int n2 = 0;
  if (!ctx ||
      EVP_CipherInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, key.data(), iv.data(),
                        enc ? 1 : 0) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
      EVP_CipherUpdate(ctx.get(), out.data(), &n1, in.data(), static_cast<int>(in.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), out.data() + n1, &n2) != 1) {
    return std::nullopt;
  }
  out.resize(static_cast<std::size_t>(n1 + n2));
  return out;
}

}  // namespace

struct PinProtocol::Key {
  Pkey pkey;
};

Bytes sha256_bytes(ByteView in) {
  Bytes out(SHA256_DIGEST_LENGTH);
  SHA256(in.data(), in.size(), out.data());
  return out;
}

Bytes hmac_sha256(ByteView key, ByteView msg) {
  Bytes out(32);
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), msg.data(), msg.size(), out.data(),
       &len);
  out.resize(len);
  return out;
}

void random_bytes(MutableByteView out) {
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) std::abort();
}

PinProtocol::PinProtocol(std::uint8_t version) : version_(version), key_(std::make_unique<Key>()) {
  regenerate();
}
PinProtocol::~PinProtocol() = default;

void PinProtocol::regenerate() {
  key_->pkey = generate_p256();
}

cbor::Value PinProtocol::public_key() const {
  Bytes x(kCoordSize);
  Bytes y(kCoordSize);
  BIGNUM* bx = nullptr;
  BIGNUM* by = nullptr;
  if (EVP_PKEY_get_bn_param(key_->pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X, &bx) != 1 ||
      EVP_PKEY_get_bn_param(key_->pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y, &by) != 1 ||
      BN_bn2binpad(bx, x.data(), static_cast<int>(x.size())) < 0 ||
      BN_bn2binpad(by, y.data(), static_cast<int>(y.size())) < 0) {
    std::abort();
  }
  BN_free(bx);
  BN_free(by);
  // CTAP 2.1 6.5.6 getPublicKey: alg -25 (ECDH-ES+HKDF-256) whatever the protocol.
  return cbor::Value::map({{cbor::Value::integer(1), cbor::Value::integer(2)},
                           {cbor::Value::integer(3), cbor::Value::integer(-25)},
                           {cbor::Value::integer(-1), cbor::Value::integer(1)},
                           {cbor::Value::integer(-2), cbor::Value::byte_string(x)},
                           {cbor::Value::integer(-3), cbor::Value::byte_string(y)}});
}

std::optional<SecretBytes> PinProtocol::decapsulate(const cbor::Value& peer) const {
  const cbor::Value* kty = peer.find(1);
  const cbor::Value* crv = peer.find(-1);
  const cbor::Value* x = peer.find(-2);
  const cbor::Value* y = peer.find(-3);
  if (kty == nullptr || kty->as_int() != 2 || crv == nullptr || crv->as_int() != 1 ||
      x == nullptr || y == nullptr || x->kind != cbor::Value::Kind::kBytes ||
      y->kind != cbor::Value::Kind::kBytes || x->bytes.size() != kCoordSize ||
      y->bytes.size() != kCoordSize) {
    return std::nullopt;
  }
  Pkey peer_key = p256_from_point(x->bytes, y->bytes);
  if (!peer_key) return std::nullopt;
  std::unique_ptr<EVP_PKEY_CTX, CtxDeleter> ctx(
      EVP_PKEY_CTX_new_from_pkey(nullptr, key_->pkey.get(), nullptr));
  Bytes z(kCoordSize);
  std::size_t len = z.size();
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer_key.get()) != 1 ||
      EVP_PKEY_derive(ctx.get(), z.data(), &len) != 1 || len != kCoordSize) {
    return std::nullopt;
  }
  SecretBytes zs = SecretBytes::adopt(std::move(z));
  if (version_ == 1) return SecretBytes::adopt(sha256_bytes(zs.reveal()));
  auto hmac_key = hkdf_sha256(zs.reveal(), "CTAP2 HMAC key");
  auto aes_key = hkdf_sha256(zs.reveal(), "CTAP2 AES key");
  if (!hmac_key || !aes_key) return std::nullopt;
  append(*hmac_key, *aes_key);
  return SecretBytes::adopt(std::move(*hmac_key));
}

std::optional<SecretBytes> PinProtocol::decrypt(const SecretBytes& shared, ByteView ct) const {
  std::optional<Bytes> pt;
  if (version_ == 1) {
    pt = aes256_cbc(false, shared.reveal(), Bytes(kBlock, 0), ct);
  } else {
    if (ct.size() < kBlock || shared.size() != 64) return std::nullopt;
    pt = aes256_cbc(false, shared.reveal().subspan(32), ct.first(kBlock), ct.subspan(kBlock));
  }
  if (!pt) return std::nullopt;
  return SecretBytes::adopt(std::move(*pt));
}

Bytes PinProtocol::encrypt(const SecretBytes& shared, ByteView pt) const {
  if (version_ == 1) return aes256_cbc(true, shared.reveal(), Bytes(kBlock, 0), pt).value();
  Bytes iv(kBlock);
  random_bytes(iv);
  Bytes out = iv;
  append(out, aes256_cbc(true, shared.reveal().subspan(32), iv, pt).value());
  return out;
}

bool PinProtocol::verify_with_token(ByteView token, ByteView message, ByteView signature) const {
  Bytes mac = hmac_sha256(token, message);
  if (version_ == 1) mac.resize(16);
  return constant_time_equal(mac, signature);
}

}  // namespace kb::testing
