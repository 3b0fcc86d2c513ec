#pragma once
// configfile::toml_reader — typed access to a toml++ tree that turns every problem into an
// errc::config error naming the file, the line and the dotted key ("proxy.connect_ports[1]"), and
// rejects keys it was not told about (a misspelt key must not be silently ignored).
//
// Why it lives here and not in one program: pacserver's config and `pactool proxy --config` read
// the same [proxy] section (configfile/proxy_section.hpp), and both must report a mistake the same
// way, so the reader is shared. It holds nothing program-specific; pacserver/toml_reader.hpp adds
// its own types (cidr, source_ref) on top.
#include <toml++/toml.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "proxycore/base/error.hpp"

namespace wpadkit::configfile {

class toml_reader {
 public:
  explicit toml_reader(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }
  static int line_of(const toml::node& n) { return static_cast<int>(n.source().begin.line); }

  // "file:line: key: msg" (errc::config).
  error fail(const toml::node& n, const std::string& key, const std::string& msg) const;

  // Rejects keys of `t` outside `allowed`, naming "where.key" and its line.
  result<void> only(const toml::table& t, const std::string& where,
                    const std::vector<std::string_view>& allowed) const;

  result<std::string> string(const toml::node& n, const std::string& key) const;
  result<bool> boolean(const toml::node& n, const std::string& key) const;
  // An integer within [lo, hi], both named in the error.
  result<std::int64_t> integer(const toml::node& n, const std::string& key, std::int64_t lo,
                               std::int64_t hi) const;
  result<std::vector<std::string>> strings(const toml::node& n, const std::string& key) const;
  // Milliseconds within [lo, hi] (default 1 ms to one hour).
  result<std::chrono::milliseconds> millis(const toml::node& n, const std::string& key,
                                           std::int64_t lo = 1, std::int64_t hi = 3'600'000) const;
  // One of `choices` (named in the error).
  result<std::string> choice(const toml::node& n, const std::string& key,
                             std::initializer_list<std::string_view> choices) const;
  // A path; a relative one is taken relative to `base_dir` (the config file's directory).
  result<std::string> path(const toml::node& n, const std::string& key,
                           const std::filesystem::path& base_dir) const;

 private:
  std::string file_;
};

// Parses TOML text; a syntax error is errc::parse at file:line:column.
result<toml::table> parse_toml(std::string_view text, const std::string& file);

// Reads a whole config file. Errors: errc::io naming the file and the reason.
result<std::string> read_config_file(const std::filesystem::path& path);

}  // namespace wpadkit::configfile

// Unwraps a result<T> into `var`, or returns its error from the enclosing function.
#ifndef WPADKIT_TRY
#define WPADKIT_TRY(var, expr)          \
  auto var##_r = (expr);                \
  if (!var##_r) return var##_r.error(); \
  auto var = std::move(*var##_r)
#endif
