#pragma once
// toml_reader: typed access to a toml++ tree for config.cpp, turning every problem into an
// errc::config error that names the file, the line and the dotted key of the entry. Internal to
// pacserver's config loading.
#include <toml++/toml.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "pacserver/cidr.hpp"
#include "pacserver/config.hpp"
#include "proxycore/base/error.hpp"

namespace wpadkit::pacserver::detail {

// Reads typed entries out of a toml++ tree, turning every problem into an errc::config error that
// names the file, the line and the dotted key.
class reader {
 public:
  explicit reader(std::string file) : file_(std::move(file)) {}

  source_ref ref(const toml::node& n, std::string key) const {
    return {file_, static_cast<int>(n.source().begin.line), std::move(key)};
  }

  error fail(const toml::node& n, const std::string& key, const std::string& msg) const {
    return error(errc::config, key + ": " + msg).at(file_, static_cast<int>(n.source().begin.line));
  }

  // Rejects keys outside `allowed`: a misspelt key must not be silently ignored.
  result<void> only(const toml::table& t, const std::string& where,
                    std::initializer_list<std::string_view> allowed) const {
    for (auto&& [k, v] : t) {
      if (std::find(allowed.begin(), allowed.end(), k.str()) == allowed.end()) {
        const std::string name =
            where.empty() ? std::string(k.str()) : where + "." + std::string(k.str());
        return error(errc::config, "unknown key \"" + name + "\"")
            .at(file_, static_cast<int>(k.source().begin.line));
      }
    }
    return {};
  }

  result<std::string> string(const toml::node& n, const std::string& key) const {
    if (auto s = n.value<std::string>(); s && n.is_string()) return *s;
    return fail(n, key, "expected a string");
  }

  result<bool> boolean(const toml::node& n, const std::string& key) const {
    if (n.is_boolean()) return *n.value<bool>();
    return fail(n, key, "expected true or false");
  }

  result<std::int64_t> integer(const toml::node& n, const std::string& key, std::int64_t lo,
                               std::int64_t hi) const {
    if (!n.is_integer()) return fail(n, key, "expected an integer");
    const auto v = *n.value<std::int64_t>();
    if (v < lo || v > hi) {
      return fail(n, key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    }
    return v;
  }

  result<std::vector<std::string>> strings(const toml::node& n, const std::string& key) const {
    const auto* a = n.as_array();
    if (!a) return fail(n, key, "expected an array of strings");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < a->size(); ++i) {
      auto s = string((*a)[i], key + "[" + std::to_string(i) + "]");
      if (!s) return s.error();
      out.push_back(std::move(*s));
    }
    return out;
  }

  result<std::vector<cidr>> networks(const toml::node& n, const std::string& key) const {
    auto texts = strings(n, key);
    if (!texts) return texts.error();
    std::vector<cidr> out;
    const auto* a = n.as_array();
    for (std::size_t i = 0; i < texts->size(); ++i) {
      auto c = cidr::parse((*texts)[i]);
      if (!c) return fail((*a)[i], key + "[" + std::to_string(i) + "]", c.error().message);
      out.push_back(*c);
    }
    return out;
  }

  result<std::chrono::milliseconds> millis(const toml::node& n, const std::string& key) const {
    auto v = integer(n, key, 1, 3'600'000);
    if (!v) return v.error();
    return std::chrono::milliseconds(*v);
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

// Unwraps a result<T> into `var`, or returns its error from the enclosing function.
#define WPADKIT_TRY(var, expr)          \
  auto var##_r = (expr);                \
  if (!var##_r) return var##_r.error(); \
  auto var = std::move(*var##_r)

}  // namespace wpadkit::pacserver::detail
