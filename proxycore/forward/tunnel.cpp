#include "proxycore/forward/tunnel.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <algorithm>
#include <memory>

namespace wpadkit::forward {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using clock = std::chrono::steady_clock;

// One tunnel in flight. Every pending operation holds a shared_ptr to it; `done_` completes the
// caller once both directions have ended. All of it runs on the streams' (single) thread.
template <class Handler>
class tunnel_op : public std::enable_shared_from_this<tunnel_op<Handler>> {
 public:
  tunnel_op(Handler done, stream& client, beast::flat_buffer& client_pending, stream& upstream,
            beast::flat_buffer& upstream_pending, std::size_t buffer_size, std::chrono::milliseconds idle)
      : done_(std::move(done)),
        timer_(client.get_executor()),
        buffer_size_(buffer_size),
        idle_(idle),
        sides_{side{&client, &upstream, &client_pending, &totals_.client_to_upstream, nullptr, false},
               side{&upstream, &client, &upstream_pending, &totals_.upstream_to_client, nullptr, false}} {}

  ~tunnel_op() {
    for (auto& s : sides_) close_pipe(s);
  }

  void start() {
    arm_idle_timer();
    for (int i = 0; i < 2; ++i) flush_pending(i);
  }

 private:
  struct side {
    stream* from;
    stream* to;
    beast::flat_buffer* pending;  // read before the tunnel began, not yet passed on
    std::uint64_t* total;
    std::unique_ptr<char[]> buffer;
    bool ended = false;
    // Bulk transfers between plain TCP sockets go through a pipe with splice(2): the bytes never
    // enter our memory. Open only during a bulk burst.
    int pipe_read = -1, pipe_write = -1;
    std::size_t in_pipe = 0;
  };


  // Bytes read with the CONNECT (a pipelined TLS ClientHello, a server-first greeting) go first.
  void flush_pending(int i) {
    auto& s = sides_[i];
    if (s.pending->size() == 0) return wait_readable(i);
    asio::async_write(*s.to, s.pending->data(),
                      [self = this->shared_from_this(), i](boost::system::error_code ec, std::size_t n) {
                        auto& s = self->sides_[i];
                        if (ec) return self->fail(i);
                        s.pending->consume(n);
                        *s.total += n;
                        self->wait_readable(i);
                      });
  }

  void wait_readable(int i) {
    auto& s = sides_[i];
    if (finished_) return;
    s.buffer.reset();
    close_pipe(s);
    if (s.from->is_tls()) return read_async(i);
    s.from->async_wait_readable([self = this->shared_from_this(), i](boost::system::error_code ec) {
      if (ec) return self->fail(i);
      self->read_burst(i);
    });
  }

