#pragma once
// forward::upstream_pool — idle keep-alive connections to next hops, keyed by the hop
// ("DIRECT origin:80", "PROXY p:3128", "SOCKS5 s:1080>origin:80"), one pool per I/O thread (a socket
// belongs to its thread's io_context, so the pool needs no lock). Bounded per key and by age; a
// connection idle for a second or more is checked at checkout (a non-blocking peek) and dropped if the
// peer closed it. One parked for less was alive a moment ago: the peek would cost a system call per
// request on a busy hop, and the rare close in that window is caught by the caller's retry on a fresh
// connection (session: a reused connection that fails before any response byte is retried).
//
// Costs: checkout and park touch only their key's stack (a hash lookup, no walk over the pool);
// connections past max_idle_time are dropped by a sweep that runs at most every quarter of that time,
// so a busy proxy does not pay for the idle connections of other hops on every request.
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "proxycore/forward/stream.hpp"

namespace wpadkit::forward {

// One connection to a next hop, with the bytes read from it and not yet parsed.
struct upstream_connection {
  explicit upstream_connection(boost::asio::ip::tcp::socket s) : stream(std::move(s)) {}
  forward::stream stream;
  boost::beast::flat_buffer buffer;
  std::string key;
  bool reused = false;  // came from the pool (so a failure may just be a stale keep-alive)
  // NTLM ran on this connection (connector::open): the proxy knows it as ours, so requests on it go
  // without Proxy-Authorization. Every pooled connection to an NTLM hop has it.
  bool authenticated = false;
};

class upstream_pool {
 public:
  upstream_pool(std::size_t max_idle_per_key, std::chrono::milliseconds max_idle_time)
      : max_per_key_(max_idle_per_key), max_idle_(max_idle_time) {}

  // The most recently parked live connection for `key`, marked reused; nullptr when none.
  std::unique_ptr<upstream_connection> checkout(const std::string& key);
  // Parks `c` (ignored if it still holds unread bytes or the key is full).
  void park(std::unique_ptr<upstream_connection> c);
  void clear() {
    idle_.clear();
    size_ = 0;
  }
  std::size_t size() const { return size_; }

 private:
  struct entry {
    std::unique_ptr<upstream_connection> conn;
    std::chrono::steady_clock::time_point since;
  };
  // Oldest first: parked at the back, checked out from the back (the most recently used connection is
  // the one most likely still open), expired ones dropped from the front.
  using stack = std::vector<entry>;
  void sweep(std::chrono::steady_clock::time_point now);
  void drop_expired(stack& s, std::chrono::steady_clock::time_point now);

  std::size_t max_per_key_;
  std::chrono::milliseconds max_idle_;
  std::unordered_map<std::string, stack> idle_;
  std::size_t size_ = 0;
  std::chrono::steady_clock::time_point next_sweep_{};
};

}  // namespace wpadkit::forward
