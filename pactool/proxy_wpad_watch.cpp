#include "pactool/proxy_wpad_watch.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>

#include <algorithm>
#include <iostream>

#include "pactool/output.hpp"
#include "pactool/pac_source.hpp"
#include "proxycore/dns/ares_resolver.hpp"
#include "proxycore/wpad/dhcp_source.hpp"
#include "proxycore/wpad/lease_files.hpp"

namespace pactool {
namespace {

namespace wpad = wpadkit::wpad;
using namespace std::chrono_literals;

// Shorter waits than `pactool discover`'s: discovery delays nothing but a SIGTERM that arrives
// while it runs (the destructor waits for it), so keep its worst case to a few seconds.
std::unique_ptr<wpad::dhcp_source> make_dhcp_source() {
  std::vector<std::unique_ptr<wpad::dhcp_source>> sources;
  wpad::dhcp_inform_options inform;
  inform.attempts = 2;
  inform.first_timeout = 500ms;
  inform.max_timeout = 1000ms;
  sources.push_back(std::make_unique<wpad::dhcp_inform_source>(inform));
  sources.push_back(std::make_unique<wpad::dhcp_lease_source>("/"));
  return std::make_unique<wpad::dhcp_source_chain>(std::move(sources));
}

// One discovery, with seams of its own (the decider caches answers: a new run must ask again).
wpad::discovery run_discovery(const engine_setup& setup,
                              std::shared_ptr<const wpad::public_suffixes> suffixes) {
  auto resolver = wpadkit::dns::ares_resolver::create(wpadkit::dns::resolver_options{});
  if (!resolver) {
    wpad::discovery d;
    d.warnings.push_back("no DNS resolver: " + resolver.error().to_string());
    return d;
  }
  wpad::ares_wpad_dns dns(std::shared_ptr<wpadkit::dns::ares_resolver>(std::move(*resolver)));
  wpad::fetch_options fopt;
  fopt.total_timeout = 5000ms;
  fopt.max_bytes = setup.options.max_pac_bytes;
  wpad::http_pac_fetcher fetcher(fopt);
  auto dhcp = make_dhcp_source();
  auto check = [&setup](const std::string& text, const std::string& url) -> wpadkit::result<void> {
    auto engine = load_engine(pac_text{text, url}, setup, setup.settings);
    if (!engine) return engine.error();
    return {};
  };
  wpad::wpad_decider decider(
      dhcp.get(), dns, fetcher, [&](std::string_view d) { return suffixes->is_public_suffix(d); },
      check);
  return decider.run(wpad::decider_options{});
}

}  // namespace

std::string describe_discovery(const wpad::discovery& d) {
  if (!d.found.empty()) {
    const auto& f = d.found.front();
    return "WPAD found " + f.url + " by " +
           (f.method == wpad::discovery_method::dhcp ? "DHCP" : "DNS") + " (" + f.how + ")";
  }
  std::string tried;
  for (const auto& s : d.steps) {
    if (s.outcome == "skipped") continue;
    tried += (tried.empty() ? "" : "; ") + s.method + " " + s.target + ": " + s.outcome +
             (s.detail.empty() ? "" : " (" + s.detail + ")");
  }
  return std::string("WPAD found no PAC") +
         (d.located_unusable ? ": a PAC was located but none is usable" : "") + " (" +
         (tried.empty() ? "nothing to try" : tried) + ")";
}

std::vector<std::string> local_addresses() {
  std::vector<std::string> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  for (auto* a = list; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || (a->ifa_flags & IFF_LOOPBACK) || !(a->ifa_flags & IFF_UP)) continue;
    char text[INET6_ADDRSTRLEN] = {};
    const auto family = a->ifa_addr->sa_family;
    if (family == AF_INET) {
      ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(a->ifa_addr)->sin_addr, text, sizeof text);
    } else if (family == AF_INET6) {
      ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(a->ifa_addr)->sin6_addr, text,
                  sizeof text);
    } else {
      continue;
    }
    out.push_back(std::string(a->ifa_name) + " " + text);
  }
  ::freeifaddrs(list);
  std::sort(out.begin(), out.end());
  return out;
}

