#include "proxycore/forward/stream.hpp"

namespace wpadkit::forward {
namespace {

using clock = std::chrono::steady_clock;

// One outstanding wait per stream at most. When it fires it re-checks the (possibly moved) due time:
// a deadline that was pushed back costs nothing until the old time comes.
void wait_for_due(std::shared_ptr<detail::deadline_state> s) {
  s->waiting = true;
  s->timer.expires_at(s->due);
  auto& timer = s->timer;
  timer.async_wait([s = std::move(s)](boost::system::error_code) mutable {
    s->waiting = false;
    if (s->closed || s->due == clock::time_point::max()) return;
    if (clock::now() >= s->due) {
      s->due = clock::time_point::max();
      s->expired = true;
      boost::system::error_code ignored;
      if (s->socket) s->socket->cancel(ignored);
      return;
    }
    wait_for_due(std::move(s));
  });
}

}  // namespace

stream::stream(tcp::socket socket)
    : socket_(std::move(socket)), state_(std::make_shared<detail::deadline_state>(socket_.get_executor())) {
  state_->socket = &socket_;
}

stream::~stream() {
  state_->closed = true;
  state_->socket = nullptr;
  state_->timer.cancel();
}

void stream::expires_after(clock::duration d) {
  auto& s = *state_;
  s.expired = false;
  s.due = clock::now() + d;
  if (!s.waiting) {
    wait_for_due(state_);
  } else if (s.timer.expiry() > s.due) {
    s.timer.cancel();  // the handler sees the earlier due time and waits again
  }
}

void stream::close() {
  boost::system::error_code ignored;
  socket_.cancel(ignored);
  socket_.close(ignored);
}

}  // namespace wpadkit::forward
