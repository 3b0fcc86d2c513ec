#include "pacserver/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <tuple>

#include "pacserver/toml_reader.hpp"

namespace wpadkit::pacserver {

namespace {

using detail::reader;

result<void> read_server(const reader& r, const toml::table& t, server_config& c,
                         const std::filesystem::path& base_dir) {
  if (auto ok = r.only(
          t, "server",
          {"listen", "public_url", "cache_control", "access_log", "allowed_clients",
           "trusted_proxies", "templates_dir", "watch", "watch_interval_ms", "default_variant"});
      !ok) {
    return ok.error();
  }
  if (auto n = t.get("listen")) {
    WPADKIT_TRY(texts, r.strings(*n, "server.listen"));
    c.listen.clear();
    for (std::size_t i = 0; i < texts.size(); ++i) {
      auto a = parse_listen_address(texts[i]);
      if (!a) return r.fail(*n, "server.listen[" + std::to_string(i) + "]", a.error().message);
      c.listen.push_back(*a);
    }
    if (c.listen.empty()) return r.fail(*n, "server.listen", "needs at least one address");
  }
  if (auto n = t.get("public_url")) {
    WPADKIT_TRY(s, r.string(*n, "server.public_url"));
    if (s.rfind("http://", 0) != 0 && s.rfind("https://", 0) != 0) {
      return r.fail(*n, "server.public_url", "must be an http:// or https:// URL");
    }
    c.public_url = s;
  }
  if (auto n = t.get("cache_control")) {
    WPADKIT_TRY(s, r.string(*n, "server.cache_control"));
    c.cache_control = s;
  }
  if (auto n = t.get("access_log")) {
    WPADKIT_TRY(s, r.string(*n, "server.access_log"));
    c.access_log = s;
    // A file is found like every other path of the config (templates_dir, [proxy] access_log,
    // users_file, CA files): relative to the config file's folder, which does not depend on the
    // working directory a service manager starts pacserver in.
    if (s != "-" && s != "off" && !s.empty()) {
      WPADKIT_TRY(p, r.path(*n, "server.access_log", base_dir));
      c.access_log = p;
    }
    c.access_log_source = r.ref(*n, "server.access_log");
  }
  if (auto n = t.get("allowed_clients")) {
    WPADKIT_TRY(v, r.networks(*n, "server.allowed_clients"));
    c.allowed_clients = v;
  }
  if (auto n = t.get("trusted_proxies")) {
    WPADKIT_TRY(v, r.networks(*n, "server.trusted_proxies"));
    c.trusted_proxies = v;
  }
  if (auto n = t.get("templates_dir")) {
    WPADKIT_TRY(s, r.string(*n, "server.templates_dir"));
    std::filesystem::path p(s);
    c.templates_dir = p.is_absolute() ? p : base_dir / p;
  }
  if (auto n = t.get("watch")) {
    WPADKIT_TRY(b, r.boolean(*n, "server.watch"));
    c.watch = b;
  }
  if (auto n = t.get("watch_interval_ms")) {
    WPADKIT_TRY(ms, r.millis(*n, "server.watch_interval_ms"));
    c.watch_interval = ms;
  }
  if (auto n = t.get("default_variant")) {
    WPADKIT_TRY(s, r.string(*n, "server.default_variant"));
    c.default_variant = s;
  }
  return {};
}

result<void> read_limits(const reader& r, const toml::table& t, limits_config& l) {
  if (auto ok =
          r.only(t, "limits",
                 {"max_pac_bytes", "read_timeout_ms", "write_timeout_ms", "keep_alive_timeout_ms",
                  "keep_alive_requests", "threads", "max_request_bytes", "max_head_bytes",
                  "max_header_fields", "max_line_bytes", "max_connections"});
      !ok) {
    return ok.error();
  }
  if (auto n = t.get("max_pac_bytes")) {
    WPADKIT_TRY(v, r.integer(*n, "limits.max_pac_bytes", 64, 1024 * 1024));
    l.max_pac_bytes = static_cast<std::size_t>(v);
  }
  for (auto [key, field] : {std::pair{"read_timeout_ms", &l.read_timeout},
                            std::pair{"write_timeout_ms", &l.write_timeout},
                            std::pair{"keep_alive_timeout_ms", &l.keep_alive_timeout}}) {
    if (auto n = t.get(key)) {
      WPADKIT_TRY(ms, r.millis(*n, std::string("limits.") + key));
      *field = ms;
    }
  }
  if (auto n = t.get("keep_alive_requests")) {
    WPADKIT_TRY(v, r.integer(*n, "limits.keep_alive_requests", 1, 100'000'000));
    l.keep_alive_requests = static_cast<std::size_t>(v);
  }
  if (auto n = t.get("threads")) {
    WPADKIT_TRY(v, r.integer(*n, "limits.threads", 1, 256));
    l.threads = static_cast<std::size_t>(v);
  }
  if (auto n = t.get("max_request_bytes")) {
    WPADKIT_TRY(v, r.integer(*n, "limits.max_request_bytes", 0, 1024 * 1024));
    l.max_request_bytes = static_cast<std::size_t>(v);
  }
  // Bounds: a head must hold at least a request-line and a Host line; past 1 MiB a head limit no
  // longer bounds anything a PAC server needs (each connection may buffer that much).
  for (auto [key, field, low, high] :
       {std::tuple{"max_head_bytes", &l.max_head_bytes, 256, 1024 * 1024},
        std::tuple{"max_header_fields", &l.max_header_fields, 1, 10'000},
        std::tuple{"max_line_bytes", &l.max_line_bytes, 64, 1024 * 1024},
        std::tuple{"max_connections", &l.max_connections, 1, 1'000'000}}) {
    if (auto n = t.get(key)) {
      WPADKIT_TRY(v, r.integer(*n, std::string("limits.") + key, low, high));
      *field = static_cast<std::size_t>(v);
    }
  }
  return {};
}

result<void> read_bundled_proxy(const reader& r, const toml::table& t,
                                const std::filesystem::path& base_dir, bundled_proxy_config& p) {
  if (auto ok = configfile::read_proxy_section(r, t, "proxy", base_dir, p.settings, {"enabled"});
      !ok) {
    return ok.error();
  }
  p.source = r.ref(t, "proxy");
  // A [proxy] section turns the bundled proxy on unless it says enabled = false.
  p.enabled = true;
  if (auto n = t.get("enabled")) {
    WPADKIT_TRY(b, r.boolean(*n, "proxy.enabled"));
    p.enabled = b;
  }
  if (t.get("listen")) {
    p.listen = {p.settings.config.listen_address.to_string(), p.settings.config.listen_port};
  }
  // Read now, so that --check and a reload find a bad users file or an unset password variable
  // before anything is served with it.
  return configfile::load_credentials(p.settings);
}

// PAC proxy tokens accepted in [[proxies]].type, mapped to their canonical spelling.
std::optional<std::string> canonical_type(std::string t) {
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char ch) { return std::toupper(ch); });
  if (t == "PROXY" || t == "HTTP") return "PROXY";
  if (t == "HTTPS" || t == "SOCKS" || t == "SOCKS4" || t == "SOCKS5") return t;
  return std::nullopt;
}

result<void> read_proxies(const reader& r, const toml::array& a, server_config& c) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string key = "proxies[" + std::to_string(i) + "]";
    const auto* t = a[i].as_table();
    if (!t) return r.fail(a[i], key, "expected a table ([[proxies]])");
    if (auto ok = r.only(*t, key, {"name", "address", "type"}); !ok) return ok.error();
    proxy_entry p;
    p.source = r.ref(*t, key);
    const auto* name = t->get("name");
    const auto* address = t->get("address");
    if (!name || !address) return r.fail(*t, key, "needs name and address");
    WPADKIT_TRY(n, r.string(*name, key + ".name"));
    WPADKIT_TRY(ad, r.string(*address, key + ".address"));
    if (n.empty() || n == "DIRECT" || n.find_first_of(" ;\"'\\") != std::string::npos) {
      return r.fail(*name, key + ".name", "\"" + n + "\" is not a usable proxy name");
    }
    if (c.find_proxy(n)) return r.fail(*name, key + ".name", "duplicate proxy name \"" + n + "\"");
    auto hp = parse_listen_address(ad);
    if (!hp || hp->port == 0 || hp->host.empty() ||
        ad.find_first_of(" ;\"'\\") != std::string::npos) {
      return r.fail(*address, key + ".address", "\"" + ad + "\" is not host:port");
    }
    p.name = n;
    p.address = ad;
    p.pac_type = "PROXY";
    if (const auto* type = t->get("type")) {
      WPADKIT_TRY(ty, r.string(*type, key + ".type"));
      auto canon = canonical_type(ty);
      if (!canon) {
        return r.fail(*type, key + ".type",
                      "\"" + ty + "\" is not one of PROXY, HTTPS, SOCKS, SOCKS4, SOCKS5");
      }
      p.pac_type = *canon;
    }
    p.source.key = "proxies." + n;
    c.proxies.push_back(std::move(p));
  }
  return {};
}

