#include "proxycore/wpad/wpad_decider.hpp"

#include <algorithm>

#include "proxycore/wpad/dhcp_message.hpp"

namespace wpadkit::wpad {
namespace {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

milliseconds since(steady::time_point t) {
  return std::chrono::duration_cast<milliseconds>(steady::now() - t);
}

std::string join_addresses(const std::vector<dns::address>& addrs) {
  std::string out;
  for (const auto& a : addrs) out += (out.empty() ? "" : ", ") + a.to_string();
  return out;
}

// The host of an absolute URL, without brackets or port.
std::string url_host(const std::string& url) {
  const auto start = url.find("://");
  if (start == std::string::npos) return {};
  std::string auth = url.substr(start + 3, url.find_first_of("/?#", start + 3) - (start + 3));
  if (!auth.empty() && auth[0] == '[') return auth.substr(1, auth.find(']') - 1);
  return auth.substr(0, auth.find(':'));
}

std::string error_findings(const fetch_result& r) {
  std::string out;
  for (const auto& f : r.findings) {
    if (f.level == fetch_finding::severity::error) out += (out.empty() ? "" : "; ") + f.message;
  }
  return out;
}

}  // namespace

bool is_public_address(const dns::address& a) {
  if (a.is_v4()) {
    const auto b = a.to_v4().to_bytes();
    if (b[0] == 10 || b[0] == 127 || b[0] == 0) return false;
    if (b[0] == 172 && (b[1] & 0xf0) == 16) return false;
    if (b[0] == 192 && b[1] == 168) return false;
    if (b[0] == 169 && b[1] == 254) return false;
    if (b[0] == 100 && (b[1] & 0xc0) == 64) return false;  // RFC 6598 shared space
    return true;
  }
  const auto v6 = a.to_v6();
  if (v6.is_loopback() || v6.is_link_local() || v6.is_unspecified()) return false;
  if ((v6.to_bytes()[0] & 0xfe) == 0xfc) return false;  // ULA fc00::/7
  if (v6.is_v4_mapped()) return is_public_address(dns::address(boost::asio::ip::make_address_v4(
                             boost::asio::ip::v4_mapped, v6)));
  return true;
}

result<std::vector<discovery_method>> parse_methods(std::string_view text) {
  std::vector<discovery_method> out;
  std::size_t at = 0;
  while (at <= text.size()) {
    const auto comma = std::min(text.find(',', at), text.size());
    const auto item = text.substr(at, comma - at);
    if (item == "dhcp") {
      out.push_back(discovery_method::dhcp);
    } else if (item == "dns") {
      out.push_back(discovery_method::dns);
    } else {
      return error(errc::parse, "unknown discovery method '" + std::string(item) +
                                    "' (expected dhcp, dns or both: dhcp,dns)");
    }
    at = comma + 1;
  }
  return out;
}

const char* method_name(discovery_method m) noexcept {
  return m == discovery_method::dhcp ? "dhcp" : "dns";
}

struct wpad_decider::context {
  explicit context(const decider_options& o) : opt(o) {}
  const decider_options& opt;
  discovery out;
  std::size_t method_index = 0;
  std::size_t dhcp_index = 0;
  candidate_plan plan;
  std::size_t dns_index = 0;
  const dns_candidate* current = nullptr;
  struct {
    std::string url;
    discovery_method method{};
    std::string how;
    std::vector<dns::address> addresses;
  } pending;
  state resume = state::start;

