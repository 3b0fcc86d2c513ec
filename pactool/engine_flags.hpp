#pragma once
// engine_flags — the flags every PAC-evaluating subcommand shares, and their translation into the
// engine's pac::environment and pac::engine_options:
//
//   --offline            no real DNS: only names given with --dns (and IP literals) resolve
//   --dns NAME=IP        repeatable; a name given twice gets both addresses, in order; IPv4 or IPv6
//   --my-ip IP|none      repeatable, order kept: what myIpAddress/myIpAddressEx see; `none` = no address
//   --now ISO-8601       the instant the script sees as now ("2026-03-01T09:30:00Z",
//                        "2026-03-01T09:30:00+02:00", "2026-03-01 09:30", "2026-03-01"); without an
//                        offset the time is local (the process's TZ), as ISO 8601 says
//   --timeout MS         per-call time limit (default 1000)
//   --profile chrome|winhttp
//   --max-size BYTES     largest PAC accepted (default 1 MiB; suffixes K, M allowed)
//
// Without --offline, names not in the --dns table go to the real resolver (c-ares, behind the TTL
// cache); with it, they fail as NXDOMAIN.
#include <CLI/CLI.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proxycore/base/error.hpp"
#include "proxycore/dns/host_resolver.hpp"
#include "proxycore/pac/pac_engine.hpp"
#include "proxycore/pac/pac_environment.hpp"

namespace pactool {

struct engine_flags {
  bool offline = false;
  std::vector<std::string> dns;    // NAME=IP
  std::vector<std::string> my_ip;  // IP, or "none"
  std::string now;                 // ISO-8601, empty: the real clock
  std::optional<long> timeout_ms;
  std::string profile = "chrome";
  std::string max_size;            // bytes, empty: the default
};

// Adds the common flags to `cmd`, bound to `flags`.
void add_engine_flags(CLI::App& cmd, engine_flags& flags);

// One `--dns NAME=IP` value. Errors: errc::parse naming the value.
wpadkit::result<std::pair<std::string, wpadkit::dns::address>> parse_dns_mapping(std::string_view text);
// One ISO-8601 instant (forms in the header comment). Errors: errc::parse.
wpadkit::result<std::chrono::system_clock::time_point> parse_instant(std::string_view text);
// A size such as "1048576", "512K", "2M". Errors: errc::parse.
wpadkit::result<std::size_t> parse_size(std::string_view text);
// An IP literal, as --my-ip takes it. Errors: errc::parse.
wpadkit::result<wpadkit::dns::address> parse_address(std::string_view text);

// Overrides of the environment, as the flags or a cases file's settings give them.
struct environment_settings {
  bool offline = false;
  std::vector<std::pair<std::string, wpadkit::dns::address>> dns;
  std::optional<std::vector<wpadkit::dns::address>> my_ip;  // nullopt: probe
  std::optional<std::chrono::system_clock::time_point> now; // nullopt: real clock
};

struct engine_setup {
  environment_settings settings;
  wpadkit::pac::engine_options options;
};

// Validates every flag. Errors: errc::parse / errc::config naming the flag and its value.
wpadkit::result<engine_setup> make_engine_setup(const engine_flags& flags);

// Builds the environment the engine is given: the --dns table in front of the real resolver (or of
// nothing, offline), the clock, the local addresses.
// Errors: those of creating the c-ares resolver (errc::dns_failure, errc::config).
wpadkit::result<wpadkit::pac::environment> make_environment(const environment_settings& settings);

}  // namespace pactool
