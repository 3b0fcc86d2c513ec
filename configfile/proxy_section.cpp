#include "configfile/proxy_section.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <limits>

#include "proxycore/forward/request_rewrite.hpp"

namespace wpadkit::configfile {
namespace {

using std::chrono::milliseconds;

result<void> read_listeners(const toml_reader& r, const toml::table& t, const std::string& where,
                            forward::proxy_config& c) {
  if (const auto* n = t.get("listen")) {
    WPADKIT_TRY(s, r.string(*n, where + ".listen"));
    auto e = parse_endpoint(s, 3128);
    if (!e) return r.fail(*n, where + ".listen", e.error().message);
    c.listen_address = e->first;
    c.listen_port = e->second;
  }
  if (const auto* n = t.get("admin")) {
    WPADKIT_TRY(s, r.string(*n, where + ".admin"));
    auto e = parse_endpoint(s, 0);
    if (!e) return r.fail(*n, where + ".admin", e.error().message);
    c.admin_enabled = true;
    c.admin_address = e->first;
    c.admin_port = e->second;
  }
  return {};
}

result<void> read_clients(const toml_reader& r, const toml::table& t, const std::string& where,
                          forward::proxy_config& c) {
  const auto* n = t.get("allowed_clients");
  if (!n) return {};
  const std::string key = where + ".allowed_clients";
  WPADKIT_TRY(texts, r.strings(*n, key));
  if (texts.empty())
    return r.fail(*n, key, "needs at least one network (leave it out for the default)");
  c.allowed_clients.clear();
  for (std::size_t i = 0; i < texts.size(); ++i) {
    auto net = cidr::parse(texts[i]);
    if (!net)
      return r.fail(*n->as_array()->get(i), key + "[" + std::to_string(i) + "]",
                    net.error().message);
    c.allowed_clients.push_back(*net);
  }
  return {};
}

result<void> read_connect_ports(const toml_reader& r, const toml::node& n, const std::string& key,
                                forward::proxy_config& c) {
  if (n.is_string()) {
    if (auto any = r.choice(n, key, {"any"}); !any) return any.error();
    c.connect_ports.clear();
    return {};
  }
  const auto* a = n.as_array();
  if (!a || a->empty()) return r.fail(n, key, "expected an array of ports, or \"any\"");
  c.connect_ports.clear();
  for (std::size_t i = 0; i < a->size(); ++i) {
    WPADKIT_TRY(p, r.integer((*a)[i], key + "[" + std::to_string(i) + "]", 1, 65535));
    c.connect_ports.push_back(static_cast<std::uint16_t>(p));
  }
  return {};
}

// "16 MiB" for a whole number of KiB/MiB/GiB/TiB/PiB, else "N bytes": range errors name sizes a
// person recognises instead of a 16-digit number.
std::string size_text(std::int64_t n) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};
  std::size_t u = 0;
  while (u + 1 < std::size(units) && n >= 1024 && n % 1024 == 0) {
    n /= 1024;
    ++u;
  }
  return std::to_string(n) + " " + units[u];
}

// A byte count within [lo, hi]. Errors: errc::config at file:line naming the key and both bounds.
result<std::int64_t> read_bytes(const toml_reader& r, const toml::node& n, const std::string& key,
                                std::int64_t lo, std::int64_t hi) {
  WPADKIT_TRY(v, r.integer(n, key, std::numeric_limits<std::int64_t>::min(),
                           std::numeric_limits<std::int64_t>::max()));
  if (v < lo || v > hi) {
    return r.fail(n, key,
                  std::to_string(v) + " is out of range: must be between " + size_text(lo) +
                      " and " + size_text(hi) + " (a number of bytes)");
  }
  return v;
}

// Byte limits. body_limit 0 is allowed on purpose: it refuses every request body (413), a proxy
// for browsing only. relay_buffer's floor is validate_config's; its ceiling bounds the memory a
// connection can hold (two buffers in flight, one per direction).
result<void> read_sizes(const toml_reader& r, const toml::table& t, const std::string& where,
                        forward::proxy_config& c) {
  constexpr std::int64_t max_body_limit = std::int64_t{1} << 50;  // 1 PiB: "no practical limit"
  constexpr std::int64_t max_relay_buffer = 16 * 1024 * 1024;
  if (const auto* n = t.get("header_limit")) {
    WPADKIT_TRY(v, read_bytes(r, *n, where + ".header_limit", 1024, 1024 * 1024));
    c.header_limit = static_cast<std::size_t>(v);
  }
  if (const auto* n = t.get("body_limit")) {
    WPADKIT_TRY(v, read_bytes(r, *n, where + ".body_limit", 0, max_body_limit));
    c.body_limit = static_cast<std::uint64_t>(v);
  }
  if (const auto* n = t.get("relay_buffer")) {
    WPADKIT_TRY(v, read_bytes(r, *n, where + ".relay_buffer", 512, max_relay_buffer));
    c.relay_buffer = static_cast<std::size_t>(v);
  }
  return {};
}

