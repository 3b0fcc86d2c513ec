#include "configfile/toml_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace wpadkit::configfile {

error toml_reader::fail(const toml::node& n, const std::string& key, const std::string& msg) const {
  return error(errc::config, key + ": " + msg).at(file_, line_of(n));
}

result<void> toml_reader::only(const toml::table& t, const std::string& where,
                               const std::vector<std::string_view>& allowed) const {
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

result<std::string> toml_reader::string(const toml::node& n, const std::string& key) const {
  if (n.is_string()) return *n.value<std::string>();
  return fail(n, key, "expected a string");
}

result<bool> toml_reader::boolean(const toml::node& n, const std::string& key) const {
  if (n.is_boolean()) return *n.value<bool>();
  return fail(n, key, "expected true or false");
}

result<std::int64_t> toml_reader::integer(const toml::node& n, const std::string& key,
                                          std::int64_t lo, std::int64_t hi) const {
  if (!n.is_integer()) return fail(n, key, "expected an integer");
  const auto v = *n.value<std::int64_t>();
  if (v < lo || v > hi) {
    return fail(n, key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  }
  return v;
}

result<std::vector<std::string>> toml_reader::strings(const toml::node& n,
                                                      const std::string& key) const {
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

result<std::chrono::milliseconds> toml_reader::millis(const toml::node& n, const std::string& key,
                                                      std::int64_t lo, std::int64_t hi) const {
  auto v = integer(n, key, lo, hi);
  if (!v) return v.error();
  return std::chrono::milliseconds(*v);
}

result<std::string> toml_reader::choice(const toml::node& n, const std::string& key,
                                        std::initializer_list<std::string_view> choices) const {
  auto s = string(n, key);
  if (!s) return s.error();
  if (std::find(choices.begin(), choices.end(), *s) != choices.end()) return s;
  std::string list;
  for (auto c : choices) list += (list.empty() ? "" : ", ") + std::string(c);
  return fail(n, key, "\"" + *s + "\" is not one of " + list);
}

result<std::string> toml_reader::path(const toml::node& n, const std::string& key,
                                      const std::filesystem::path& base_dir) const {
  auto s = string(n, key);
  if (!s) return s.error();
  if (s->empty()) return fail(n, key, "must not be empty");
  const std::filesystem::path p(*s);
  return p.is_absolute() || base_dir.empty() ? *s : (base_dir / p).string();
}

result<toml::table> parse_toml(std::string_view text, const std::string& file) {
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    return error(errc::parse, std::string(e.description()))
        .at(file, static_cast<int>(e.source().begin.line),
            static_cast<int>(e.source().begin.column));
  }
}

result<std::string> read_config_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return error(errc::io, std::string("cannot read the config file: ") + std::strerror(errno))
        .at(path.string());
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return error(errc::io, "error while reading the config file").at(path.string());
  return text.str();
}

}  // namespace wpadkit::configfile