// A domain entry: letters, digits, '-', '.', '_' and the shell wildcards '*' and '?'.
bool valid_domain(const std::string& d) {
  if (d.empty() || d.size() > 253) return false;
  return std::all_of(d.begin(), d.end(), [](unsigned char ch) {
    return std::isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '*' || ch == '?';
  });
}

result<std::vector<std::string>> read_domains(const reader& r, const toml::node& n,
                                              const std::string& key) {
  WPADKIT_TRY(v, r.strings(n, key));
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!valid_domain(v[i])) {
      return r.fail(*n.as_array()->get(i), key + "[" + std::to_string(i) + "]",
                    "\"" + v[i] + "\" is not a domain name or shell pattern");
    }
    std::transform(v[i].begin(), v[i].end(), v[i].begin(),
                   [](unsigned char ch) { return std::tolower(ch); });
  }
  return v;
}

result<std::vector<std::string>> read_chain(const reader& r, const toml::node& n,
                                            const std::string& key, const server_config& c) {
  WPADKIT_TRY(v, r.strings(n, key));
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == "DIRECT" || v[i] == "bundled" || c.find_proxy(v[i])) continue;
    return r.fail(*n.as_array()->get(i), key + "[" + std::to_string(i) + "]",
                  "\"" + v[i] + "\" is not a proxy defined in [[proxies]] (nor DIRECT or bundled)");
  }
  return v;
}