result<void> read_behaviour(const toml_reader& r, const toml::table& t, const std::string& where,
                            forward::proxy_config& c) {
  if (const auto* n = t.get("via")) {
    WPADKIT_TRY(s, r.string(*n, where + ".via"));
    if (s.empty() || s.find_first_of(" \t,;\r\n()") != std::string::npos) {
      return r.fail(*n, where + ".via",
                    "\"" + s + "\" must be one token (no spaces, commas or parentheses)");
    }
    c.via_name = s;
  }
  if (const auto* n = t.get("trace")) {
    WPADKIT_TRY(b, r.boolean(*n, where + ".trace"));
    c.trace_enabled = b;
  }
  if (const auto* n = t.get("connect_ports")) {
    if (auto ok = read_connect_ports(r, *n, where + ".connect_ports", c); !ok) return ok;
  }
  if (const auto* n = t.get("threads")) {
    WPADKIT_TRY(v, r.integer(*n, where + ".threads", 0, 256));
    c.threads = static_cast<unsigned>(v);
  }
  if (const auto* n = t.get("pool_max_idle_per_hop")) {
    WPADKIT_TRY(v, r.integer(*n, where + ".pool_max_idle_per_hop", 0, 10000));
    c.pool_max_idle_per_hop = static_cast<std::size_t>(v);
  }
  return {};
}

result<void> read_deadlines(const toml_reader& r, const toml::table& t, const std::string& where,
                            forward::proxy_config& c) {
  const std::pair<const char*, milliseconds*> deadlines[] = {
      {"head_timeout_ms", &c.client_head_timeout},
      {"idle_timeout_ms", &c.client_idle_timeout},
      {"connect_timeout_ms", &c.connect_timeout},
      {"upstream_timeout_ms", &c.upstream_timeout},
      {"response_head_timeout_ms", &c.response_head_timeout},
      {"tunnel_idle_timeout_ms", &c.tunnel_idle_timeout},
      {"shutdown_grace_ms", &c.shutdown_grace},
      {"pool_idle_timeout_ms", &c.pool_idle_timeout}};
  for (auto [key, field] : deadlines) {
    if (const auto* n = t.get(key)) {
      WPADKIT_TRY(ms, r.millis(*n, where + "." + key, 1, 24 * 3'600'000));
      *field = ms;
    }
  }
  if (const auto* n = t.get("bad_proxy_retry_ms")) {
    // 0 is allowed: a failed proxy is never demoted.
    WPADKIT_TRY(ms, r.millis(*n, where + ".bad_proxy_retry_ms", 0, 24 * 3'600'000));
    c.bad_proxy_retry = ms;
  }
  return {};
}

result<void> read_files(const toml_reader& r, const toml::table& t, const std::string& where,
                        const std::filesystem::path& base_dir, proxy_section& out) {
  if (const auto* n = t.get("access_log")) {
    WPADKIT_TRY(s, r.string(*n, where + ".access_log"));
    if (s == "-") {
      out.access_log = s;
    } else {
      WPADKIT_TRY(p, r.path(*n, where + ".access_log", base_dir));
      out.access_log = p;
    }
  }
  if (const auto* n = t.get("https_proxy_ca_file")) {
    WPADKIT_TRY(p, r.path(*n, where + ".https_proxy_ca_file", base_dir));
    // Checked now: otherwise the mistake would show only as failed TLS handshakes with HTTPS
    // proxies.
    std::error_code ec;
    if (!std::filesystem::is_regular_file(p, ec)) {
      return r.fail(*n, where + ".https_proxy_ca_file", "\"" + p + "\" is not a readable file");
    }
    out.config.https_proxy_ca_file = p;
  }
  if (const auto* n = t.get("log_format")) {
    // Compared in place: moving it out first trips GCC 12's -Wmaybe-uninitialized at -O2.
    const auto f = r.choice(*n, where + ".log_format", {"text", "json"});
    if (!f) return f.error();
    out.log_format = *f == "json" ? forward::log_format::json : forward::log_format::text;
  }
  return {};
}

