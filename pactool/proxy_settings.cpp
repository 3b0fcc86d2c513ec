#include "pactool/proxy_settings.hpp"

#include "configfile/toml_reader.hpp"
#include "pactool/engine_flags.hpp"

namespace pactool {
namespace {

namespace cf = wpadkit::configfile;
namespace fwd = wpadkit::forward;
using std::chrono::milliseconds;
using wpadkit::errc;
using wpadkit::error;
using wpadkit::result;

bool is_url(const std::string& s) {
  return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0;
}

result<fwd::no_pac_policy> parse_no_pac(const std::string& s) {
  if (s == "wait") return fwd::no_pac_policy::wait;
  if (s == "direct") return fwd::no_pac_policy::direct;
  if (s == "refuse") return fwd::no_pac_policy::refuse;
  return error(errc::parse, "'" + s + "': expected wait, direct or refuse");
}

result<void> read_source(const cf::toml_reader& r, const toml::table& t,
                         const std::filesystem::path& base_dir, proxy_settings& s) {
  if (const auto* n = t.get("source")) {
    WPADKIT_TRY(v, r.string(*n, "pac.source"));
    if (v.empty())
      return r.fail(*n, "pac.source", "must not be empty (a file, an http(s) URL or \"auto\")");
    if (v == "auto" || is_url(v)) {
      s.pac = v;
    } else {
      WPADKIT_TRY(p, r.path(*n, "pac.source", base_dir));
      s.pac = p;
    }
  }
  if (const auto* n = t.get("route")) {
    WPADKIT_TRY(v, r.string(*n, "pac.route"));
    if (v.empty())
      return r.fail(*n, "pac.route", "must not be empty (e.g. \"PROXY p:3128; DIRECT\")");
    if (!s.pac.empty())
      return r.fail(*n, "pac.route", "give either pac.source or pac.route, not both");
    s.route = v;
  }
  return {};
}

std::string obsolete_cache_key(const cf::toml_reader& r, const toml::node& n, const char* key) {
  return r.file() + ":" + std::to_string(cf::toml_reader::line_of(n)) + ": " + key +
         " is ignored: the proxy evaluates the PAC for every request, as browsers do (a decision "
         "cache froze the answers of scripts that balance load); the key can be removed";
}

result<void> read_pac(const cf::toml_reader& r, const toml::table& t,
                      const std::filesystem::path& base_dir, proxy_settings& s) {
  if (auto ok = r.only(t, "pac",
                       {"source", "route", "threads", "refetch_ms", "no_pac", "no_pac_wait_ms",
                        "decision_cache", "decision_cache_entries", "decision_timeout_ms",
                        "inline_evaluation"});
      !ok) {
    return ok;
  }
  if (auto ok = read_source(r, t, base_dir, s); !ok) return ok;
  auto& c = s.proxy.config;
  if (const auto* n = t.get("threads")) {
    WPADKIT_TRY(v, r.integer(*n, "pac.threads", 1, 64));
    s.pac_threads = static_cast<unsigned>(v);
  }
  if (const auto* n = t.get("refetch_ms")) {
    WPADKIT_TRY(ms, r.millis(*n, "pac.refetch_ms", 100, 7 * 24 * 3'600'000LL));
    s.refetch = ms;
  }
  if (const auto* n = t.get("no_pac")) {
    const auto v = r.choice(*n, "pac.no_pac", {"wait", "direct", "refuse"});
    if (!v) return v.error();
    c.when_no_pac = *parse_no_pac(*v);
  }
  if (const auto* n = t.get("no_pac_wait_ms")) {
    WPADKIT_TRY(ms, r.millis(*n, "pac.no_pac_wait_ms", 0));
    c.no_pac_wait = ms;
  }
  if (const auto* n = t.get("inline_evaluation")) {
    WPADKIT_TRY(b, r.boolean(*n, "pac.inline_evaluation"));
    c.inline_pac = b;
  }
  // The decision cache is gone (pac_decisions.hpp says why): its keys, in files written for older
  // versions, are still type-checked and then ignored, with a notice, so that such a file keeps
  // starting the proxy.
  if (const auto* n = t.get("decision_cache")) {
    WPADKIT_TRY(b, r.boolean(*n, "pac.decision_cache"));
    (void)b;
    s.notices.push_back(obsolete_cache_key(r, *n, "pac.decision_cache"));
  }
  if (const auto* n = t.get("decision_cache_entries")) {
    WPADKIT_TRY(v, r.integer(*n, "pac.decision_cache_entries", 1, 10'000'000));
    (void)v;
    s.notices.push_back(obsolete_cache_key(r, *n, "pac.decision_cache_entries"));
  }
  if (const auto* n = t.get("decision_timeout_ms")) {
    WPADKIT_TRY(ms, r.millis(*n, "pac.decision_timeout_ms"));
    c.pac_timeout = ms;
  }
  return {};
}

result<void> read_dns(const cf::toml_reader& r, const toml::table& t, proxy_settings& s) {
  if (auto ok = r.only(t, "dns", {"offline", "hosts"}); !ok) return ok;
  if (const auto* n = t.get("offline")) {
    WPADKIT_TRY(b, r.boolean(*n, "dns.offline"));
    s.offline = b;
  }
  const auto* n = t.get("hosts");
  if (!n) return {};
  const auto* hosts = n->as_table();
  if (!hosts) return r.fail(*n, "dns.hosts", "expected a table: name = \"IP\" or [\"IP\", ...]");
  for (auto&& [k, v] : *hosts) {
    const std::string key = "dns.hosts." + std::string(k.str());
    std::vector<std::string> ips;
    if (v.is_array()) {
      WPADKIT_TRY(list, r.strings(v, key));
      ips = std::move(list);
    } else {
      WPADKIT_TRY(one, r.string(v, key));
      ips.push_back(std::move(one));
    }
    for (const auto& ip : ips) {
      const std::string mapping = std::string(k.str()) + "=" + ip;
      if (auto m = parse_dns_mapping(mapping); !m) return r.fail(v, key, m.error().message);
      s.dns.push_back(mapping);
    }
  }
  return {};
}

result<const toml::table*> section(const cf::toml_reader& r, const toml::table& root,
                                   const char* name) {
  const auto* n = root.get(name);
  if (!n) return nullptr;
  if (!n->is_table()) return r.fail(*n, name, "expected a table [" + std::string(name) + "]");
  return n->as_table();
}

}  // namespace

result<proxy_settings> parse_proxy_file(std::string_view text, const std::string& file,
                                        const std::filesystem::path& base_dir) {
  WPADKIT_TRY(root, cf::parse_toml(text, file));
  const cf::toml_reader r(file);
  if (auto ok = r.only(root, "", {"proxy", "pac", "dns"}); !ok) return ok.error();
  proxy_settings s;
  WPADKIT_TRY(proxy, section(r, root, "proxy"));
  if (proxy) {
    if (auto ok = cf::read_proxy_section(r, *proxy, "proxy", base_dir, s.proxy); !ok)
      return ok.error();
  }
  WPADKIT_TRY(pac, section(r, root, "pac"));
  if (pac) {
    if (auto ok = read_pac(r, *pac, base_dir, s); !ok) return ok.error();
  }
  WPADKIT_TRY(dns, section(r, root, "dns"));
  if (dns) {
    if (auto ok = read_dns(r, *dns, s); !ok) return ok.error();
  }
  return s;
}

result<proxy_settings> load_proxy_file(const std::filesystem::path& path) {
  WPADKIT_TRY(text, cf::read_config_file(path));
  auto base = path.parent_path();
  return parse_proxy_file(text, path.string(), base.empty() ? std::filesystem::path(".") : base);
}

namespace {

result<milliseconds> seconds_flag(double v, const char* flag) {
  if (!(v >= 0) || v > 7 * 24 * 3600) {
    return error(errc::parse, std::string(flag) + " " + std::to_string(v) +
                                  ": expected seconds from 0 to 604800");
  }
  return milliseconds(static_cast<long long>(v * 1000));
}

result<milliseconds> millis_flag(long v, const char* flag) {
  if (v <= 0)
    return error(errc::parse, std::string(flag) + " " + std::to_string(v) +
                                  ": expected a positive number of ms");
  return milliseconds(v);
}

result<void> apply_listeners(const proxy_flags& f, fwd::proxy_config& c) {
  if (f.listen) {
    auto e = cf::parse_endpoint(*f.listen, 3128);
    if (!e) return error(errc::parse, "--listen: " + e.error().message);
    c.listen_address = e->first;
    c.listen_port = e->second;
  }
  if (f.admin) {
    auto e = cf::parse_endpoint(*f.admin, 0);
    if (!e) return error(errc::parse, "--admin: " + e.error().message);
    c.admin_enabled = true;
    c.admin_address = e->first;
    c.admin_port = e->second;
  }
  if (!f.allow.empty()) {
    c.allowed_clients.clear();
    for (const auto& a : f.allow) {
      auto n = wpadkit::cidr::parse(a);
      if (!n) return error(errc::parse, "--allow: " + n.error().message);
      c.allowed_clients.push_back(*n);
    }
  }
  if (!f.connect_ports.empty()) {
    c.connect_ports.clear();
    for (const auto& p : f.connect_ports) {
      if (p == "any") continue;
      auto e = cf::parse_endpoint("0.0.0.0:" + p, 0);
      if (!e || e->second == 0)
        return error(errc::parse, "--connect-port '" + p + "' is not a port or 'any'");
      c.connect_ports.push_back(e->second);
    }
  }
  return {};
}

result<void> apply_deadlines(const proxy_flags& f, fwd::proxy_config& c) {
  const std::tuple<const std::optional<long>&, milliseconds*, const char*> ms_flags[] = {
      {f.connect_timeout_ms, &c.connect_timeout, "--connect-timeout"},
      {f.upstream_timeout_ms, &c.upstream_timeout, "--upstream-timeout"},
      {f.response_head_timeout_ms, &c.response_head_timeout, "--response-head-timeout"},
      {f.head_timeout_ms, &c.client_head_timeout, "--head-timeout"}};
  for (const auto& [value, field, flag] : ms_flags) {
    if (!value) continue;
    WPADKIT_TRY(ms, millis_flag(*value, flag));
    *field = ms;
  }
  if (f.bad_proxy_retry_s) {
    WPADKIT_TRY(ms, seconds_flag(*f.bad_proxy_retry_s, "--bad-proxy-retry"));
    c.bad_proxy_retry = ms;
  }
  if (f.no_pac_wait_s) {
    WPADKIT_TRY(ms, seconds_flag(*f.no_pac_wait_s, "--no-pac-wait"));
    c.no_pac_wait = ms;
  }
  return {};
}

result<void> apply_source(const proxy_flags& f, proxy_settings& s) {
  // Either flag replaces the file's choice of source: --route over a file's pac.source is a route.
  if (f.pac || f.route) {
    s.pac = f.pac.value_or("");
    s.route = f.route.value_or("");
  }
  if (f.pac_threads) {
    if (*f.pac_threads == 0)
      return error(errc::parse, "--pac-threads 0: at least one thread is needed");
    s.pac_threads = *f.pac_threads;
  }
  if (f.refetch_s) {
    WPADKIT_TRY(ms, seconds_flag(*f.refetch_s, "--refetch"));
    if (ms < milliseconds(100)) return error(errc::parse, "--refetch: at least 0.1 seconds");
    s.refetch = ms;
  }
  if (f.no_pac) {
    auto p = parse_no_pac(*f.no_pac);
    if (!p) return error(errc::parse, "--no-pac " + p.error().message);
    s.proxy.config.when_no_pac = *p;
  }
  if (f.no_inline_pac) s.proxy.config.inline_pac = false;
  return {};
}

result<void> apply_auth(const proxy_flags& f, proxy_settings& s) {
  if (f.users) {
    s.proxy.users_file = *f.users;
    s.proxy.users_origin = "--users";
  }
  if (f.realm) s.proxy.config.auth_realm = *f.realm;
  using kind = cf::secret_source::kind;
  const std::tuple<const std::vector<std::string>&, kind, const char*> auth_flags[] = {
      {f.upstream_auth, kind::literal, "--upstream-auth"},
      {f.upstream_auth_file, kind::file, "--upstream-auth-file"},
      {f.upstream_auth_env, kind::env, "--upstream-auth-env"}};
  bool replaced = false;
  for (const auto& [values, from, flag] : auth_flags) {
    for (const auto& v : values) {
      if (!replaced) s.proxy.upstream_auth.clear();
      replaced = true;
      WPADKIT_TRY(e, cf::parse_upstream_auth_flag(v, from, flag));
      s.proxy.upstream_auth.push_back(std::move(e));
    }
  }
  for (const auto& v : f.upstream_auth_scheme) {
    if (auto ok =
            cf::apply_upstream_scheme_flag(v, s.proxy.upstream_auth, "--upstream-auth-scheme");
        !ok) {
      return ok;
    }
  }
  return {};
}

}  // namespace

result<void> apply_flags(const proxy_flags& f, proxy_settings& s) {
  auto& c = s.proxy.config;
  if (auto ok = apply_listeners(f, c); !ok) return ok;
  if (auto ok = apply_deadlines(f, c); !ok) return ok;
  if (auto ok = apply_source(f, s); !ok) return ok;
  if (auto ok = apply_auth(f, s); !ok) return ok;
  if (f.via) c.via_name = *f.via;
  if (f.trace) c.trace_enabled = true;
  if (f.threads) c.threads = *f.threads;
  if (f.access_log) s.proxy.access_log = *f.access_log;
  if (f.https_proxy_ca) s.proxy.config.https_proxy_ca_file = *f.https_proxy_ca;
  if (f.log_format) {
    if (*f.log_format != "text" && *f.log_format != "json") {
      return error(errc::parse, "--log-format '" + *f.log_format + "': expected text or json");
    }
    s.proxy.log_format = *f.log_format == "json" ? fwd::log_format::json : fwd::log_format::text;
  }
  return {};
}

result<void> check_settings(const proxy_settings& s) {
  if (s.pac.empty() == s.route.empty()) {
    return error(
        errc::config,
        "give exactly one of --pac FILE|URL|auto and --route LIST (or pac.source / pac.route "
        "in the --config file)");
  }
  return fwd::validate_config(s.proxy.config);
}

}  // namespace pactool