result<route> read_route(const reader& r, const toml::node& n, const std::string& key,
                         const server_config& c) {
  const auto* t = n.as_table();
  if (!t) return r.fail(n, key, "expected a table");
  if (auto ok = r.only(*t, key, {"domains", "networks", "via"}); !ok) return ok.error();
  route out;
  out.source = r.ref(*t, key);
  if (auto d = t->get("domains")) {
    WPADKIT_TRY(v, read_domains(r, *d, key + ".domains"));
    out.domains = v;
  }
  if (auto d = t->get("networks")) {
    WPADKIT_TRY(v, r.networks(*d, key + ".networks"));
    out.networks = v;
  }
  const auto* via = t->get("via");
  if (!via) return r.fail(*t, key, "needs via = [...]");
  WPADKIT_TRY(v, read_chain(r, *via, key + ".via", c));
  if (v.empty()) return r.fail(*via, key + ".via", "needs at least one entry");
  if (out.domains.empty() && out.networks.empty()) {
    return r.fail(*t, key, "needs domains or networks");
  }
  out.via = v;
  return out;
}

result<ruleset> read_ruleset(const reader& r, const std::string& name, const toml::node& n,
                             const server_config& c) {
  const std::string key = "rulesets." + name;
  const auto* t = n.as_table();
  if (!t) return r.fail(n, key, "expected a table");
  if (auto ok = r.only(*t, key,
                       {"direct_plain_hostnames", "direct_domains", "direct_networks", "routes",
                        "default", "pool"});
      !ok) {
    return ok.error();
  }
  ruleset rs;
  rs.name = name;
  rs.source = r.ref(*t, key);
  if (auto x = t->get("direct_plain_hostnames")) {
    WPADKIT_TRY(b, r.boolean(*x, key + ".direct_plain_hostnames"));
    rs.direct_plain_hostnames = b;
  }
  if (auto x = t->get("direct_domains")) {
    WPADKIT_TRY(v, read_domains(r, *x, key + ".direct_domains"));
    rs.direct_domains = v;
  }
  if (auto x = t->get("direct_networks")) {
    WPADKIT_TRY(v, r.networks(*x, key + ".direct_networks"));
    rs.direct_networks = v;
  }
  if (auto x = t->get("routes")) {
    const auto* a = x->as_array();
    if (!a) return r.fail(*x, key + ".routes", "expected [[" + key + ".routes]] tables");
    for (std::size_t i = 0; i < a->size(); ++i) {
      WPADKIT_TRY(rt, read_route(r, (*a)[i], key + ".routes[" + std::to_string(i) + "]", c));
      rs.routes.push_back(std::move(rt));
    }
  }
  if (auto x = t->get("default")) {
    WPADKIT_TRY(v, read_chain(r, *x, key + ".default", c));
    rs.default_chain = v;
  }
  if (auto x = t->get("pool")) {
    WPADKIT_TRY(v, read_chain(r, *x, key + ".pool", c));
    if (std::find(v.begin(), v.end(), "DIRECT") != v.end()) {
      return r.fail(*x, key + ".pool", "a hashed pool holds proxies, not DIRECT");
    }
    rs.pool = v;
  }
  if (rs.default_chain.empty()) rs.default_chain = {"DIRECT"};
  return rs;
}

