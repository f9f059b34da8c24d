#pragma once
// Result<T>: the return type of pure code that can fail (C++20 without std::expected,
// which Clang 14 with libstdc++ 12 cannot compile). Holds a value or an Error with a
// message and, for control-plane errors, a FILE:LINE:COL position. Result<T, E> holds
// an error type of the caller's instead, where the error carries more than text (which
// pattern of a set failed, ruleset::PatternError).
// [[nodiscard]]: an operation that can fail is never called for its side effect alone.
// Non-goals: exceptions across layers; error chaining.

#include <string>
#include <utility>
#include <variant>

namespace pixelwarden::base {

struct Error {
  std::string message;
  std::string file = {};  // empty when the error has no source position
  int line = 0;           // 1-based; 0 when unknown
  int column = 0;         // 1-based, in bytes; 0 when unknown

  // "FILE:LINE:COL: message", or just the message without a position.
  std::string to_string() const {
    if (file.empty()) return message;
    return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
  }
};

// An error without a source position (every field spelled out, so
// -Wmissing-field-initializers stays quiet at the call sites).
inline Error plain_error(std::string message) { return Error{std::move(message), {}, 0, 0}; }

template <typename T, typename E = Error> class [[nodiscard]] Result {
 public:
  Result(T value) : m_v(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(E error) : m_v(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(m_v); }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<T>(m_v); }
  const T& value() const& { return std::get<T>(m_v); }
  T&& value() && { return std::get<T>(std::move(m_v)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const E& error() const { return std::get<E>(m_v); }

 private:
  std::variant<T, E> m_v;
};

struct Ok {};
using Status = Result<Ok>;

}  // namespace pixelwarden::base
