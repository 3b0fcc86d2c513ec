#pragma once
// proxy_wpad_watch — `pactool proxy --pac auto`: the PAC URL found by WPAD (wpad::wpad_decider:
// DHCP option 252 by DHCPINFORM and the lease files, then DNS wpad names, as `pactool discover`
// with the standard client), then used exactly like a --pac URL (url_watch: re-fetched every
// refetch interval with validators, the last good PAC kept on failure).
//
// Discovery blocks for seconds (DHCP waits, DNS, fetches), so it runs on a thread of its own while
// the proxy serves (the no-PAC policy applies until a PAC is found); tick() picks up its answer.
// It runs at start, on SIGHUP (reload()), every refetch interval while nothing was found, and when
// the machine's addresses change (checked every tick: a laptop that moved to another network, as
// Chrome re-runs WPAD on an IP address change). A rediscovery on SIGHUP or on schedule that finds
// nothing keeps the PAC found before (a WPAD server briefly down must not drop it); one after an
// address change that finds nothing unloads it, so the no-PAC policy applies (`--no-pac direct` is
// Chrome's behaviour): the PAC of a network we left must not route the traffic of the next one.
// Each outcome is one line on stderr: the URL and how it was found (DHCP or DNS, and from where), or
// that nothing was.
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pactool/engine_flags.hpp"
#include "pactool/proxy_pac_watch.hpp"
#include "proxycore/wpad/public_suffixes.hpp"
#include "proxycore/wpad/wpad_decider.hpp"

namespace pactool {

class wpad_watch final : public pac_watch {
 public:
  // `setup` is what a found PAC is checked with before it is taken (it must load in the engine).
  // Errors: errc::config / errc::io when no public-suffix list can be loaded.
  static wpadkit::result<std::unique_ptr<wpad_watch>> create(
      wpadkit::forward::pac_decisions& decisions, engine_setup setup,
      std::chrono::milliseconds refetch);
  // Waits for a discovery in progress (bounded by its deadlines: a few seconds).
  ~wpad_watch() override;

  bool start() override;
  bool must_load_at_start() const override { return false; }
  void reload() override;
  void tick() override;

 private:
  wpad_watch(wpadkit::forward::pac_decisions& decisions, engine_setup setup,
             std::chrono::milliseconds refetch, wpadkit::wpad::public_suffixes suffixes);
  void discover();
  void take(const wpadkit::wpad::discovery& d);
  void notice_address_change();
  std::string every() const;  // the refetch interval, for messages

  wpadkit::forward::pac_decisions& decisions_;
  engine_setup setup_;
  std::chrono::milliseconds refetch_;
  std::shared_ptr<const wpadkit::wpad::public_suffixes> suffixes_;
  std::future<wpadkit::wpad::discovery> running_;
  std::optional<url_watch> found_;
  std::chrono::steady_clock::time_point next_discovery_{};
  std::vector<std::string> addresses_;  // local_addresses() when last looked at
  bool network_changed_ = false;        // since the last discovery that found a PAC
  bool rediscover_ = false;             // the running discovery began on the network before
};

// The machine's interface addresses that can change with the network ("eth0 10.1.2.3", IPv4 and
// IPv6, loopback left out), sorted: two calls compare equal while nothing changed.
std::vector<std::string> local_addresses();

// How a discovery ended, as the one line pactool proxy prints (without its "pactool proxy: "
// prefix): "WPAD found http://wpad.corp/wpad.dat by DNS (DNS wpad.corp -> 10.0.0.1)" or "WPAD found
// no PAC
// (...)". Exposed for the tests.
std::string describe_discovery(const wpadkit::wpad::discovery& d);

}  // namespace pactool