const std::set<std::string, std::less<>>& template_names() {
  static const std::set<std::string, std::less<>> names{
      "corporate", "split-tunnel", "load-balanced", "bundled-proxy", "sinkhole"};
  return names;
}

result<golden_case> read_case(const reader& r, const toml::node& n, const std::string& key) {
  const auto* t = n.as_table();
  if (!t) return r.fail(n, key, "expected a table");
  if (auto ok = r.only(*t, key, {"url", "host", "expect"}); !ok) return ok.error();
  golden_case gc;
  gc.source = r.ref(*t, key);
  const auto* url = t->get("url");
  const auto* expect = t->get("expect");
  if (!url || !expect) return r.fail(*t, key, "needs url and expect");
  WPADKIT_TRY(u, r.string(*url, key + ".url"));
  WPADKIT_TRY(e, r.string(*expect, key + ".expect"));
  gc.url = u;
  gc.expect = e;
  if (auto h = t->get("host")) {
    WPADKIT_TRY(hs, r.string(*h, key + ".host"));
    gc.host = hs;
  }
  return gc;
}

result<variant> read_variant(const reader& r, const toml::node& n, std::size_t index,
                             const server_config& c) {
  std::string key = "variants[" + std::to_string(index) + "]";
  const auto* t = n.as_table();
  if (!t) return r.fail(n, key, "expected a table ([[variants]])");
  if (auto ok = r.only(*t, key,
                       {"name", "template", "ruleset", "match_clients", "match_hosts",
                        "match_user_agents", "cases"});
      !ok) {
    return ok.error();
  }
  variant v;
  v.source = r.ref(*t, key);
  const auto* name = t->get("name");
  if (!name) return r.fail(*t, key, "needs a name");
  WPADKIT_TRY(nm, r.string(*name, key + ".name"));
  if (nm.empty() || !std::all_of(nm.begin(), nm.end(), [](unsigned char ch) {
        return std::isalnum(ch) || ch == '-' || ch == '_';
      })) {
    return r.fail(*name, key + ".name", "\"" + nm + "\" must be letters, digits, '-' or '_'");
  }
  if (c.find_variant(nm)) return r.fail(*name, key + ".name", "duplicate variant \"" + nm + "\"");
  v.name = nm;
  key = "variants." + nm;
  v.source.key = key;
  const auto* tmpl = t->get("template");
  if (!tmpl) return r.fail(*t, key, "needs template = \"...\"");
  WPADKIT_TRY(tn, r.string(*tmpl, key + ".template"));
  if (!template_names().contains(tn) && c.templates_dir.empty()) {
    return r.fail(*tmpl, key + ".template",
                  "unknown template \"" + tn +
                      "\" (corporate, split-tunnel, load-balanced, bundled-proxy, sinkhole)");
  }
  v.template_name = tn;
  v.ruleset_name = "default";
  if (auto x = t->get("ruleset")) {
    WPADKIT_TRY(rn, r.string(*x, key + ".ruleset"));
    v.ruleset_name = rn;
  }
  if (!c.rulesets.contains(v.ruleset_name)) {
    const toml::node& at =
        t->get("ruleset") ? *t->get("ruleset") : static_cast<const toml::node&>(*t);
    return r.fail(at, key + ".ruleset", "no [rulesets." + v.ruleset_name + "] is defined");
  }
  if (auto x = t->get("match_clients")) {
    WPADKIT_TRY(nets, r.networks(*x, key + ".match_clients"));
    v.match_clients = nets;
  }
  if (auto x = t->get("match_hosts")) {
    WPADKIT_TRY(hs, read_domains(r, *x, key + ".match_hosts"));
    v.match_hosts = hs;
  }
  if (auto x = t->get("match_user_agents")) {
    WPADKIT_TRY(uas, r.strings(*x, key + ".match_user_agents"));
    v.match_user_agents = uas;
  }
  if (auto x = t->get("cases")) {
    const auto* a = x->as_array();
    if (!a) return r.fail(*x, key + ".cases", "expected [[variants.cases]] tables");
    for (std::size_t i = 0; i < a->size(); ++i) {
      WPADKIT_TRY(gc, read_case(r, (*a)[i], key + ".cases[" + std::to_string(i) + "]"));
      v.cases.push_back(std::move(gc));
    }
  }
  return v;
}

