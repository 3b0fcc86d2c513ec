#pragma once
// configfile::proxy_section — the [proxy] section of a TOML file: everything a person sets on the
// forwarding proxy (forward::proxy_config) plus the access log. ONE reader for both programs:
// `pactool proxy --config FILE` and pacserver's bundled proxy accept the same keys, with the same
// meaning and the same errors (file:line and the dotted key). Where routes come from (a PAC, WPAD,
// a fixed list) is not part of it: that is pactool's [pac] section; pacserver routes DIRECT.
//
// Keys (every duration ends in _ms, in milliseconds, as in the rest of pacserver's file):
//   listen = "ADDR:PORT"              default 127.0.0.1:3128 (port 0: any free port)
//   admin = "ADDR:PORT"               admin listener serving /metrics (off when absent)
//   allowed_clients = ["NET/LEN",...] clients allowed to use the proxy (not empty; default:
//                                      loopback, or for pacserver its [server] allowed_clients)
//   via = "NAME"                      our Via name (one token)
//   trace = bool                      allow TRACE (default false)
//   connect_ports = [443, 563] | "any"
//   threads = N                       I/O threads (0: one per core; pactool proxy: one per core but one)
//   header_limit = BYTES              largest request/response head (1024 .. 1048576)
//   body_limit = BYTES                largest request body (0 .. 2^50; default 64 GiB): a longer
//                                      Content-Length gets 413; 0 refuses every request body
//   relay_buffer = BYTES              bytes in flight per direction of a relayed body or tunnel
//                                      (512 .. 16777216; default 16384)
//   head_timeout_ms, idle_timeout_ms, connect_timeout_ms, upstream_timeout_ms,
//   tunnel_idle_timeout_ms, shutdown_grace_ms
//   response_head_timeout_ms          a hop with another after it must begin its answer within this,
//                                      or the next hop is tried (default 10000; proxy_config.hpp)
//   bad_proxy_retry_ms                how long a failed proxy stays last in lists (0 .. 1 day)
//   pool_max_idle_per_hop, pool_idle_timeout_ms
//   access_log = "PATH" | "-"         "-" is stderr; a relative path is relative to the file
//   log_format = "text" | "json"
//   https_proxy_ca_file = "PATH"      extra CA certificates (PEM) trusted for HTTPS proxies
//   users_file = "PATH"               clients must authenticate (Basic) as a user of this
//                                      htpasswd-style file (forward/proxy_auth.hpp); else none
//   realm = "TEXT"                    the realm of the 407 challenge (default "wpadkit")
//   upstream_auth = [{ proxy = "HOST:PORT", user = "U", password | password_file | password_env }]
//                                      Basic credentials we present to that upstream proxy
//                                      (configfile/credentials.hpp says why a file or a variable)
// The examples/pactool-proxy.toml file documents each key with its default.
#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "configfile/credentials.hpp"
#include "configfile/toml_reader.hpp"
#include "proxycore/base/error.hpp"
#include "proxycore/forward/access_log.hpp"
#include "proxycore/forward/proxy_config.hpp"

namespace wpadkit::configfile {

struct proxy_section {
  forward::proxy_config config;  // users and upstream_auth are filled by load_credentials()
  std::string access_log;        // empty: none; "-": stderr; otherwise a file appended to
  forward::log_format log_format = forward::log_format::text;
  std::string users_file;    // empty: no client authentication
  std::string users_origin;  // where users_file was given ("p.toml:7", "--users")
  std::vector<upstream_auth_entry> upstream_auth;
};

// The keys read_proxy_section understands (a caller adds its own to the list it accepts).
const std::vector<std::string_view>& proxy_section_keys();

// Reads the shared keys of table `t` (named `where`, e.g. "proxy") into `out`, leaving absent keys
// as they are. Keys outside proxy_section_keys() and `own_keys` are errors; `own_keys` are the
// caller's to read. Relative paths are taken against `base_dir`.
// Errors: errc::config at file:line naming "where.key".
result<void> read_proxy_section(const toml_reader& r, const toml::table& t,
                                const std::string& where, const std::filesystem::path& base_dir,
                                proxy_section& out,
                                const std::vector<std::string_view>& own_keys = {});

// Reads the users file and the upstream passwords the section names into config.users and
// config.upstream_auth. Errors: those of configfile::load_users and resolve_upstream_auth, naming
// where each was given.
result<void> load_credentials(proxy_section& s);

// "ADDR:PORT", "[V6]:PORT" or a bare address (then `default_port`). Errors: errc::parse naming the
// text and what is wrong.
result<std::pair<boost::asio::ip::address, std::uint16_t>> parse_endpoint(
    std::string_view text, std::uint16_t default_port);

}  // namespace wpadkit::configfile
