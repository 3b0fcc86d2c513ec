#pragma once
// channel: the RAII owner of one c-ares channel, set up from resolver_options (internal to
// proxycore/dns; ares_resolver and async_resolver build on it). A channel is not thread-safe: one
// thread uses it at a time. Destroying it completes every pending query with ARES_EDESTRUCTION.
#include <ares.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proxycore/base/error.hpp"
#include "proxycore/dns/host_resolver.hpp"
#include "proxycore/dns/resolver_options.hpp"

namespace wpadkit::dns {

class channel {
 public:
  // Reads resolv.conf (and the environment c-ares honours: LOCALDOMAIN, RES_OPTIONS), then applies
  // `options`. `on_socket_state`, when given, is c-ares' socket-state callback (async_resolver).
  // Errors: errc::config (bad server string), errc::dns_failure (c-ares could not initialise).
  static result<channel> open(const resolver_options& options,
                              ares_sock_state_cb on_socket_state = nullptr, void* data = nullptr);

  channel(channel&&) noexcept = default;
  channel& operator=(channel&&) noexcept = default;
  ~channel() = default;

  ares_channel get() const noexcept { return handle_.get(); }

  // The search list and ndots in effect (resolv.conf's, or the options' replacement).
  std::vector<std::string> search_domains() const;
  int ndots() const;

 private:
  struct destroyer {
    void operator()(ares_channel c) const noexcept { ares_destroy(c); }
  };
  explicit channel(ares_channel c) : handle_(c) {}
  std::unique_ptr<std::remove_pointer_t<ares_channel>, destroyer> handle_;
};

// c-ares' address family for `f`.
int ares_family(family f) noexcept;

// The addresses of a successful ares_getaddrinfo, in c-ares' (RFC 6724) order, with the smallest
// TTL among them (0 when none came from DNS). Errors: errc::dns_not_found when no node matches `f`.
result<answer> answer_from_addrinfo(const ares_addrinfo* info, family f, std::string_view host);

// The per-try timeout and try count that make c-ares give up within `total` for one server:
// c-ares doubles the timeout at each round, so two tries of total/3 take `total` in all.
struct try_budget {
  int timeout_ms;
  int tries;
};
try_budget budget_for(std::chrono::milliseconds total) noexcept;

}  // namespace wpadkit::dns
