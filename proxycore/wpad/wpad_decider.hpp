#pragma once
// wpad_decider: WPAD discovery as an explicit state machine, after Chromium's PacFileDecider
// (net/proxy_resolution/pac_file_decider.cc, DoLoop): DHCP option 252 first, then DNS candidates in
// the client's order; each located URL is fetched (pac_fetcher rules) and, when a checker is given,
// compiled; the first usable PAC wins (as the WPAD draft and Windows do). With `try_all`, every
// method and candidate is tried and each success reported.
//
// Every network seam is injected: the DHCP source, the DNS, the fetcher, the public-suffix test and
// the PAC checker. Nothing is read from the environment. Results of DHCP, DNS and fetches are cached
// in the decider, so running it for several clients (`--client all`) asks each question once.
//
// Warnings raised (each also names where):
//   - option 252 malformed (rejected) or tolerated oddities (trailing newline, data after a NUL);
//   - a wpad name answering with a public address (outside the organisation's networks);
//   - a wpad name directly under a public suffix (the name-collision hole) that answered;
//   - a PAC served over plain http from a public address.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proxycore/wpad/dhcp_source.hpp"
#include "proxycore/wpad/dns_candidates.hpp"
#include "proxycore/wpad/pac_fetcher.hpp"
#include "proxycore/wpad/wpad_dns.hpp"

namespace wpadkit::wpad {

enum class discovery_method { dhcp, dns };

// "dhcp,dns" → methods, order kept. Errors: errc::parse naming the unknown method.
result<std::vector<discovery_method>> parse_methods(std::string_view text);
const char* method_name(discovery_method m) noexcept;

struct decider_options {
  std::vector<discovery_method> methods{discovery_method::dhcp, discovery_method::dns};
  client_kind client = client_kind::standard;
  std::string primary_suffix;  // empty: the first search domain
  bool try_all = false;
};

struct discovery_step {
  std::string method;   // "dhcp", "dns", "soa", "fetch", "check"
  std::string target;   // an interface or lease file, a DNS name, a URL
  std::string outcome;  // "found", "none", "error", "skipped", "rejected", "stop", "ok"
  std::string detail;   // one line
  std::chrono::milliseconds elapsed{0};
};

struct discovered_pac {
  std::string url;
  discovery_method method{};
  std::string how;  // "option 252 from DHCPINFORM on eth0 (server 10.0.0.1)", "DNS wpad.corp → 10.0.0.1"
  fetch_result fetch;
};

struct discovery {
  client_kind client{};
  std::string primary_suffix;
  std::vector<discovered_pac> found;  // the first is the answer; more only with try_all
  bool located_unusable = false;      // some URL was located but its PAC was unusable
  std::vector<discovery_step> steps;
  std::vector<std::string> warnings;
};

// Validates a fetched PAC (e.g. loads it in the engine). Errors are reported as the check step.
using pac_check = std::function<result<void>(const std::string& pac_text, const std::string& url)>;

class wpad_decider {
 public:
  // `dhcp` and `check` may be null (no DHCP source; no compile check). All borrowed objects must
  // outlive the decider.
  wpad_decider(dhcp_source* dhcp, wpad_dns& dns, pac_fetcher& fetcher,
               public_suffix_test is_public_suffix, pac_check check = {});

  // Runs discovery for one client. Blocks for the sum of the seams' deadlines at most.
  discovery run(const decider_options& options);

 private:
  enum class state { start, dhcp_query, dhcp_next, dns_plan, dns_next, dns_soa, dns_resolve, fetch,
                     done };
  struct context;

  state next_method(context& c);
  state do_dhcp_query(context& c);
  state do_dhcp_next(context& c);
  state do_dns_plan(context& c);
  state do_dns_next(context& c);
  state do_dns_soa(context& c);
  state do_dns_resolve(context& c);
  state do_fetch(context& c);
  void warn_plain_http(context& c, const std::string& url, const std::vector<dns::address>& addrs);

  struct resolved {
    result<wpad_dns::search_answer> answer = error(errc::dns_failure);
    std::chrono::milliseconds elapsed{0};
  };
  const resolved& resolve(const std::string& host, bool search);

  dhcp_source* dhcp_;
  wpad_dns& dns_;
  pac_fetcher& fetcher_;
  public_suffix_test is_public_suffix_;
  pac_check check_;
  std::optional<std::vector<dhcp_lookup>> dhcp_cache_;
  std::map<std::string, resolved> dns_cache_;
  std::map<std::string, result<bool>> soa_cache_;
  std::map<std::string, result<fetch_result>> fetch_cache_;
};

// Whether an address is outside private, loopback, link-local and shared (CGNAT) ranges.
bool is_public_address(const dns::address& a);

}  // namespace wpadkit::wpad
