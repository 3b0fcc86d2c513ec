#pragma once
// Output helpers shared by every subcommand: one-line errors on stderr, JSON string building, and
// colour that is used only when the stream is a terminal (and NO_COLOR is unset).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxycore/base/error.hpp"

namespace pactool {

// "pactool: error: <message>" on stderr, one line.
void print_error(std::string_view message);
// The one-line form of a wpadkit::error ("file:line: message"), prefixed as print_error does.
void print_error(const wpadkit::error& e);
// A CLI11 parse error as one line naming the subcommand; returns exit_usage.
int report_usage_error(const CLI::App& app, const CLI::ParseError& e);

// JSON text of a string (quoted and escaped; non-ASCII bytes pass through as UTF-8, control
// characters are \u-escaped).
std::string json_string(std::string_view s);
std::string json_string_array(const std::vector<std::string>& items);

// Builds one JSON object, keys in insertion order: {"a":1,"b":"x"}.
class json_object {
 public:
  json_object& raw(std::string_view key, std::string_view json_value);
  json_object& str(std::string_view key, std::string_view value);
  json_object& num(std::string_view key, double value);
  json_object& integer(std::string_view key, long long value);
  json_object& boolean(std::string_view key, bool value);
  std::string text() const { return "{" + body_ + "}"; }

 private:
  std::string body_;
};

// Colour on a stream: enabled only when it is a terminal and NO_COLOR is not set.
class painter {
 public:
  explicit painter(std::FILE* stream);
  std::string red(std::string_view s) const { return wrap("31", s); }
  std::string green(std::string_view s) const { return wrap("32", s); }
  std::string yellow(std::string_view s) const { return wrap("33", s); }
  std::string bold(std::string_view s) const { return wrap("1", s); }
  std::string dim(std::string_view s) const { return wrap("2", s); }
  bool enabled() const { return enabled_; }

 private:
  std::string wrap(std::string_view code, std::string_view s) const;
  bool enabled_;
};

// True when stderr is a terminal: long runs print progress there only then.
bool stderr_is_terminal();

}  // namespace pactool
