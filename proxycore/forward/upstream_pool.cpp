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

void upstream_pool::drop_expired(stack& s, std::chrono::steady_clock::time_point now) {
  std::size_t n = 0;
  while (n < s.size() && now - s[n].since > max_idle_) ++n;
  if (n == 0) return;
  s.erase(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(n));
  size_ -= n;
}

void upstream_pool::sweep(std::chrono::steady_clock::time_point now) {
  if (now < next_sweep_) return;
  next_sweep_ = now + max_idle_ / 4;
  for (auto it = idle_.begin(); it != idle_.end();) {
    drop_expired(it->second, now);
    it = it->second.empty() ? idle_.erase(it) : std::next(it);
  }
}

std::unique_ptr<upstream_connection> upstream_pool::checkout(const std::string& key) {
  auto now = std::chrono::steady_clock::now();
  sweep(now);
  auto it = idle_.find(key);
  if (it == idle_.end()) return nullptr;
  auto& s = it->second;
  drop_expired(s, now);
  while (!s.empty()) {
    auto e = std::move(s.back());
    s.pop_back();
    --size_;
    if (still_idle(*e.conn, now - e.since)) {
      e.conn->reused = true;
      return std::move(e.conn);
    }
  }
  return nullptr;
}

void upstream_pool::park(std::unique_ptr<upstream_connection> c) {
  if (!c || c->buffer.size() != 0 || max_per_key_ == 0) return;
  auto now = std::chrono::steady_clock::now();
  sweep(now);
  auto& s = idle_[c->key];  // the key string is copied only the first time a hop is pooled
  drop_expired(s, now);
  if (s.size() >= max_per_key_) return;
  c->stream.expires_never();
  s.push_back(entry{std::move(c), now});
  ++size_;
}

}  // namespace wpadkit::forward
