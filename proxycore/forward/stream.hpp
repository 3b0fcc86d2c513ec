#pragma once
// forward::stream — one connection of the proxy (a client, or a next hop): a TCP socket, optionally
// with TLS on top (an HTTPS proxy), and a deadline. It models Asio's AsyncReadStream and
// AsyncWriteStream, so Beast reads and writes HTTP on it directly.
//
// Why not beast::tcp_stream: tcp_stream schedules and cancels a timer around every single read and
// write, which on a keep-alive proxy is several timer-queue operations (and timerfd updates) per
// request. Here the deadline is lazy: expires_after() only stores a time point; one timer per
// connection wakes up at the stored time, and if the deadline moved on meanwhile it just goes back to
// sleep. When a deadline passes, the operations in progress on the stream complete with
// beast::error::timeout (as with tcp_stream); the connection stays open, so the caller can still
// answer (408, 504) on it.
//
// A deadline covers the operations started after expires_after(); an operation started after the
// deadline passed is not failed (call expires_after() again before it). Single-threaded: use a stream
// only from its executor's thread.
#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <utility>

namespace wpadkit::forward {

namespace detail {

// The deadline of one stream. Shared with the timer's handler, which may run after the stream is
// gone.
struct deadline_state {
  explicit deadline_state(const boost::asio::any_io_executor& ex) : timer(ex) {}
  boost::asio::steady_timer timer;
  std::chrono::steady_clock::time_point due = std::chrono::steady_clock::time_point::max();
  bool waiting = false;  // an async_wait is outstanding
  bool expired = false;  // the deadline passed and the operations then in progress were cancelled
  bool closed = false;   // the stream is gone
  boost::asio::ip::tcp::socket* socket = nullptr;
};

// Completion handler wrapper: an operation cancelled because the deadline passed reports timeout.
// All associated characteristics (executor, allocator, cancellation slot) are the wrapped handler's.
template <class Handler>
struct timeout_mapping_handler {
  Handler handler;
  std::shared_ptr<deadline_state> state;

  template <class... Args>
  void operator()(boost::system::error_code ec, Args&&... args) {
    if (ec == boost::asio::error::operation_aborted && state->expired) ec = boost::beast::error::timeout;
    std::move(handler)(ec, std::forward<Args>(args)...);
  }
};

}  // namespace detail

class stream {
 public:
  using executor_type = boost::asio::any_io_executor;
  using tcp = boost::asio::ip::tcp;

  explicit stream(tcp::socket socket);
  ~stream();
  stream(const stream&) = delete;
  stream& operator=(const stream&) = delete;

  executor_type get_executor() { return socket_.get_executor(); }
  tcp::socket& socket() { return socket_; }
  bool is_tls() const { return tls_ != nullptr; }

  // TLS client handshake on the connected socket: the certificate is verified against `ctx`'s trust
  // store and `host` (a name, or an address literal); `send_sni`: announce `host` as the server name.
  // Afterwards reads and writes go through TLS. Errors are the handshake's (boost::asio::ssl::error::*,
  // or timeout under the deadline).
  template <class Token>
  auto async_start_tls(boost::asio::ssl::context& ctx, const std::string& host, bool send_sni, Token&& token);

  // Operations started from now on fail with beast::error::timeout once `d` has passed.
  void expires_after(std::chrono::steady_clock::duration d);
  // No deadline for the operations started from now on.
  void expires_never() {
    state_->due = std::chrono::steady_clock::time_point::max();
    state_->expired = false;  // a deadline that passed earlier must not turn a later abort into a timeout
  }

  // Cancels pending operations and closes the socket.
  void close();

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& b) {
          detail::timeout_mapping_handler<decltype(handler)> h{std::move(handler), state_};
          if (tls_) {
            tls_->async_read_some(b, std::move(h));
          } else {
            socket_.async_read_some(b, std::move(h));
          }
        },
        token, buffers);
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& b) {
          detail::timeout_mapping_handler<decltype(handler)> h{std::move(handler), state_};
          if (tls_) {
            tls_->async_write_some(b, std::move(h));
          } else {
            socket_.async_write_some(b, std::move(h));
          }
        },
        token, buffers);
  }

  // Writes what the socket takes at once, without waiting (plain TCP; the socket is switched to
  // non-blocking mode on first use). With TLS nothing is written and the error is would_block: TLS
  // records go through the asynchronous path.
  template <class ConstBuffers>
  std::size_t try_write_some(const ConstBuffers& buffers, boost::system::error_code& ec) {
    if (tls_) {
      ec = boost::asio::error::would_block;
      return 0;
    }
    if (!socket_.non_blocking()) {
      socket_.non_blocking(true, ec);
      if (ec) return 0;
    }
    return socket_.write_some(buffers, ec);
  }

  // Waits until the socket is writable (after try_write_some said would_block).
  template <class Token>
  auto async_wait_writable(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [this](auto handler) {
          detail::timeout_mapping_handler<decltype(handler)> h{std::move(handler), state_};
          socket_.async_wait(tcp::socket::wait_write, std::move(h));
        },
        token);
  }

  // Waits until the socket is readable, holding no buffer (an idle tunnel direction). Plain TCP only:
  // with TLS, bytes may already wait inside the TLS layer.
  template <class Token>
  auto async_wait_readable(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [this](auto handler) {
          detail::timeout_mapping_handler<decltype(handler)> h{std::move(handler), state_};
          socket_.async_wait(tcp::socket::wait_read, std::move(h));
        },
        token);
  }

 private:
  tcp::socket socket_;
  std::unique_ptr<boost::asio::ssl::stream<tcp::socket&>> tls_;
  std::shared_ptr<detail::deadline_state> state_;
};

template <class Token>
auto stream::async_start_tls(boost::asio::ssl::context& ctx, const std::string& host, bool send_sni,
                             Token&& token) {
  tls_ = std::make_unique<boost::asio::ssl::stream<tcp::socket&>>(socket_, ctx);
  if (send_sni) SSL_set_tlsext_host_name(tls_->native_handle(), host.c_str());
  tls_->set_verify_mode(boost::asio::ssl::verify_peer);
  tls_->set_verify_callback(boost::asio::ssl::host_name_verification(host));
  return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
      [this](auto handler) {
        detail::timeout_mapping_handler<decltype(handler)> h{std::move(handler), state_};
        tls_->async_handshake(boost::asio::ssl::stream_base::client, std::move(h));
      },
      token);
}

}  // namespace wpadkit::forward

template <template <typename, typename> class Associator, typename Handler, typename DefaultCandidate>
struct boost::asio::associator<Associator, wpadkit::forward::detail::timeout_mapping_handler<Handler>,
                               DefaultCandidate> : Associator<Handler, DefaultCandidate> {
  static typename Associator<Handler, DefaultCandidate>::type get(
      const wpadkit::forward::detail::timeout_mapping_handler<Handler>& h) noexcept {
    return Associator<Handler, DefaultCandidate>::get(h.handler);
  }
  static auto get(const wpadkit::forward::detail::timeout_mapping_handler<Handler>& h,
                  const DefaultCandidate& c) noexcept
      -> decltype(Associator<Handler, DefaultCandidate>::get(h.handler, c)) {
    return Associator<Handler, DefaultCandidate>::get(h.handler, c);
  }
};
