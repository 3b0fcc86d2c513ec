#pragma once
// wpadkit::error — an error code plus the context a person needs to act on it: a message and, where
// known, the place (a file, URL or header name, and a line). `result<T>` is a value or such an error.
//
// Sync calls in proxycore return result<T>; async completions take std::error_code first. Exceptions
// are used only at program edges (main functions), never to report an expected failure.
#include <boost/system/result.hpp>
#include <optional>
#include <string>
#include <system_error>

#include "proxycore/base/errc.hpp"

namespace wpadkit {

struct error {
  std::error_code code;
  std::string message;        // what went wrong, specific to this instance (may be empty)
  std::string where;          // a file name, URL, header... (may be empty)
  std::optional<int> line;    // 1-based line within `where`, when it has lines
  std::optional<int> column;  // 1-based column, when known

  error() = default;
  error(std::error_code c, std::string msg = {}) : code(c), message(std::move(msg)) {}
  error(errc c, std::string msg = {}) : code(make_error_code(c)), message(std::move(msg)) {}

  error& at(std::string w, std::optional<int> ln = std::nullopt, std::optional<int> col = std::nullopt) & {
    where = std::move(w);
    line = ln;
    column = col;
    return *this;
  }
  error&& at(std::string w, std::optional<int> ln = std::nullopt, std::optional<int> col = std::nullopt) && {
    return std::move(at(std::move(w), ln, col));
  }

  bool is(errc e) const noexcept { return code == make_error_code(e); }

  // "where:line:col: message" — the one-line form every program prints.
  std::string to_string() const;
};

template <class T>
using result = boost::system::result<T, error>;

// Thrown by result<T>::value() on an error; only program edges should let it escape.
class error_exception : public std::runtime_error {
 public:
  explicit error_exception(error e) : std::runtime_error(e.to_string()), error_(std::move(e)) {}
  const error& get() const noexcept { return error_; }

 private:
  error error_;
};

// Found by boost::system::result through ADL.
[[noreturn]] void throw_exception_from_error(const error& e, const boost::source_location& loc);

}  // namespace wpadkit
