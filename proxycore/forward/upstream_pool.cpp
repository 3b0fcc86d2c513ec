#include "proxycore/forward/upstream_pool.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace wpadkit::forward {
namespace {

// An idle keep-alive connection is usable only if the peer has neither closed it nor sent anything
// (RFC 9112 §9.3.1: a server may close idle connections at any time).
bool still_idle(upstream_connection& c, std::chrono::steady_clock::duration idle_for) {
  auto& sock = c.stream.socket();
  if (!sock.is_open()) return false;
  if (idle_for < std::chrono::seconds(1)) return true;
  char byte;
  auto n = ::recv(sock.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace

void upstream_pool::drop_expired(std::chrono::steady_clock::time_point now) {
  for (auto it = idle_.begin(); it != idle_.end();) {
    it = now - it->second.since > max_idle_ ? idle_.erase(it) : std::next(it);
  }
}

std::unique_ptr<upstream_connection> upstream_pool::checkout(const std::string& key) {
  auto now = std::chrono::steady_clock::now();
  drop_expired(now);
  auto range = idle_.equal_range(key);
  while (range.first != range.second) {
    auto last = std::prev(range.second);
    auto conn = std::move(last->second.conn);
    auto since = last->second.since;
    idle_.erase(last);
    range = idle_.equal_range(key);
    if (still_idle(*conn, now - since)) {
      conn->reused = true;
      return conn;
    }
  }
  return nullptr;
}

void upstream_pool::park(std::unique_ptr<upstream_connection> c) {
  if (!c || c->buffer.size() != 0 || max_per_key_ == 0) return;
  auto now = std::chrono::steady_clock::now();
  drop_expired(now);
  if (idle_.count(c->key) >= max_per_key_) return;
  c->stream.expires_never();
  auto key = c->key;
  idle_.emplace(std::move(key), entry{std::move(c), now});
}

}  // namespace wpadkit::forward
