#include "base/secret.h"

#include <algorithm>
#include <cstring>

namespace kb {

SecretBytes::SecretBytes(std::size_t n) : data_(n ? new std::uint8_t[n]() : nullptr), size_(n) {}

SecretBytes::SecretBytes(ByteView b) : SecretBytes(b.size()) {
  if (!b.empty()) std::memcpy(data_.get(), b.data(), b.size());
}

SecretBytes SecretBytes::adopt(Bytes&& b) {
  SecretBytes s{ByteView(b)};
  secure_wipe(b.data(), b.size());
  b.clear();
  b.shrink_to_fit();
  return s;
}

SecretBytes::~SecretBytes() {
  wipe();
}

SecretBytes::SecretBytes(SecretBytes&& o) noexcept : data_(std::move(o.data_)), size_(o.size_) {
  o.size_ = 0;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& o) noexcept {
  if (this != &o) {
    wipe();
    data_ = std::move(o.data_);
    size_ = o.size_;
    o.size_ = 0;
  }
  return *this;
}

void SecretBytes::truncate(std::size_t n) {
  if (n >= size_) return;
  secure_wipe(data_.get() + n, size_ - n);
  size_ = n;
}

void SecretBytes::wipe() {
  // The allocation may be larger than size_ after truncate(); its tail was wiped then.
  secure_wipe(data_.get(), size_);
  data_.reset();
  size_ = 0;
}

std::string to_string(const SecretBytes& s) {
  return "<secret:" + std::to_string(s.size()) + " bytes>";
}
std::ostream& operator<<(std::ostream& os, const SecretBytes& s) {
  return os << to_string(s);
}

SecretString SecretString::adopt(std::string&& s) {
  SecretString out(s);
  secure_wipe(s.data(), s.size());
  s.clear();
  s.shrink_to_fit();
  return out;
}

std::string to_string(const SecretString& s) {
  return "<secret:" + std::to_string(s.size()) + " bytes>";
}
std::ostream& operator<<(std::ostream& os, const SecretString& s) {
  return os << to_string(s);
}

}  // namespace kb