  void step(std::string method, std::string target, std::string outcome, std::string detail,
            milliseconds elapsed) {
    out.steps.push_back({std::move(method), std::move(target), std::move(outcome),
                         std::move(detail), elapsed});
  }
};

wpad_decider::wpad_decider(dhcp_source* dhcp, wpad_dns& dns, pac_fetcher& fetcher,
                           public_suffix_test is_public_suffix, pac_check check)
    : dhcp_(dhcp),
      dns_(dns),
      fetcher_(fetcher),
      is_public_suffix_(std::move(is_public_suffix)),
      check_(std::move(check)) {}

discovery wpad_decider::run(const decider_options& options) {
  context c(options);
  c.out.client = options.client;
  state s = state::start;
  while (s != state::done) {
    switch (s) {
      case state::start: s = next_method(c); break;
      case state::dhcp_query: s = do_dhcp_query(c); break;
      case state::dhcp_next: s = do_dhcp_next(c); break;
      case state::dns_plan: s = do_dns_plan(c); break;
      case state::dns_next: s = do_dns_next(c); break;
      case state::dns_soa: s = do_dns_soa(c); break;
      case state::dns_resolve: s = do_dns_resolve(c); break;
      case state::fetch: s = do_fetch(c); break;
      case state::done: break;
    }
  }
  return std::move(c.out);
}

wpad_decider::state wpad_decider::next_method(context& c) {
  if (c.method_index >= c.opt.methods.size()) return state::done;
  const auto m = c.opt.methods[c.method_index++];
  if (m == discovery_method::dns) return state::dns_plan;
  if (!client_uses_dhcp(c.opt.client)) {
    c.step("dhcp", "", "skipped",
           std::string(client_name(c.opt.client)) + " does not use DHCP option 252", {});
    return state::start;
  }
  if (dhcp_ == nullptr) {
    c.step("dhcp", "", "skipped", "no DHCP source configured", {});
    return state::start;
  }
  return state::dhcp_query;
}

wpad_decider::state wpad_decider::do_dhcp_query(context& c) {
  if (!dhcp_cache_) dhcp_cache_ = dhcp_->query();
  c.dhcp_index = 0;
  return state::dhcp_next;
}

wpad_decider::state wpad_decider::do_dhcp_next(context& c) {
  while (c.dhcp_index < dhcp_cache_->size()) {
    const auto& l = (*dhcp_cache_)[c.dhcp_index++];
    const std::string server = l.server.empty() ? "" : " (server " + l.server + ")";
    if (l.option252.has_error()) {
      const auto& e = l.option252.error();
      const bool where_known = e.where.empty() || l.source.find(e.where) != std::string::npos;
      c.step("dhcp", l.source, "error", where_known ? e.message : e.to_string(), l.elapsed);
      continue;
    }
    if (!l.option252.value()) {
      c.step("dhcp", l.source, "none", "answered without option 252" + server, l.elapsed);
      continue;
    }
    auto url = sanitize_wpad_option(*l.option252.value());
    if (!url) {
      c.step("dhcp", l.source, "rejected", url.error().message + server, l.elapsed);
      c.out.warnings.push_back("option 252 from " + l.source + " is malformed: " + url.error().message);
      c.out.located_unusable = true;
      continue;
    }
    for (const auto& w : url->warnings) c.out.warnings.push_back(w + " (" + l.source + ")");
    c.step("dhcp", l.source, "found", url->url + server, l.elapsed);
    c.pending = {url->url, discovery_method::dhcp, "option 252 from " + l.source + server, {}};
    c.resume = state::dhcp_next;
    return state::fetch;
  }
  return state::start;
}

wpad_decider::state wpad_decider::do_dns_plan(context& c) {
  std::string suffix = c.opt.primary_suffix;
  if (suffix.empty()) {
    const auto search = dns_.search_domains();
    if (!search.empty()) suffix = search.front();
  }
  c.out.primary_suffix = suffix;
  c.plan = dns_candidates(c.opt.client, suffix, is_public_suffix_);
  for (const auto& note : c.plan.notes) c.step("dns", "", "skipped", note, {});
  c.dns_index = 0;
  return state::dns_next;
}

wpad_decider::state wpad_decider::do_dns_next(context& c) {
  if (c.dns_index >= c.plan.candidates.size()) return state::start;
  c.current = &c.plan.candidates[c.dns_index++];
  return c.current->stop_if_soa ? state::dns_soa : state::dns_resolve;
}

wpad_decider::state wpad_decider::do_dns_soa(context& c) {
  const std::string& zone = *c.current->stop_if_soa;
  const auto start = steady::now();
  auto it = soa_cache_.find(zone);
  if (it == soa_cache_.end()) it = soa_cache_.emplace(zone, dns_.has_soa(zone)).first;
  if (it->second.has_error()) {
    // kpac's checkDomain treats a failed query as "no SOA" and walks on.
    c.step("soa", zone, "error", it->second.error().to_string() + "; walking on", since(start));
    return state::dns_resolve;
  }
  if (it->second.value()) {
    c.step("soa", zone, "stop", zone + " has an SOA record (a zone apex): the walk stops here",
           since(start));
    c.dns_index = c.plan.candidates.size();
    return state::dns_next;
  }
  c.step("soa", zone, "none", "no SOA record", since(start));
  return state::dns_resolve;
}

const wpad_decider::resolved& wpad_decider::resolve(const std::string& host, bool search) {
  const std::string key = (search ? "search:" : "abs:") + host;
  auto it = dns_cache_.find(key);
  if (it != dns_cache_.end()) return it->second;
  const auto start = steady::now();
  resolved r;
  if (search) {
    r.answer = dns_.resolve_in_search_list(host);
  } else {
    auto a = dns_.resolve_absolute(host);
    if (a) {
      r.answer = wpad_dns::search_answer{host, std::move(*a), {}};
    } else {
      r.answer = a.error();
    }
  }
  r.elapsed = since(start);
  return dns_cache_.emplace(key, std::move(r)).first->second;
}

wpad_decider::state wpad_decider::do_dns_resolve(context& c) {
  const auto& cand = *c.current;
  const auto& r = resolve(cand.host, cand.use_search_list);
  if (r.answer.has_error()) {
    const bool nx = r.answer.error().is(errc::dns_not_found);
    c.step("dns", cand.host, nx ? "none" : "error", r.answer.error().to_string(), r.elapsed);
    return state::dns_next;
  }
  const auto& a = r.answer.value();
  std::string detail = a.name + " -> " + join_addresses(a.addresses);
  if (!a.tried.empty()) {
    std::string tried;
    for (const auto& t : a.tried) tried += (tried.empty() ? "" : ", ") + t;
    detail += " (not found first: " + tried + ")";
  }
  c.step("dns", cand.host, "found", detail, r.elapsed);
  for (const auto& addr : a.addresses) {
    if (is_public_address(addr)) {
      c.out.warnings.push_back(a.name + " answered with the public address " + addr.to_string() +
                               ": a wpad answer from outside the organisation's networks");
      break;
    }
  }
  if (cand.under_public_suffix) {
    c.out.warnings.push_back(a.name + " sits directly under a public suffix: anyone can register "
                                      "it (the WPAD name-collision hole)");
  }
  c.pending = {cand.url, discovery_method::dns, "DNS " + detail, a.addresses};
  c.resume = state::dns_next;
  return state::fetch;
}

void wpad_decider::warn_plain_http(context& c, const std::string& url,
                                   const std::vector<dns::address>& known) {
  if (url.rfind("http://", 0) != 0) return;
  std::vector<dns::address> addrs = known;
  if (addrs.empty()) {
    const std::string host = url_host(url);
    boost::system::error_code ec;
    const auto literal = boost::asio::ip::make_address(host, ec);
    if (!ec) {
      addrs.push_back(literal);
    } else if (const auto& r = resolve(host, false); r.answer.has_value()) {
      addrs = r.answer.value().addresses;
    }
  }
  for (const auto& a : addrs) {
    if (is_public_address(a)) {
      c.out.warnings.push_back("the PAC " + url + " is served over plain http from the public address " +
                               a.to_string() + ": anyone on the path can change it");
      return;
    }
  }
}

wpad_decider::state wpad_decider::do_fetch(context& c) {
  const auto url = c.pending.url;
  const auto start = steady::now();
  auto it = fetch_cache_.find(url);
  if (it == fetch_cache_.end()) it = fetch_cache_.emplace(url, fetcher_.fetch(url)).first;
  const auto elapsed = since(start);
  const auto& f = it->second;
  if (f.has_error()) {
    c.step("fetch", url, "error", f.error().to_string(), elapsed);
    c.out.located_unusable = true;
    return c.resume;
  }
  const auto& got = f.value();
  const auto took = got.elapsed.count() > 0 ? got.elapsed : elapsed;
  if (!got.usable()) {
    c.step("fetch", url, "rejected",
           "HTTP " + std::to_string(got.status) + ": " + error_findings(got), took);
    c.out.located_unusable = true;
    return c.resume;
  }
  c.step("fetch", url, "ok",
         "HTTP " + std::to_string(got.status) + ", " + std::to_string(got.body.size()) + " bytes" +
             (got.content_type.empty() ? "" : ", " + got.content_type),
         took);
  warn_plain_http(c, got.final_url, got.final_url == url ? c.pending.addresses
                                                         : std::vector<dns::address>{});
  if (check_) {
    const auto cstart = steady::now();
    auto ok = check_(got.body, url);
    if (!ok) {
      c.step("check", url, "rejected", ok.error().to_string(), since(cstart));
      c.out.located_unusable = true;
      return c.resume;
    }
    c.step("check", url, "ok", "the PAC loads in the engine", since(cstart));
  }
  for (const auto& finding : got.findings) {
    c.out.warnings.push_back(url + ": " + finding.message + " [" + finding.client + "]");
  }
  c.out.found.push_back({url, c.pending.method, c.pending.how, got});
  return c.opt.try_all ? c.resume : state::done;
}

}  // namespace wpadkit::wpad