result<void> read_validation(const reader& r, const toml::table& t, server_config& c) {
  if (auto ok = r.only(t, "validation", {"smoke_urls", "dns"}); !ok) return ok.error();
  if (auto n = t.get("smoke_urls")) {
    WPADKIT_TRY(v, r.strings(*n, "validation.smoke_urls"));
    c.smoke_urls = v;
  }
  if (auto n = t.get("dns")) {
    const auto* d = n->as_table();
    if (!d) return r.fail(*n, "validation.dns", "expected a table: name = \"ip\"");
    for (auto&& [k, v] : *d) {
      const std::string key = "validation.dns." + std::string(k.str());
      WPADKIT_TRY(ip, r.string(v, key));
      auto a = parse_ip(ip);
      if (!a) return r.fail(v, key, a.error().message);
      c.validation_dns[std::string(k.str())].push_back(*a);
    }
  }
  return {};
}

result<void> check_variants(const reader& r, const toml::table& root, server_config& c) {
  const toml::node& at = root.get("variants") ? *root.get("variants") : root;
  if (c.variants.empty()) return r.fail(root, "variants", "at least one [[variants]] is required");
  if (c.default_variant.empty()) {
    for (const auto& v : c.variants) {
      if (v.matches_everyone()) {
        c.default_variant = v.name;
        break;
      }
    }
    if (c.default_variant.empty()) {
      return r.fail(at, "variants",
                    "no variant matches every client: add one without match_* entries or set "
                    "server.default_variant");
    }
  } else if (!c.find_variant(c.default_variant)) {
    const auto* s = root.get_as<toml::table>("server");
    return r.fail(s && s->get("default_variant") ? *s->get("default_variant") : root,
                  "server.default_variant", "no variant named \"" + c.default_variant + "\"");
  }
  return {};
}

}  // namespace

std::string listen_address::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