  // Non-blocking reads while bytes keep coming; "would block" ends the burst.
  void read_burst(int i) {
    auto& s = sides_[i];
    if (!s.buffer) s.buffer = std::make_unique_for_overwrite<char[]>(buffer_size_);
    boost::system::error_code ec;
    auto n = s.from->socket().read_some(asio::buffer(s.buffer.get(), buffer_size_), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return wait_readable(i);
    if (ec) return read_ended(i, ec);
    // A full buffer means a bulk transfer: move the rest of the burst with splice when both sides are
    // plain TCP. Small, interactive bursts stay on read/write (a pipe costs four system calls).
    bool bulk = n == buffer_size_ && !s.to->is_tls() && open_pipe(s);
    write_then(i, n, bulk ? &tunnel_op::splice_burst : &tunnel_op::read_burst);
  }

  void splice_burst(int i) {
    auto& s = sides_[i];
    s.buffer.reset();
    int from = s.from->socket().native_handle(), to = s.to->socket().native_handle();
    for (;;) {
      if (s.in_pipe == 0) {
        auto n = ::splice(from, nullptr, s.pipe_write, nullptr, pipe_size, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
        if (n == 0) return read_ended(i, asio::error::eof);
        if (n < 0) {
          if (errno == EINTR) continue;
          if (errno == EAGAIN) return wait_readable(i);
          return read_ended(i, boost::system::error_code(errno, boost::system::system_category()));
        }
        s.in_pipe = static_cast<std::size_t>(n);
        last_activity_ = clock::now();
      }
      auto w = ::splice(s.pipe_read, nullptr, to, nullptr, s.in_pipe, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (w < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN) return fail(i);
        // The receiver is slower: wait until it can take more, keeping what the pipe holds.
        s.to->socket().async_wait(tcp::socket::wait_write,
                                  [self = this->shared_from_this(), i](boost::system::error_code ec) {
                                    if (ec) return self->fail(i);
                                    self->splice_burst(i);
                                  });
        return;
      }
      s.in_pipe -= static_cast<std::size_t>(w);
      *s.total += static_cast<std::uint64_t>(w);
      last_activity_ = clock::now();
    }
  }

  static constexpr std::size_t pipe_size = 256 * 1024;

  static bool open_pipe(side& s) {
    if (s.pipe_read >= 0) return true;
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return false;  // e.g. EMFILE: read/write still work
    s.pipe_read = fds[0];
    s.pipe_write = fds[1];
    ::fcntl(s.pipe_write, F_SETPIPE_SZ, static_cast<int>(pipe_size));  // best effort: 64 KiB otherwise
    return true;
  }

  // Only called with an empty pipe, or when the tunnel is over (its bytes are then lost anyway).
  static void close_pipe(side& s) {
    if (s.pipe_read < 0) return;
    ::close(s.pipe_read);
    ::close(s.pipe_write);
    s.pipe_read = s.pipe_write = -1;
    s.in_pipe = 0;
  }

  void read_async(int i) {
    auto& s = sides_[i];
    if (!s.buffer) s.buffer = std::make_unique_for_overwrite<char[]>(buffer_size_);
    s.from->async_read_some(asio::buffer(s.buffer.get(), buffer_size_),
                            [self = this->shared_from_this(), i](boost::system::error_code ec, std::size_t n) {
                              if (ec) return self->read_ended(i, ec);
                              self->write_then(i, n, &tunnel_op::read_async);
                            });
  }

  void write_then(int i, std::size_t n, void (tunnel_op::*next)(int)) {
    auto& s = sides_[i];
    last_activity_ = clock::now();
    asio::async_write(*s.to, asio::buffer(s.buffer.get(), n),
                      [self = this->shared_from_this(), i, next](boost::system::error_code ec, std::size_t w) {
                        if (ec) return self->fail(i);
                        *self->sides_[i].total += w;
                        self->last_activity_ = clock::now();
                        ((*self).*next)(i);
                      });
  }

  // EOF passes the half-close on (the other direction may still flow); anything else ends both.
  void read_ended(int i, const boost::system::error_code& ec) {
    if (ec != asio::error::eof) return fail(i);
    boost::system::error_code ignored;
    sides_[i].to->socket().shutdown(tcp::socket::shutdown_send, ignored);
    end(i);
  }

  void fail(int i) {
    close_both();
    end(i);
  }

  void close_both() {
    sides_[0].from->close();
    sides_[1].from->close();
  }

  void end(int i) {
    auto& s = sides_[i];
    if (s.ended) return;
    s.ended = true;
    s.buffer.reset();
    close_pipe(s);
    if (!sides_[0].ended || !sides_[1].ended) return;
    finished_ = true;
    timer_.cancel();
    // We run inside a completion handler on the caller's thread: completing directly is what Asio's
    // own composed operations do here.
    std::move(done_)(totals_);
  }

  // Lazily re-armed: activity only moves last_activity_; the timer re-checks when it fires.
  void arm_idle_timer() {
    timer_.expires_at(last_activity_ + idle_);
    timer_.async_wait([self = this->shared_from_this()](boost::system::error_code ec) {
      if (ec || self->finished_) return;
      if (clock::now() >= self->last_activity_ + self->idle_) return self->close_both();
      self->arm_idle_timer();
    });
  }

  Handler done_;
  asio::steady_timer timer_;
  std::size_t buffer_size_;
  std::chrono::milliseconds idle_;
  clock::time_point last_activity_ = clock::now();
  tunnel_totals totals_;
  side sides_[2];
  bool finished_ = false;
};

}  // namespace

asio::awaitable<tunnel_totals> run_tunnel(stream& client, beast::flat_buffer& client_pending,
                                          stream& upstream, beast::flat_buffer& upstream_pending,
                                          std::size_t buffer_size, std::chrono::milliseconds idle_timeout) {
  client.expires_never();
  upstream.expires_never();
  // Plain TCP sides are read without blocking (read_burst); Asio's own operations are unaffected.
  boost::system::error_code ignored;
  if (!client.is_tls()) client.socket().non_blocking(true, ignored);
  if (!upstream.is_tls()) upstream.socket().non_blocking(true, ignored);
  // Bulk transfers move in pieces of at least 64 KiB: fewer system calls per byte, and the memory is
  // held only while a direction is busy.
  buffer_size = std::max<std::size_t>(buffer_size, 64 * 1024);
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(tunnel_totals)>(
      [&](auto handler) {
        auto op = std::make_shared<tunnel_op<decltype(handler)>>(std::move(handler), client, client_pending,
                                                                 upstream, upstream_pending, buffer_size,
                                                                 idle_timeout);
        op->start();
      },
      asio::use_awaitable);
}

}  // namespace wpadkit::forward
