#pragma once
// proxy_wpad_watch — `pactool proxy --pac auto`: the PAC URL found by WPAD (wpad::wpad_decider:
// DHCP option 252 by DHCPINFORM and the lease files, then DNS wpad names, as `pactool discover`
// with the standard client), then used exactly like a --pac URL (url_watch: re-fetched every
// refetch interval with validators, the last good PAC kept on failure).
//
// Discovery blocks for seconds (DHCP waits, DNS, fetches), so it runs on a thread of its own while
// the proxy serves (the no-PAC policy applies until a PAC is found); tick() picks up its answer.
// It runs at start, on SIGHUP (reload()), and every refetch interval while nothing was found. A
// rediscovery that finds nothing keeps the PAC found before. Each outcome is one line on stderr:
// the URL and how it was found (DHCP or DNS, and from where), or that nothing was.
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>

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
  std::string every() const;  // the refetch interval, for messages

  wpadkit::forward::pac_decisions& decisions_;
  engine_setup setup_;
  std::chrono::milliseconds refetch_;
  std::shared_ptr<const wpadkit::wpad::public_suffixes> suffixes_;
  std::future<wpadkit::wpad::discovery> running_;
  std::optional<url_watch> found_;
  std::chrono::steady_clock::time_point next_discovery_{};
};

// How a discovery ended, as the one line pactool proxy prints (without its "pactool proxy: "
// prefix): "WPAD found http://wpad.corp/wpad.dat by DNS (DNS wpad.corp -> 10.0.0.1)" or "WPAD found
// no PAC
// (...)". Exposed for the tests.
std::string describe_discovery(const wpadkit::wpad::discovery& d);

}  // namespace pactool