result<listen_address> parse_listen_address(std::string_view text) {
  const std::string s(text);
  std::string host;
  std::string port;
  if (!s.empty() && s.front() == '[') {
    const auto close = s.find(']');
    if (close == std::string::npos || close + 1 >= s.size() || s[close + 1] != ':') {
      return error(errc::parse, "\"" + s + "\" is not [IPv6]:PORT");
    }
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
  } else {
    const auto colon = s.rfind(':');
    if (colon == std::string::npos || s.find(':') != colon) {
      return error(errc::parse, "\"" + s + "\" is not ADDRESS:PORT");
    }
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
  }
  int p = -1;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (ec != std::errc{} || end != port.data() + port.size() || port.empty() || p < 0 || p > 65535) {
    return error(errc::parse, "\"" + s + "\": port must be 0-65535");
  }
  if (host.empty()) return error(errc::parse, "\"" + s + "\": missing address");
  return listen_address{host, p};
}

const proxy_entry* server_config::find_proxy(std::string_view name) const {
  for (const auto& p : proxies) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const variant* server_config::find_variant(std::string_view name) const {
  for (const auto& v : variants) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

std::vector<cidr> default_allowed_clients() {
  std::vector<cidr> out;
  for (const char* n : {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8",
                        "169.254.0.0/16", "100.64.0.0/10", "::1/128", "fc00::/7", "fe80::/10"}) {
    out.push_back(cidr::parse(n).value());
  }
  return out;
}

result<server_config> parse_config(std::string_view text, std::string file,
                                   const std::filesystem::path& base_dir) {
  WPADKIT_TRY(root, configfile::parse_toml(text, file));
  const reader r(file);
  server_config c;
  c.file = file;
  c.listen = {{"0.0.0.0", 8080}, {"::", 8080}};
  c.allowed_clients = default_allowed_clients();
  if (auto ok = r.only(
          root, "", {"server", "limits", "proxy", "proxies", "rulesets", "variants", "validation"});
      !ok) {
    return ok.error();
  }
  auto section = [&](const char* name) -> result<const toml::table*> {
    const auto* n = root.get(name);
    if (!n) return nullptr;
    if (!n->is_table()) return r.fail(*n, name, "expected a table [" + std::string(name) + "]");
    return n->as_table();
  };
  WPADKIT_TRY(server, section("server"));
  if (server) {
    if (auto ok = read_server(r, *server, c, base_dir); !ok) return ok.error();
  }
  WPADKIT_TRY(lim, section("limits"));
  if (lim) {
    if (auto ok = read_limits(r, *lim, c.limits); !ok) return ok.error();
  }
  WPADKIT_TRY(prox, section("proxy"));
  if (prox) {
    if (auto ok = read_bundled_proxy(r, *prox, base_dir, c.proxy); !ok) return ok.error();
  }
  if (const auto* n = root.get("proxies")) {
    if (!n->is_array()) return r.fail(*n, "proxies", "expected [[proxies]] tables");
    if (auto ok = read_proxies(r, *n->as_array(), c); !ok) return ok.error();
  }
  WPADKIT_TRY(rs, section("rulesets"));
  if (rs) {
    for (auto&& [k, v] : *rs) {
      WPADKIT_TRY(set, read_ruleset(r, std::string(k.str()), v, c));
      c.rulesets.emplace(set.name, std::move(set));
    }
  }
  if (!c.rulesets.contains("default")) {
    ruleset fallback;
    fallback.name = "default";
    fallback.default_chain = {"DIRECT"};
    c.rulesets.emplace("default", std::move(fallback));
  }
  if (const auto* n = root.get("variants")) {
    const auto* a = n->as_array();
    if (!a) return r.fail(*n, "variants", "expected [[variants]] tables");
    for (std::size_t i = 0; i < a->size(); ++i) {
      WPADKIT_TRY(v, read_variant(r, (*a)[i], i, c));
      c.variants.push_back(std::move(v));
    }
  }
  WPADKIT_TRY(val, section("validation"));
  if (val) {
    if (auto ok = read_validation(r, *val, c); !ok) return ok.error();
  }
  if (auto ok = check_variants(r, root, c); !ok) return ok.error();
  return c;
}

result<server_config> load_config(const std::filesystem::path& path) {
  WPADKIT_TRY(text, configfile::read_config_file(path));
  auto base = path.parent_path();
  return parse_config(text, path.string(), base.empty() ? std::filesystem::path(".") : base);
}

}  // namespace wpadkit::pacserver
