#include "proxycore/dns/channel.hpp"

#include <netinet/in.h>

#include <algorithm>
#include <climits>
#include <cstring>

#include "proxycore/dns/ares_error.hpp"

namespace wpadkit::dns {
namespace {

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += ',';
    out += p;
  }
  return out;
}

// RAII for ares_save_options' output.
struct saved_options {
  ares_options opts{};
  int mask = 0;
  explicit saved_options(ares_channel c) {
    if (ares_save_options(c, &opts, &mask) != ARES_SUCCESS) mask = -1;
  }
  ~saved_options() {
    if (mask != -1) ares_destroy_options(&opts);
  }
  saved_options(const saved_options&) = delete;
  saved_options& operator=(const saved_options&) = delete;
};

}  // namespace

try_budget budget_for(std::chrono::milliseconds total) noexcept {
  auto per_try = std::max<std::chrono::milliseconds::rep>(total.count() / 3, 1);
  return {static_cast<int>(std::min<std::chrono::milliseconds::rep>(per_try, INT_MAX)), 2};
}

result<channel> channel::open(const resolver_options& options, ares_sock_state_cb on_socket_state,
                              void* data) {
  ares_options opts{};
  int mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
  auto budget = budget_for(options.timeout);
  opts.timeout = budget.timeout_ms;
  opts.tries = budget.tries;
  std::vector<char*> domains;
  if (options.search_domains) {
    for (const auto& d : *options.search_domains) domains.push_back(const_cast<char*>(d.c_str()));
    opts.domains = domains.data();
    opts.ndomains = static_cast<int>(domains.size());
    mask |= ARES_OPT_DOMAINS;
  }
  char dns_only[] = "b";
  if (!options.use_hosts_file) {
    opts.lookups = dns_only;
    mask |= ARES_OPT_LOOKUPS;
  }
  if (on_socket_state) {
    opts.sock_state_cb = on_socket_state;
    opts.sock_state_cb_data = data;
    mask |= ARES_OPT_SOCK_STATE_CB;
  }
  ares_channel raw = nullptr;
  int status = ares_init_options(&raw, &opts, mask);
  if (status != ARES_SUCCESS) {
    if (raw) ares_destroy(raw);
    return error_from_ares(status, "cannot set up the DNS resolver");
  }
  channel out(raw);
  if (!options.servers.empty()) {
    auto csv = join(options.servers);
    status = ares_set_servers_ports_csv(raw, csv.c_str());
    if (status != ARES_SUCCESS) {
      return error_from_ares(status,
                             "bad DNS server list '" + csv + "' (want ip, ip:port or [v6]:port)");
    }
  }
  return out;
}

std::vector<std::string> channel::search_domains() const {
  saved_options saved(get());
  std::vector<std::string> out;
  if (saved.mask == -1) return out;
  for (int i = 0; i < saved.opts.ndomains; ++i) out.emplace_back(saved.opts.domains[i]);
  return out;
}

int channel::ndots() const {
  saved_options saved(get());
  return saved.mask == -1 ? 1 : saved.opts.ndots;
}

int ares_family(family f) noexcept {
  switch (f) {
    case family::v4:
      return AF_INET;
    case family::v6:
      return AF_INET6;
    case family::any:
      break;
  }
  return AF_UNSPEC;
}

result<answer> answer_from_addrinfo(const ares_addrinfo* info, family f, std::string_view host) {
  answer out;
  int min_ttl = INT_MAX;
  for (auto* n = info ? info->nodes : nullptr; n; n = n->ai_next) {
    if (n->ai_family == AF_INET && f != family::v6) {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(n->ai_addr);
      boost::asio::ip::address_v4::bytes_type b;
      std::memcpy(b.data(), &sin->sin_addr, b.size());
      out.addresses.emplace_back(boost::asio::ip::address_v4(b));
    } else if (n->ai_family == AF_INET6 && f != family::v4) {
      const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(n->ai_addr);
      boost::asio::ip::address_v6::bytes_type b;
      std::memcpy(b.data(), &sin6->sin6_addr, b.size());
      out.addresses.emplace_back(boost::asio::ip::address_v6(b, sin6->sin6_scope_id));
    } else {
      continue;
    }
    min_ttl = std::min(min_ttl, std::max(n->ai_ttl, 0));
  }
  if (out.addresses.empty()) {
    return error(errc::dns_not_found, "'" + std::string(host) + "' has no address of that family");
  }
  out.ttl = std::chrono::seconds(min_ttl);
  return out;
}

}  // namespace wpadkit::dns
