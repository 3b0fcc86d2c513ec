#include "configfile/credentials.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "proxycore/forward/proxy_auth.hpp"
#include "proxycore/forward/request_rewrite.hpp"

namespace wpadkit::configfile {

result<upstream_auth_entry> parse_upstream_auth_flag(std::string_view text,
                                                     secret_source::kind from,
                                                     const std::string& flag) {
  const char* rest_name = from == secret_source::kind::literal ? "PASSWORD"
                          : from == secret_source::kind::file  ? "PATH"
                                                               : "VARIABLE";
  const auto eq = text.find('=');
  const auto colon = eq == std::string_view::npos ? eq : text.find(':', eq + 1);
  if (eq == 0 || eq == std::string_view::npos || colon == std::string_view::npos ||
      colon == eq + 1) {
    return error(errc::parse,
                 flag + " '" + std::string(text) + "': expected HOST:PORT=USER:" + rest_name);
  }
  upstream_auth_entry e;
  e.proxy = std::string(text.substr(0, eq));
  e.user = std::string(text.substr(eq + 1, colon - eq - 1));
  e.password = {from, std::string(text.substr(colon + 1))};
  e.origin = flag;
  if (auto hp = forward::parse_authority(e.proxy, 0); !hp || hp->second == 0) {
    return error(errc::parse,
                 flag + " '" + std::string(text) + "': '" + e.proxy + "' is not HOST:PORT");
  }
  if (from != secret_source::kind::literal && e.password.value.empty()) {
    return error(errc::parse,
                 flag + " '" + std::string(text) + "': the " + rest_name + " is empty");
  }
  return e;
}

result<void> apply_upstream_scheme_flag(std::string_view text,
                                        std::vector<upstream_auth_entry>& entries,
                                        const std::string& flag) {
  const auto eq = text.rfind('=');
  if (eq == 0 || eq == std::string_view::npos) {
    return error(errc::parse, flag + " '" + std::string(text) + "': expected HOST:PORT=basic|ntlm");
  }
  auto scheme = forward::parse_upstream_scheme(text.substr(eq + 1));
  if (!scheme) {
    return error(errc::parse,
                 flag + " '" + std::string(text) + "': the scheme must be basic or ntlm");
  }
  auto proxy = forward::parse_authority(text.substr(0, eq), 0);
  if (!proxy || proxy->second == 0) {
    return error(errc::parse, flag + " '" + std::string(text) + "': '" +
                                  std::string(text.substr(0, eq)) + "' is not HOST:PORT");
  }
  const auto key = forward::proxy_key(proxy->first, proxy->second);
  bool found = false;
  for (auto& e : entries) {
    auto hp = forward::parse_authority(e.proxy, 0);
    if (hp && forward::proxy_key(hp->first, hp->second) == key) {
      e.scheme = *scheme;
      found = true;
    }
  }
  if (!found) {
    return error(errc::parse, flag + " '" + std::string(text) +
                                  "': no --upstream-auth* credentials (or " +
                                  "upstream_auth entry) for " + std::string(text.substr(0, eq)));
  }
  return {};
}

result<std::string> read_secret(const secret_source& s, const std::string& origin) {
  if (s.from == secret_source::kind::literal) return s.value;
  if (s.from == secret_source::kind::env) {
    const char* v = std::getenv(s.value.c_str());
    if (!v) {
      return error(errc::config,
                   "the environment variable " + s.value + " (given at " + origin + ") is not set");
    }
    return std::string(v);
  }
  std::ifstream in(s.value, std::ios::binary);
  if (!in) {
    return error(errc::io, std::string("cannot read the password file (given at ") + origin +
                               "): " + std::strerror(errno))
        .at(s.value);
  }
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) {
    return error(errc::io, "the password file (given at " + origin + ") has an empty first line")
        .at(s.value);
  }
  return line;
}

result<std::vector<forward::upstream_credentials>> resolve_upstream_auth(
    const std::vector<upstream_auth_entry>& entries) {
  std::vector<forward::upstream_credentials> out;
  for (const auto& e : entries) {
    auto password = read_secret(e.password, e.origin);
    if (!password) return password.error();
    out.push_back({e.proxy, e.user, std::move(*password), e.scheme, e.domain});
  }
  return out;
}

result<std::vector<forward::proxy_user>> load_users(const std::string& path,
                                                    const std::string& origin) {
  auto users = forward::load_users_file(path);
  if (!users) {
    auto e = users.error();
    e.message += " (users file given at " + origin + ")";
    return e;
  }
  return users;
}

}  // namespace wpadkit::configfile
