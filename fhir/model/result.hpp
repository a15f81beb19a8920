// fhir/model/result.hpp: ivig::result<T, E>, the one return type of fallible functions.
//
// A result holds either a value or an error, never both and never neither; it is [[nodiscard]], so
// a caller cannot drop a failure by accident. It is a small stand-in for C++23 std::expected (and
// tl::expected, which Debian 12 does not package): `return failure(e);` makes an error, a plain
// `return value;` a success. Asking an error result for its value (or a value result for its error)
// is a programming error: it asserts in debug builds and throws (std::bad_variant_access,
// std::bad_optional_access) otherwise, which the server answers as internal-error. It lives in fhir/model, the lowest
// library, header only, because every other library links fhir/model and may use it. docs/error-handling.md says when
// to use it and when to throw instead.
#pragma once

#include <cassert>
#include <concepts>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace ivig {

/// The error half of a result, spelled at the return site: `return failure(request_error{...});`.
template <class E>
class failure {
 public:
  explicit failure(E error) : error_(std::move(error)) {}

  E& error() & { return error_; }
  const E& error() const& { return error_; }
  E&& error() && { return std::move(error_); }

 private:
  E error_;
};

template <class E>
failure(E) -> failure<E>;

template <class X>
inline constexpr bool is_failure = false;
template <class E>
inline constexpr bool is_failure<failure<E>> = true;

template <class T, class E>
class [[nodiscard]] result {
 public:
  using value_type = T;
  using error_type = E;

  /// A success. Implicit, so that `return value;` reads like an ordinary function.
  template <class U = T>
  requires std::convertible_to<U, T> &&
      (!std::same_as<std::remove_cvref_t<U>, result>)&&(!is_failure<std::remove_cvref_t<U>>)result(U&& value)
      : state_(std::in_place_index<0>, std::forward<U>(value)) {}

  /// A failure; `failure<G>` converts when E can be made from G (failure("text") for a string E).
  template <class G>
  requires std::constructible_from<E, G&&> result(failure<G> error)
      : state_(std::in_place_index<1>, std::move(error).error()) {}

  bool has_value() const { return state_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    assert(has_value() && "result::value() on an error");
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(has_value() && "result::value() on an error");
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(has_value() && "result::value() on an error");
    return std::get<0>(std::move(state_));
  }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  E& error() & {
    assert(!has_value() && "result::error() on a value");
    return std::get<1>(state_);
  }
  const E& error() const& {
    assert(!has_value() && "result::error() on a value");
    return std::get<1>(state_);
  }
  E&& error() && {
    assert(!has_value() && "result::error() on a value");
    return std::get<1>(std::move(state_));
  }

 private:
  // By index, not by type, so that result<std::string, std::string> works.
  std::variant<T, E> state_;
};

/// A fallible step that yields nothing but may fail: `return {};` is success.
template <class E>
class [[nodiscard]] result<void, E> {
 public:
  using value_type = void;
  using error_type = E;

  result() = default;
  template <class G>
  requires std::constructible_from<E, G&&> result(failure<G> error) : error_(std::in_place, std::move(error).error()) {}

  bool has_value() const { return !error_.has_value(); }
  explicit operator bool() const { return has_value(); }

  E& error() & {
    assert(!has_value() && "result::error() on a value");
    return error_.value();
  }
  const E& error() const& {
    assert(!has_value() && "result::error() on a value");
    return error_.value();
  }
  E&& error() && {
    assert(!has_value() && "result::error() on a value");
    return std::move(error_).value();
  }

 private:
  std::optional<E> error_;
};

}  // namespace ivig
