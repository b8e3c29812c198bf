// Key::State and the derived-key cache (RFC 3961 §5.3 Ke/Ki/Kc, RFC 8009 §5).
//
// Each derived key has its own type, so an integrity key cannot be passed where an
// encryption or checksum key is expected. Each holds its bytes (wiped) and the OpenSSL
// state prepared from them once: AES-CTS key schedules for Ke, a keyed HMAC template for
// Ki and Kc.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "base/result.h"
#include "base/secret.h"
#include "crypto/crypto.h"
#include "crypto/internal/ossl.h"

namespace kb::crypto::internal {

class EncryptionSubkey {
 public:
  static Result<EncryptionSubkey> create(SecretBytes bytes);
  [[nodiscard]] const SecretBytes& bytes() const { return bytes_; }
  [[nodiscard]] const CtsKey& cts() const { return cts_; }

 private:
  EncryptionSubkey(SecretBytes b, CtsKey c) : bytes_(std::move(b)), cts_(std::move(c)) {}
  SecretBytes bytes_;
  CtsKey cts_;
};

// Ki and Kc share a shape but not a type.
template <typename Tag>
class MacSubkey {
 public:
  static Result<MacSubkey> create(const char* digest, SecretBytes bytes) {
    MacKey m = KB_TRY(MacKey::create(digest, bytes.reveal()));
    return MacSubkey(std::move(bytes), std::move(m));
  }
  [[nodiscard]] const SecretBytes& bytes() const { return bytes_; }
  [[nodiscard]] const MacKey& mac() const { return mac_; }

 private:
  MacSubkey(SecretBytes b, MacKey m) : bytes_(std::move(b)), mac_(std::move(m)) {}
  SecretBytes bytes_;
  MacKey mac_;
};
struct IntegrityTag;
struct ChecksumTag;
using IntegritySubkey = MacSubkey<IntegrityTag>;
using ChecksumSubkey = MacSubkey<ChecksumTag>;

// A value built on first use and then immutable until its owner dies; one acquire load
// once built. Errors are not cached (the next call tries again).
template <typename T>
class LazySlot {
 public:
  template <typename F>
  Result<const T*> get(F&& make) const {
    if (const T* p = ptr_.load(std::memory_order_acquire)) return p;
    std::lock_guard lock(mu_);
    if (owned_ != nullptr) return owned_.get();
    owned_ = std::make_unique<T>(KB_TRY(make()));
    ptr_.store(owned_.get(), std::memory_order_release);
    return owned_.get();
  }

 private:
  mutable std::atomic<const T*> ptr_{nullptr};
  mutable std::mutex mu_;
  mutable std::unique_ptr<T> owned_;
};

// Derives one kind of key (RFC 3961 §5.3 selector kKeyEncryption, kKeyIntegrity or
// kKeyChecksum) of `usage` from the base key: the enctype's DK or KDF.
using DeriveFn = Result<SecretBytes> (*)(const Key::State& base, std::uint32_t usage,
                                         std::uint8_t selector);

// The three keys of one usage number, each derived (and its OpenSSL state prepared) on
// first use: a TGS-REQ's authenticator needs only Ke and Ki of usage 7 and its body
// checksum only Kc of usage 6, so a per-request session key derives two keys of three.
class UsageKeys {
 public:
  UsageKeys(const Key::State& base, std::uint32_t usage, DeriveFn derive, const char* digest)
      : base_(base), usage_(usage), derive_(derive), digest_(digest) {}
  UsageKeys(const UsageKeys&) = delete;
  UsageKeys& operator=(const UsageKeys&) = delete;

  [[nodiscard]] Result<const EncryptionSubkey*> ke() const;
  [[nodiscard]] Result<const IntegritySubkey*> ki() const;
  [[nodiscard]] Result<const ChecksumSubkey*> kc() const;

