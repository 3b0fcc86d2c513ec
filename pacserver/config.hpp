#pragma once
// server_config: pacserver's validated configuration, read from TOML (toml++). Every entry keeps
// the place it came from (file:line) so that a problem found later — a failing render, a golden
// case that does not hold — is reported against the line an administrator has to edit.
//
// The file format is documented entry by entry in examples/pacserver.toml; the built-in default is
// embedded_config.cpp. Outline:
//   [server]    listen, public_url, cache_control, access_log, allowed_clients, trusted_proxies,
//               templates_dir, watch, watch_interval_ms, default_variant
//   [limits]    max_pac_bytes, read_timeout_ms, write_timeout_ms, keep_alive_requests,
//               keep_alive_timeout_ms, threads, max_request_bytes, max_head_bytes,
//               max_header_fields, max_line_bytes, max_connections
//   [proxy]     the bundled forwarding proxy: enabled, and every key of the shared [proxy] section
//               (configfile/proxy_section.hpp: listen, admin, allowed_clients, via, deadlines...)
//   [[proxies]] name, address ("host:port"), type (PROXY, HTTPS, SOCKS, SOCKS4, SOCKS5)
//   [rulesets.NAME]  direct_plain_hostnames, direct_domains, direct_networks, default, pool,
//                    [[rulesets.NAME.routes]] domains, networks, via
//   [[variants]] name, template, ruleset, match_clients, match_hosts, match_user_agents,
//                [[variants.cases]] url, host (optional), expect
//   [validation] smoke_urls, dns = { name = "ip" }
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "configfile/proxy_section.hpp"
#include "proxycore/model/cidr.hpp"
#include "proxycore/base/error.hpp"

namespace wpadkit::pacserver {

// Where an entry came from: "examples/pacserver.toml:12", and its dotted key
// ("rulesets.corp.default").
struct source_ref {
  std::string file;
  int line = 0;
  std::string key;

  std::string place() const { return line > 0 ? file + ":" + std::to_string(line) : file; }
};

struct listen_address {
  std::string host;  // without brackets: "0.0.0.0", "::", "127.0.0.1"
  int port = 0;      // 0: any free port (tests)

  std::string to_string() const;  // "127.0.0.1:8080", "[::]:8080"
};

// Parses "ADDR:PORT" / "[V6]:PORT". Errors: errc::parse.
result<listen_address> parse_listen_address(std::string_view text);

struct proxy_entry {
  std::string name;
  std::string pac_type;  // canonical PAC token: PROXY, HTTPS, SOCKS, SOCKS4, SOCKS5
  std::string address;   // host:port
  source_ref source;

  std::string pac() const { return pac_type + " " + address; }  // "PROXY p1.corp:3128"
};

struct route {
  std::vector<std::string>
      domains;  // ".corp.example" (suffix), "host.example" (exact), "*.x" (shExp)
  std::vector<cidr> networks;
  std::vector<std::string> via;  // proxy names or "DIRECT"
  source_ref source;
};

struct ruleset {
  std::string name;
  bool direct_plain_hostnames = true;
  std::vector<std::string> direct_domains;
  std::vector<cidr> direct_networks;
  std::vector<route> routes;
  std::vector<std::string> default_chain;  // proxy names or "DIRECT"; empty → ["DIRECT"]
  std::vector<std::string> pool;           // load-balanced template: the hashed proxy array
  source_ref source;
};

struct golden_case {
  std::string url;
  std::string host;    // empty: taken from the URL
  std::string expect;  // exact FindProxyForURL result
  source_ref source;
};

struct variant {
  std::string name;
  std::string template_name;  // corporate, split-tunnel, load-balanced, bundled-proxy, sinkhole
  std::string ruleset_name;
  std::vector<cidr> match_clients;
  std::vector<std::string> match_hosts;        // Host header, case-insensitive, port ignored
  std::vector<std::string> match_user_agents;  // substrings, case-sensitive
  std::vector<golden_case> cases;
  source_ref source;