result<upstream_auth_entry> read_upstream_entry(const toml_reader& r, const toml::node& n,
                                                const std::string& key,
                                                const std::filesystem::path& base_dir) {
  const auto* t = n.as_table();
  if (!t)
    return r.fail(n, key, "expected a table { proxy = \"HOST:PORT\", user = \"U\", password... }");
  // scheme = "basic" (default) or "ntlm"; domain (NTLM only; or the user as DOMAIN\\user).
  if (auto ok = r.only(
          *t, key,
          {"proxy", "user", "password", "password_file", "password_env", "scheme", "domain"});
      !ok) {
    return ok.error();
  }
  upstream_auth_entry e;
  e.origin = r.file() + ":" + std::to_string(toml_reader::line_of(n));
  const auto* proxy = t->get("proxy");
  const auto* user = t->get("user");
  if (!proxy || !user) return r.fail(n, key, "needs proxy = \"HOST:PORT\" and user");
  WPADKIT_TRY(p, r.string(*proxy, key + ".proxy"));
  WPADKIT_TRY(u, r.string(*user, key + ".user"));
  if (auto hp = forward::parse_authority(p, 0); !hp || hp->second == 0) {
    return r.fail(*proxy, key + ".proxy", "\"" + p + "\" is not HOST:PORT");
  }
  if (u.empty() || u.find(':') != std::string::npos) {
    return r.fail(*user, key + ".user",
                  "must be non-empty and without ':' (Basic cannot carry it)");
  }
  e.proxy = p;
  e.user = u;
  if (const auto* x = t->get("scheme")) {
    WPADKIT_TRY(v, r.string(*x, key + ".scheme"));
    auto scheme = forward::parse_upstream_scheme(v);
    if (!scheme)
      return r.fail(*x, key + ".scheme", "\"" + v + "\": expected \"basic\" or \"ntlm\"");
    e.scheme = *scheme;
  }
  if (const auto* x = t->get("domain")) {
    WPADKIT_TRY(v, r.string(*x, key + ".domain"));
    if (e.scheme != forward::upstream_scheme::ntlm) {
      return r.fail(*x, key + ".domain",
                    "is for scheme = \"ntlm\" (Basic sends DOMAIN\\user as the user)");
    }
    if (u.find('\\') != std::string::npos) {
      return r.fail(*x, key + ".domain",
                    "the user already names a domain (DOMAIN\\user): give it once");
    }
    e.domain = v;
  }
  if (e.scheme == forward::upstream_scheme::ntlm && (u.back() == '\\' || u.front() == '\\')) {
    return r.fail(*user, key + ".user", "\"" + u + "\": expected USER or DOMAIN\\USER");
  }
  int sources = 0;
  if (const auto* x = t->get("password")) {
    WPADKIT_TRY(v, r.string(*x, key + ".password"));
    e.password = {secret_source::kind::literal, v};
    ++sources;
  }
  if (const auto* x = t->get("password_file")) {
    WPADKIT_TRY(v, r.path(*x, key + ".password_file", base_dir));
    e.password = {secret_source::kind::file, v};
    ++sources;
  }
  if (const auto* x = t->get("password_env")) {
    WPADKIT_TRY(v, r.string(*x, key + ".password_env"));
    e.password = {secret_source::kind::env, v};
    ++sources;
  }
  if (sources != 1)
    return r.fail(n, key, "needs exactly one of password, password_file, password_env");
  return e;
}

result<void> read_auth(const toml_reader& r, const toml::table& t, const std::string& where,
                       const std::filesystem::path& base_dir, proxy_section& out) {
  if (const auto* n = t.get("users_file")) {
    WPADKIT_TRY(p, r.path(*n, where + ".users_file", base_dir));
    out.users_file = p;
    out.users_origin = r.file() + ":" + std::to_string(toml_reader::line_of(*n));
  }
  if (const auto* n = t.get("realm")) {
    WPADKIT_TRY(s, r.string(*n, where + ".realm"));
    if (s.empty() || s.find_first_of("\"\\") != std::string::npos ||
        std::any_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
      return r.fail(*n, where + ".realm",
                    "must be non-empty, without quotes, backslashes or control characters");
    }
    out.config.auth_realm = s;
  }
  if (const auto* n = t.get("upstream_auth")) {
    const auto* a = n->as_array();
    if (!a) return r.fail(*n, where + ".upstream_auth", "expected an array of tables");
    out.upstream_auth.clear();
    for (std::size_t i = 0; i < a->size(); ++i) {
      WPADKIT_TRY(
          e, read_upstream_entry(r, (*a)[i], where + ".upstream_auth[" + std::to_string(i) + "]",
                                 base_dir));
      out.upstream_auth.push_back(std::move(e));
    }
  }
  return {};
}

}  // namespace

