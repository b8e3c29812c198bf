// Result<T>: the return type of every function that can fail on input.
//
// g++ 12 in C++20 mode has no std::expected, so this is a small expected-like type:
// it holds either a T or an Error. Result<void> holds nothing or an Error.
// Propagation: `auto v = KB_TRY(f());` and `KB_CHECK(g());` (GNU statement expressions,
// supported by g++ and clang).
#pragma once

#include <cassert>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "base/error.h"

namespace kb {

template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::remove_cv_t<T>, Error>);

 public:
  using value_type = T;

  Result(const T& v) : v_(std::in_place_index<0>, v) {}  // NOLINT(google-explicit-constructor)
  Result(T&& v) : v_(std::in_place_index<0>, std::move(v)) {}    // NOLINT
  Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}  // NOLINT
  template <typename U>
  requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::remove_cvref_t<U>, T> &&
           !std::is_same_v<std::remove_cvref_t<U>, Error> &&
           !std::is_same_v<std::remove_cvref_t<U>, Result>) Result(U&& u)
      : v_(std::in_place_index<0>, T(std::forward<U>(u))) {}  // NOLINT

  [[nodiscard]] bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  [[nodiscard]] T& value() & {
    assert(has_value());
    return std::get<0>(v_);
  }
  [[nodiscard]] const T& value() const& {
    assert(has_value());
    return std::get<0>(v_);
  }
  [[nodiscard]] T&& value() && {
    assert(has_value());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  [[nodiscard]] const Error& error() const& {
    assert(!has_value());
    return std::get<1>(v_);
  }
  [[nodiscard]] Error& error() & {
    assert(!has_value());
    return std::get<1>(v_);
  }
  [[nodiscard]] Error&& error() && {
    assert(!has_value());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error e) : e_(std::move(e)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool has_value() const { return !e_.has_value(); }
  explicit operator bool() const { return has_value(); }
  void value() const { assert(has_value()); }
  [[nodiscard]] const Error& error() const& {
    assert(!has_value());
    return *e_;
  }
  [[nodiscard]] Error& error() & {
    assert(!has_value());
    return *e_;
  }
  [[nodiscard]] Error&& error() && {
    assert(!has_value());
    return std::move(*e_);
  }

 private:
  std::optional<Error> e_;
};

inline Result<void> ok() {
  return {};
}

}  // namespace kb

#define KB_CONCAT_INNER_(a, b) a##b
#define KB_CONCAT_(a, b) KB_CONCAT_INNER_(a, b)
// Each expansion gets its own temporary, so the macros nest (a lambda passed to KB_CHECK
// may itself use KB_CHECK) without -Wshadow complaints.
#define KB_UNIQUE_(name) KB_CONCAT_(name, __COUNTER__)

// Evaluates a Result<T> expression; on error returns the error from the enclosing
// function, otherwise yields the value.
#define KB_TRY(expr) KB_TRY_IMPL_(expr, KB_UNIQUE_(kb_try_result_))
#define KB_TRY_IMPL_(expr, var)      \
  ({                                 \
    auto var = (expr);               \
    if (!var) {                      \
      return std::move(var).error(); \
    }                                \
    std::move(var).value();          \
  })

// Evaluates a Result<void> (or any Result) expression and returns its error if any.
#define KB_CHECK(expr) KB_CHECK_IMPL_(expr, KB_UNIQUE_(kb_check_result_))
#define KB_CHECK_IMPL_(expr, var)    \
  do {                               \
    auto var = (expr);               \
    if (!var) {                      \
      return std::move(var).error(); \
    }                                \
  } while (0)

// Like KB_TRY, adding a path element to the error first.
#define KB_TRY_CTX(expr, ctx) KB_TRY_CTX_IMPL_(expr, ctx, KB_UNIQUE_(kb_try_result_))
#define KB_TRY_CTX_IMPL_(expr, ctx, var)                         \
  ({                                                             \
    auto var = (expr);                                           \
    if (!var) {                                                  \
      return std::move(std::move(var).error().add_context(ctx)); \
    }                                                            \
    std::move(var).value();                                      \
  })