  bool matches_everyone() const {
    return match_clients.empty() && match_hosts.empty() && match_user_agents.empty();
  }
};

struct limits_config {
  std::size_t max_pac_bytes = 256 * 1024;  // hosted-PAC limit: browsers take 1 MiB, many tools less
  std::chrono::milliseconds read_timeout{5000};
  std::chrono::milliseconds write_timeout{5000};
  std::chrono::milliseconds keep_alive_timeout{5000};
  std::size_t keep_alive_requests = 1000;
  std::size_t threads = 8;
  std::size_t max_request_bytes = 8 * 1024;  // request body (PAC requests have none): 413 beyond
  // The request head (http_server.hpp). A WPAD request is a few hundred bytes: Chrome's PAC fetch
  // is a request-line and ~6 fields, WinHTTP's fewer; a reverse proxy in front adds a few
  // X-Forwarded-* lines. 8 KiB is 20x that (and nginx's and Beast's default); a client over it
  // is not fetching a PAC.
  std::size_t max_head_bytes = 8 * 1024;  // request-line + fields: 431 beyond
  std::size_t max_header_fields = 64;     // field lines: 431 beyond
  std::size_t max_line_bytes = 4096;      // the request-line (414) or one field line (431)
  // Open client connections over all listen addresses; at the limit new ones wait in the backlog
  // (not refused) until one closes. Each costs at most ~max_head_bytes plus a few KiB while it
  // waits for a head, so the default bounds that memory to a few MB; a WPAD fetch holds a
  // connection for a millisecond, so even a large LAN booting at once stays far below it.
  std::size_t max_connections = 512;
};

struct bundled_proxy_config {
  bool enabled = false;  // on when the config has a [proxy] section (the built-in default has one)
  // proxy.listen (or --proxy-listen): where the proxy listens and what the bundled-proxy PAC names.
  listen_address listen{"127.0.0.1", 3128};
  // Every other [proxy] key, read by the reader pactool proxy --config shares. Its allowed_clients
  // empty means "not given": the proxy then serves [server] allowed_clients and loopback.
  configfile::proxy_section settings;
  source_ref source;
};

struct server_config {
  std::string file;  // the config file ("<built-in>" for the embedded default)
  std::vector<listen_address> listen;
  std::string public_url;  // the URL clients are told (snippets, banner); may be empty
  std::string cache_control = "max-age=300";
  std::string access_log = "-";  // "-" stdout, "off", or a file (relative: to the config's folder)
  source_ref access_log_source;  // where server.access_log was given (empty: the default "-")
  std::vector<cidr> allowed_clients;
  std::vector<cidr> trusted_proxies;
  std::filesystem::path templates_dir;  // empty: the templates built into the binary
  bool watch = true;
  std::chrono::milliseconds watch_interval{1000};
  std::string default_variant;
  limits_config limits;
  bundled_proxy_config proxy;
  std::vector<proxy_entry> proxies;
  std::map<std::string, ruleset> rulesets;
  std::vector<variant> variants;
  std::vector<std::string> smoke_urls;
  std::map<std::string, std::vector<ip_address>> validation_dns;

  const proxy_entry* find_proxy(std::string_view name) const;
  const variant* find_variant(std::string_view name) const;
  const ruleset& ruleset_of(const variant& v) const { return rulesets.at(v.ruleset_name); }
};

// The internal ranges allowed by default (RFC 1918, loopback, link-local, ULA).
std::vector<cidr> default_allowed_clients();

// Parses and validates config text. `file` names it in errors and source refs; relative paths in it
// (templates_dir, access logs, [proxy] files) are taken relative to `base_dir`. Errors: errc::parse (TOML syntax, with line and
// column) and errc::config (a valid TOML file with a bad entry, with its line).
result<server_config> parse_config(std::string_view text, std::string file,
                                   const std::filesystem::path& base_dir);

// Reads and parses a config file. Errors: errc::io, and those of parse_config.
result<server_config> load_config(const std::filesystem::path& path);

}  // namespace wpadkit::pacserver