 private:
  const Key::State& base_;
  std::uint32_t usage_;
  DeriveFn derive_;
  const char* digest_;
  LazySlot<EncryptionSubkey> ke_;
  LazySlot<IntegritySubkey> ki_;
  LazySlot<ChecksumSubkey> kc_;
};

// Derived keys per usage, made on first use and then immutable until the Key dies.
// Usages 0..63 (every RFC 4120 / 6113 / MS-KILE number in use) are found with one acquire
// load and no lock, and owned by that table; other usages go through a
// shared_mutex-guarded map.
class DerivedKeyCache {
 public:
  DerivedKeyCache() = default;
  ~DerivedKeyCache() {
    for (auto& p : fast_) delete p.load(std::memory_order_relaxed);
  }
  DerivedKeyCache(const DerivedKeyCache&) = delete;
  DerivedKeyCache& operator=(const DerivedKeyCache&) = delete;

  // The keys for `usage`, made by `make` under the lock on a miss (the keys themselves are
  // derived on first use). The pointer stays valid for the lifetime of the cache.
  template <typename F>
  Result<const UsageKeys*> get(std::uint32_t usage, F&& make) const {
    if (usage < kFast) {
      const UsageKeys* p = fast_[usage].load(std::memory_order_acquire);
      if (p != nullptr) return p;
      std::unique_lock lock(mu_);
      p = fast_[usage].load(std::memory_order_relaxed);
      if (p != nullptr) return p;
      p = make(usage).release();
      fast_[usage].store(p, std::memory_order_release);
      ++fast_count_;
      return p;
    }
    {
      std::shared_lock lock(mu_);
      auto it = all_.find(usage);
      if (it != all_.end()) return it->second.get();
    }
    std::unique_lock lock(mu_);
    auto it = all_.find(usage);
    if (it != all_.end()) return it->second.get();
    std::unique_ptr<UsageKeys> keys = make(usage);
    const UsageKeys* p = keys.get();
    all_.emplace(usage, std::move(keys));
    return p;
  }

  // Usages with keys made so far.
  [[nodiscard]] std::size_t size() const {
    std::shared_lock lock(mu_);
    return all_.size() + fast_count_;
  }

 private:
  static constexpr std::uint32_t kFast = 64;
  mutable std::array<std::atomic<const UsageKeys*>, kFast> fast_{};
  mutable std::size_t fast_count_ = 0;  // under mu_
  mutable std::shared_mutex mu_;
  mutable std::unordered_map<std::uint32_t, std::unique_ptr<UsageKeys>> all_;
};

// rc4-hmac has no per-usage derived keys; what it reuses is HMAC-MD5 keyed with the base
// key (K1 = HMAC(key, T), RFC 4757 §6) and with Ksign (RFC 4757 §5). Built once per Key.
struct Rc4Keys {
  MacKey base;
  MacKey ksign;
};

class Rc4Cache {
 public:
  template <typename F>
  Result<const Rc4Keys*> get(F&& make) {
    const Rc4Keys* p = keys_.load(std::memory_order_acquire);
    if (p != nullptr) return p;
    std::lock_guard lock(mu_);
    if (owned_ != nullptr) return owned_.get();
    owned_ = KB_TRY(make());
    keys_.store(owned_.get(), std::memory_order_release);
    return owned_.get();
  }

 private:
  std::atomic<const Rc4Keys*> keys_{nullptr};
  std::mutex mu_;
  std::unique_ptr<Rc4Keys> owned_;
};

}  // namespace kb::crypto::internal

namespace kb::crypto {

struct Key::State {
  State(EncType e, SecretBytes b) : enctype(e), bytes(std::move(b)) {}
  EncType enctype;
  SecretBytes bytes;
  internal::DerivedKeyCache cache;
  internal::Rc4Cache rc4;
};

}  // namespace kb::crypto

namespace kb::crypto::internal {

// The cached Ke/Ki/Kc of `key` for `usage` (AES enctypes only; kUnsupportedEnctype for
// rc4-hmac, which has no derived keys). Exposed for tests of RFC 8009 App. A derivations.
Result<const UsageKeys*> usage_keys(const Key& key, std::uint32_t usage);

}  // namespace kb::crypto::internal
