#pragma once
// pac::environment — everything a PAC script can observe from outside: DNS, the clock, the time zone,
// and the machine's own addresses. Each is injectable so that tests and `pactool --dns/--now/--my-ip`
// pin exactly what the script sees.
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "proxycore/dns/host_resolver.hpp"

namespace wpadkit::pac {

// The instant the script sees as "now". Time zone handling is the process's (TZ / localtime_r),
// except for the "GMT" argument forms of the *Range helpers, which use UTC.
class clock {
 public:
  virtual ~clock() = default;
  virtual std::chrono::system_clock::time_point now() const = 0;
};

// The machine's own addresses, as myIpAddress / myIpAddressEx report them.
class local_addresses {
 public:
  virtual ~local_addresses() = default;
  // In preference order. Empty means "none known": myIpAddress() then returns "127.0.0.1".
  virtual std::vector<dns::address> addresses() const = 0;
};

struct environment {
  std::shared_ptr<dns::host_resolver> resolver;  // required
  std::shared_ptr<const clock> time;             // null: the real system clock
  std::shared_ptr<const local_addresses> local;  // null: probe routes the way Chromium does
};

// A clock fixed at one instant (`--now`).
std::shared_ptr<const clock> fixed_clock(std::chrono::system_clock::time_point at);
// The real system clock.
std::shared_ptr<const clock> system_clock();
// A fixed address list (`--my-ip`, possibly empty for `--my-ip none`).
std::shared_ptr<const local_addresses> fixed_local_addresses(std::vector<dns::address> addrs);
// Chromium's probe: UDP connect() (no packet sent) towards public v4 and v6 addresses to learn the
// source address the routing table picks, skipping loopback and link-local; then the host name's
// addresses. Never opens a real connection.
std::shared_ptr<const local_addresses> probed_local_addresses(std::shared_ptr<dns::host_resolver> resolver);

}  // namespace wpadkit::pac
