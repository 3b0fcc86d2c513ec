#pragma once
// forward::origin_resolver — turns an origin's or a proxy's host name into addresses for connect():
// IP literals answer themselves, then the static host table (pactool's `--dns NAME=IP`, tests), then
// DNS through c-ares on this thread's event loop (dns::async_resolver). Never blocks the I/O thread.
// One per I/O thread; it borrows the table, the resolver and the metrics, which outlive it.
#include <boost/asio/awaitable.hpp>
#include <map>
#include <string>
#include <vector>

#include "proxycore/base/error.hpp"
#include "proxycore/dns/async_resolver.hpp"
#include "proxycore/forward/metrics.hpp"

namespace wpadkit::forward {

// Lower-case name (no trailing dot) → addresses, in the order they are to be tried.
using host_table = std::map<std::string, std::vector<dns::address>>;

// Adds "NAME=IP" to `table`. Errors: errc::parse naming the text.
result<void> add_host_entry(host_table& table, std::string_view name_eq_ip);

class origin_resolver {
 public:
  // `dns` may be null: then names outside the table fail with errc::dns_not_found.
  origin_resolver(const host_table& table, dns::async_resolver* dns, metrics& stats)
      : table_(table), dns_(dns), stats_(stats) {}

  // Completes on the resolver's executor. Errors: errc::dns_* with a message naming the host.
  boost::asio::awaitable<result<std::vector<dns::address>>> resolve(std::string host);

 private:
  const host_table& table_;
  dns::async_resolver* dns_;
  metrics& stats_;
};

}  // namespace wpadkit::forward