std::string wpad_watch::every() const {
  const auto ms = refetch_.count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

wpadkit::result<std::unique_ptr<wpad_watch>> wpad_watch::create(
    wpadkit::forward::pac_decisions& decisions, engine_setup setup,
    std::chrono::milliseconds refetch) {
  auto psl = wpad::public_suffixes::load();
  if (!psl) return psl.error();
  return std::unique_ptr<wpad_watch>(
      new wpad_watch(decisions, std::move(setup), refetch, std::move(*psl)));
}

wpad_watch::wpad_watch(wpadkit::forward::pac_decisions& decisions, engine_setup setup,
                       std::chrono::milliseconds refetch, wpad::public_suffixes suffixes)
    : decisions_(decisions),
      setup_(std::move(setup)),
      refetch_(refetch),
      suffixes_(std::make_shared<const wpad::public_suffixes>(std::move(suffixes))) {}

wpad_watch::~wpad_watch() {
  if (running_.valid()) running_.wait();
}

bool wpad_watch::start() {
  addresses_ = local_addresses();
  discover();
  return false;
}

void wpad_watch::notice_address_change() {
  auto now = local_addresses();
  if (now == addresses_) return;
  addresses_ = std::move(now);
  std::string list;
  for (const auto& a : addresses_) list += (list.empty() ? "" : ", ") + a;
  std::cerr << "pactool proxy: the local addresses changed (" << (list.empty() ? "none" : list)
            << "): discovering the PAC URL again" << std::endl;
  network_changed_ = true;
  if (running_.valid()) {
    rediscover_ = true;  // its answer is of the network before: ask again once it is in
  } else {
    discover();
  }
}

void wpad_watch::reload() {
  if (found_) std::cerr << "pactool proxy: SIGHUP: discovering the PAC URL again" << std::endl;
  discover();
}

void wpad_watch::discover() {
  if (running_.valid()) return;  // one at a time; the running one answers
  std::cerr << "pactool proxy: discovering the PAC URL by WPAD (DHCP, then DNS)" << std::endl;
  running_ = std::async(std::launch::async, [setup = setup_, suffixes = suffixes_] {
    return run_discovery(setup, suffixes);
  });
}

void wpad_watch::tick() {
  notice_address_change();
  if (running_.valid() && running_.wait_for(0s) == std::future_status::ready) {
    auto d = running_.get();
    if (rediscover_) {
      rediscover_ = false;
      discover();
    } else {
      take(d);
    }
  }
  if (found_) {
    found_->tick();
  } else if (!running_.valid() && std::chrono::steady_clock::now() >= next_discovery_) {
    discover();
  }
}

void wpad_watch::take(const wpad::discovery& d) {
  for (const auto& w : d.warnings) std::cerr << "pactool proxy: WPAD warning: " << w << std::endl;
  if (d.found.empty()) {
    next_discovery_ = std::chrono::steady_clock::now() + refetch_;
    if (found_ && network_changed_) {
      std::cerr << "pactool proxy: " << describe_discovery(d) << "; the network changed: unloaded the PAC from "
                << found_->url() << ", the no-PAC policy applies; discovering again in " << every()
                << std::endl;
      found_.reset();
      decisions_.unload();
      network_changed_ = false;
      return;
    }
    std::cerr << "pactool proxy: " << describe_discovery(d)
              << (found_ ? "; keeping the PAC from " + found_->url()
                         : "; the no-PAC policy applies; discovering again in " + every())
              << std::endl;
    return;
  }
  network_changed_ = false;
  std::cerr << "pactool proxy: " << describe_discovery(d) << std::endl;
  const auto& f = d.found.front();
  if (!found_ || found_->url() != f.url) {
    found_.emplace(f.url, decisions_, setup_.options.max_pac_bytes, refetch_);
  }
  found_->adopt(f.fetch);
}

}  // namespace pactool
