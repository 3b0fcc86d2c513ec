#pragma once
// proxy_settings — everything `pactool proxy` runs with, from its TOML file (--config) and its
// flags; a flag given on the command line overrides the file's value (a repeatable flag replaces
// the file's whole list).
//
// The file has three sections:
//   [proxy]  the forwarding proxy itself: the keys pacserver's [proxy] takes too, read by the one
//            shared reader (configfile/proxy_section.hpp)
//   [pac]    where routes come from (pactool only):
//              source = "FILE" | "http(s)://URL" | "auto"   (FILE relative to the settings file)
//              route = "PROXY p:3128; DIRECT"               (a fixed list instead of a source)
//              threads (PAC evaluation threads, default 2), refetch_ms (default 300000),
//              no_pac = "wait" | "direct" | "refuse", no_pac_wait_ms (default 10000),
//              decision_cache, decision_cache_entries: accepted from older files and ignored,
//                with a notice (every request evaluates the PAC: forward/pac_decisions.hpp),
//              decision_timeout_ms (default 5000: waiting for a PAC answer, then 502),
//              inline_evaluation (default true: calls that need no DNS run on the I/O thread)
//   [dns]    offline = bool; hosts = { "name" = "IP" | ["IP", ...] }: names the PAC engine and
//            the proxy resolve from this table first (with offline, only from it)
// examples/pactool-proxy.toml documents every key.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "configfile/proxy_section.hpp"
#include "proxycore/base/error.hpp"

namespace pactool {

struct proxy_settings {
  // .config also holds the [pac] keys that are proxy_config fields (no_pac, inline_evaluation).
  wpadkit::configfile::proxy_section proxy;
  std::string pac;    // file, URL or "auto"; empty with a route
  std::string route;  // fixed list; empty with a PAC source
  unsigned pac_threads = 2;
  std::chrono::milliseconds refetch{300000};
  bool offline = false;
  std::vector<std::string> dns;  // "NAME=IP", as --dns takes them
  // "file:line: ..." for keys that are accepted but do nothing any more; printed at start.
  std::vector<std::string> notices;
};

// The command line; unset members leave the file's value (or the default) alone.
struct proxy_flags {
  std::string config;
  std::optional<std::string> pac, route, listen, admin, via, no_pac, access_log, log_format;
  std::vector<std::string> allow, connect_ports;
  bool trace = false;
  bool no_decision_cache = false;  // accepted from older command lines; does nothing
  bool no_inline_pac = false;
  std::optional<unsigned> threads, pac_threads;
  std::optional<double> no_pac_wait_s, bad_proxy_retry_s, refetch_s;
  std::optional<long> connect_timeout_ms, upstream_timeout_ms, head_timeout_ms,
      response_head_timeout_ms;
  std::optional<std::string> users, realm, https_proxy_ca;
  // --upstream-auth, --upstream-auth-file, --upstream-auth-env (configfile/credentials.hpp)
  std::vector<std::string> upstream_auth, upstream_auth_file, upstream_auth_env;
  // --upstream-auth-scheme HOST:PORT=basic|ntlm, for the entry of that proxy (from the flags or
  // file)
  std::vector<std::string> upstream_auth_scheme;
};

// Parses a pactool proxy file's text. `file` names it in errors; relative paths are taken against
// `base_dir`. Errors: errc::parse (TOML syntax, file:line:column), errc::config (file:line and the
// dotted key: an unknown key, a wrong type, a bad value).
wpadkit::result<proxy_settings> parse_proxy_file(std::string_view text, const std::string& file,
                                                 const std::filesystem::path& base_dir);

// Reads and parses a file. Errors: errc::io naming it, and those of parse_proxy_file.
wpadkit::result<proxy_settings> load_proxy_file(const std::filesystem::path& path);

// Lays the flags given over `s`. Any --upstream-auth* flag replaces the file's whole upstream_auth
// list. Reads no file (see load_credentials). Errors: errc::parse naming the flag and its value.
wpadkit::result<void> apply_flags(const proxy_flags& flags, proxy_settings& s);

// The final checks on the merged settings: exactly one of a PAC source and a route, and what
// forward::validate_config requires. Errors: errc::config / errc::parse saying what to give.
wpadkit::result<void> check_settings(const proxy_settings& s);

}  // namespace pactool
