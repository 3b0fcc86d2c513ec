#include "proxycore/forward/proxy_config.hpp"

#include <algorithm>
#include <thread>

#include "proxycore/forward/proxy_auth.hpp"
#include "proxycore/forward/request_rewrite.hpp"

namespace wpadkit::forward {

std::optional<upstream_scheme> parse_upstream_scheme(std::string_view text) {
  auto is = [&](std::string_view name) {
    return text.size() == name.size() && std::equal(text.begin(), text.end(), name.begin(),
                                                    [](char a, char b) { return (a | 0x20) == b; });
  };
  if (is("basic")) return upstream_scheme::basic;
  if (is("ntlm")) return upstream_scheme::ntlm;
  return std::nullopt;
}

namespace {

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

// Proxy authentication (RFC 9110 §11.7), both directions. The realm goes into a quoted-string unescaped (proxy_auth.hpp), and
// Basic cannot carry a user-id holding ':' (RFC 7617 §2).
result<void> validate_auth(const proxy_config& c) {
  if (c.auth_realm.empty() || has_control(c.auth_realm) ||
      c.auth_realm.find_first_of("\"\\") != std::string::npos) {
    return error(errc::config, "auth_realm '" + c.auth_realm +
                                   "' must be non-empty, without quotes, backslashes or control characters");
  }
  for (std::size_t i = 0; i < c.users.size(); ++i) {
    const auto& u = c.users[i];
    if (u.name.empty() || u.name.find(':') != std::string::npos || has_control(u.name)) {
      return error(errc::config, "users: the name '" + u.name +
                                     "' must be non-empty, without ':' or control characters");
    }
    if (auto ok = check_hash_scheme(u.hash); !ok) {
      return error(errc::config, "users: user '" + u.name + "': " + ok.error().message);
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (c.users[j].name == u.name) return error(errc::config, "users: duplicate user '" + u.name + "'");
    }
  }
  std::vector<std::string> proxies;
  for (const auto& a : c.upstream_auth) {
    auto hp = parse_authority(a.proxy, 0);
    if (!hp) {
      return error(errc::config, "upstream_auth: proxy '" + a.proxy + "' is not host:port (" +
                                     hp.error().message + ")");
    }
    if (a.user.find(':') != std::string::npos || has_control(a.user) || has_control(a.password)) {
      return error(errc::config, "upstream_auth for " + a.proxy +
                                     ": the user must not contain ':', nor either part control characters");
    }
    if (a.scheme == upstream_scheme::basic && !a.domain.empty()) {
      return error(errc::config,
                   "upstream_auth for " + a.proxy +
                       ": a domain is for scheme ntlm (Basic sends DOMAIN\\user as the user)");
    }
    if (a.scheme == upstream_scheme::ntlm) {
      if (a.user.empty() || a.user.back() == '\\' || has_control(a.domain)) {
        return error(errc::config, "upstream_auth for " + a.proxy +
                                       ": NTLM needs a user name (and a "
                                       "domain without control characters)");
      }
      if (!a.domain.empty() && a.user.find('\\') != std::string::npos) {
        return error(errc::config,
                     "upstream_auth for " + a.proxy +
                         ": the domain is given twice (in the user as DOMAIN\\user and as domain)");
      }
    }
    auto key = proxy_key(hp->first, hp->second);
    if (std::find(proxies.begin(), proxies.end(), key) != proxies.end()) {
      return error(errc::config, "upstream_auth: proxy " + a.proxy + " is listed twice");
    }
    proxies.push_back(std::move(key));
  }
  return {};
}

}  // namespace

result<void> validate_config(const proxy_config& c) {
  if (c.header_limit < 1024) return error(errc::config, "header_limit must be at least 1024 bytes");
  if (c.relay_buffer < 512) return error(errc::config, "relay_buffer must be at least 512 bytes");
  if (c.via_name.find_first_of(" \t,\r\n") != std::string::npos) {
    return error(errc::config, "via_name '" + c.via_name + "' must be one token (no spaces or commas)");
  }
  using ms = std::chrono::milliseconds;
  for (auto [d, name] : {std::pair<ms, const char*>{c.client_head_timeout, "client_head_timeout"},
                         {c.client_idle_timeout, "client_idle_timeout"},
                         {c.connect_timeout, "connect_timeout"},
                         {c.upstream_timeout, "upstream_timeout"},
                         {c.response_head_timeout, "response_head_timeout"},
                         {c.tunnel_idle_timeout, "tunnel_idle_timeout"},
                         {c.pac_timeout, "pac_timeout"}}) {
    if (d <= ms(0)) return error(errc::config, std::string(name) + " must be positive");
  }
  return validate_auth(c);
}

unsigned io_thread_count(const proxy_config& c) {
  return c.threads ? c.threads : std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace wpadkit::forward
