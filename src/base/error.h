// Typed errors shared by every module.
//
// An Error carries a (domain, code) pair that callers branch on and a detail string that
// is for logs only: it never reaches a client (it could be an oracle). Each module
// declares an `enum class Errc` and, next to it, the two ADL hooks
//   constexpr ErrorDomain error_domain(Errc);
//   std::string_view error_code_name(Errc);
// so that Error can be built from any module's code and printed with its names.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace kb {

enum class ErrorDomain : std::uint8_t {
  kBase,
  kDer,
  kKrb5,
  kCrypto,
  kPac,
  kFormats,
  kStore,
  kKdc,
  kNet,
  kApp,
  kWebauthn,
  kJose,
  kHttp,
  kCloud,
  kClient,
};

std::string_view error_domain_name(ErrorDomain d);

template <typename E>
concept ErrorCodeEnum = std::is_enum_v<E> && requires(E e) {
  { error_domain(e) } -> std::same_as<ErrorDomain>;
  { error_code_name(e) } -> std::convertible_to<std::string_view>;
};

class Error {
 public:
  template <ErrorCodeEnum E>
  Error(E code, std::string detail)
      : domain_(error_domain(code)),
        code_(static_cast<int>(code)),
        code_name_(error_code_name(code)),
        detail_(std::move(detail)) {}

  [[nodiscard]] ErrorDomain domain() const { return domain_; }
  [[nodiscard]] int code() const { return code_; }
  // Stable, machine-readable name such as "der.trailing_bytes".
  [[nodiscard]] std::string name() const;
  [[nodiscard]] const std::string& detail() const { return detail_; }
  // "<name> at <path>: <detail>" for logs and CLI messages. Never send to a network peer.
  [[nodiscard]] std::string to_string() const;

  template <ErrorCodeEnum E>
  [[nodiscard]] bool is(E e) const {
    return domain_ == error_domain(e) && code_ == static_cast<int>(e);
  }

  // Prepends one element to the error's path, so that a decoder failing deep inside a
  // message reports e.g. "AS-REQ.req-body.till". Elements are joined with '.'.
  Error& add_context(std::string_view element);
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  ErrorDomain domain_;
  int code_;
  std::string_view code_name_;
  std::string detail_;
  std::string path_;
};

// Errors of src/base itself.
enum class BaseErrc {
  kInvalidArgument = 1,
  kBadHex,
  kBadBase64,
  kIo,
  kNotFound,
  kBadJson,
  kTooLarge,
};
constexpr ErrorDomain error_domain(BaseErrc) {
  return ErrorDomain::kBase;
}
std::string_view error_code_name(BaseErrc e);

}  // namespace kb