result<void> load_credentials(proxy_section& s) {
  s.config.users.clear();
  if (!s.users_file.empty()) {
    auto users = load_users(s.users_file, s.users_origin);
    if (!users) return users.error();
    s.config.users = std::move(*users);
  }
  auto upstream = resolve_upstream_auth(s.upstream_auth);
  if (!upstream) return upstream.error();
  s.config.upstream_auth = std::move(*upstream);
  return {};
}

const std::vector<std::string_view>& proxy_section_keys() {
  static const std::vector<std::string_view> keys{"listen",
                                                  "admin",
                                                  "allowed_clients",
                                                  "via",
                                                  "trace",
                                                  "connect_ports",
                                                  "threads",
                                                  "header_limit",
                                                  "body_limit",
                                                  "relay_buffer",
                                                  "head_timeout_ms",
                                                  "idle_timeout_ms",
                                                  "connect_timeout_ms",
                                                  "upstream_timeout_ms",
                                                  "response_head_timeout_ms",
                                                  "tunnel_idle_timeout_ms",
                                                  "shutdown_grace_ms",
                                                  "bad_proxy_retry_ms",
                                                  "pool_max_idle_per_hop",
                                                  "pool_idle_timeout_ms",
                                                  "access_log",
                                                  "log_format",
                                                  "https_proxy_ca_file",
                                                  "users_file",
                                                  "realm",
                                                  "upstream_auth"};
  return keys;
}

result<void> read_proxy_section(const toml_reader& r, const toml::table& t,
                                const std::string& where, const std::filesystem::path& base_dir,
                                proxy_section& out, const std::vector<std::string_view>& own_keys) {
  auto allowed = proxy_section_keys();
  allowed.insert(allowed.end(), own_keys.begin(), own_keys.end());
  if (auto ok = r.only(t, where, allowed); !ok) return ok;
  if (auto ok = read_listeners(r, t, where, out.config); !ok) return ok;
  if (auto ok = read_clients(r, t, where, out.config); !ok) return ok;
  if (auto ok = read_behaviour(r, t, where, out.config); !ok) return ok;
  if (auto ok = read_sizes(r, t, where, out.config); !ok) return ok;
  if (auto ok = read_deadlines(r, t, where, out.config); !ok) return ok;
  if (auto ok = read_files(r, t, where, base_dir, out); !ok) return ok;
  return read_auth(r, t, where, base_dir, out);
}

result<std::pair<boost::asio::ip::address, std::uint16_t>> parse_endpoint(
    std::string_view text, std::uint16_t default_port) {
  const std::string s(text);
  std::string host = s, port_text;
  bool has_port = false;  // a ':' separates a port (possibly empty: an error)
  if (!s.empty() && s.front() == '[') {
    const auto close = s.find(']');
    if (close == std::string::npos || (close + 1 < s.size() && s[close + 1] != ':')) {
      return error(errc::parse, "\"" + s + "\" is not [IPv6]:PORT");
    }
    host = s.substr(1, close - 1);
    has_port = close + 1 < s.size();
    if (has_port) port_text = s.substr(close + 2);
  } else if (const auto colon = s.rfind(':'); colon != std::string::npos && s.find(':') == colon) {
    host = s.substr(0, colon);
    port_text = s.substr(colon + 1);
    has_port = true;
  }
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(host, ec);
  if (ec)
    return error(errc::parse, "\"" + s + "\": \"" + host + "\" is not an IP address to listen on");
  unsigned port = default_port;
  if (has_port) {
    auto [end, perr] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || perr != std::errc() || end != port_text.data() + port_text.size() ||
        port > 65535) {
      return error(errc::parse, "\"" + s + "\": \"" + port_text + "\" is not a port (0-65535)");
    }
  }
  return std::pair{address, static_cast<std::uint16_t>(port)};
}

}  // namespace wpadkit::configfile
