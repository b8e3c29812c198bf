// Secret containers: keys, passwords, PINs, session keys.
//
// Move-only; storage is wiped on destruction, on move-from and on reassignment; printing
// shows only the length; equality is constant-time. Access to the bytes is explicit
// (reveal()), so a grep for reveal() finds every place a secret is touched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "base/bytes.h"

namespace kb {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::size_t n);
  explicit SecretBytes(ByteView b);
  // Takes ownership of `b` and wipes the source vector.
  static SecretBytes adopt(Bytes&& b);
  ~SecretBytes();

  SecretBytes(SecretBytes&& o) noexcept;
  SecretBytes& operator=(SecretBytes&& o) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  // An explicit deep copy, for the rare place a second owner is needed.
  [[nodiscard]] SecretBytes clone() const { return SecretBytes(reveal()); }

  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] ByteView reveal() const { return {data_.get(), size_}; }
  [[nodiscard]] MutableByteView reveal_mutable() { return {data_.get(), size_}; }

  // Shrinks the visible size (the dropped tail is wiped).
  void truncate(std::size_t n);

  friend bool operator==(const SecretBytes& a, const SecretBytes& b) {
    return constant_time_equal(a.reveal(), b.reveal());
  }

 private:
  void wipe();
  std::unique_ptr<std::uint8_t[]> data_;
  std::size_t size_ = 0;
};

std::ostream& operator<<(std::ostream& os, const SecretBytes& s);
std::string to_string(const SecretBytes& s);  // "<secret:N bytes>"

class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string_view s) : b_(as_bytes(s)) {}
  // Takes ownership of `s` and wipes the source string.
  static SecretString adopt(std::string&& s);

  [[nodiscard]] std::size_t size() const { return b_.size(); }
  [[nodiscard]] bool empty() const { return b_.empty(); }
  [[nodiscard]] std::string_view reveal() const { return as_chars(b_.reveal()); }
  [[nodiscard]] SecretString clone() const { return SecretString(reveal()); }

  friend bool operator==(const SecretString& a, const SecretString& b) { return a.b_ == b.b_; }

 private:
  SecretBytes b_;
};

std::ostream& operator<<(std::ostream& os, const SecretString& s);
std::string to_string(const SecretString& s);  // "<secret:N bytes>"

}  // namespace kb
