#include "proxycore/forward/tunnel.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <algorithm>
#include <memory>
#include <tuple>

namespace wpadkit::forward {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

constexpr auto token = asio::as_tuple(asio::use_awaitable);

struct activity {
  std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
};

asio::awaitable<void> pump(stream& from, beast::flat_buffer& pending, stream& to,
                           std::uint64_t& total, std::size_t buffer_size, activity& seen) {
  if (pending.size() > 0) {
    auto [ec, n] = co_await asio::async_write(to, pending.data(), token);
    if (ec) co_return;
    pending.consume(n);
    total += n;
  }
  for (;;) {
    if (!from.is_tls()) {
      auto [wait_ec] = co_await from.async_wait_readable(token);
      if (wait_ec) break;
    }
    // While bytes keep coming, read again at once (a non-blocking read that says "would block" ends
    // the burst); the buffer is freed when the direction goes quiet.
    auto buffer = std::make_unique<char[]>(buffer_size);
    for (;;) {
      boost::system::error_code rec;
      std::size_t n = 0;
      if (from.is_tls()) {
        std::tie(rec, n) = co_await from.async_read_some(asio::buffer(buffer.get(), buffer_size), token);
      } else {
        n = from.socket().read_some(asio::buffer(buffer.get(), buffer_size), rec);
        if (rec == asio::error::would_block || rec == asio::error::try_again) break;
      }
      if (rec) {
        boost::system::error_code ignored;
        // EOF: pass the half-close on; anything else: end both directions.
        if (rec == asio::error::eof) {
          to.socket().shutdown(tcp::socket::shutdown_send, ignored);
        } else {
          from.close();
          to.close();
        }
        co_return;
      }
      seen.last = std::chrono::steady_clock::now();
      auto [wec, w] = co_await asio::async_write(to, asio::buffer(buffer.get(), n), token);
      if (wec) {
        from.close();
        to.close();
        co_return;
      }
      total += w;
      seen.last = std::chrono::steady_clock::now();
    }
  }
}

// Finishes when the tunnel has been idle for `idle`; the || in run_tunnel then cancels the pumps.
asio::awaitable<void> watchdog(activity& seen, std::chrono::milliseconds idle) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_at(seen.last + idle);
    auto [ec] = co_await timer.async_wait(token);
    if (ec) co_return;
    if (std::chrono::steady_clock::now() >= seen.last + idle) co_return;
  }
}

}  // namespace

asio::awaitable<tunnel_totals> run_tunnel(stream& client, beast::flat_buffer& client_pending,
                                          stream& upstream,
                                          beast::flat_buffer& upstream_pending, std::size_t buffer_size,
                                          std::chrono::milliseconds idle_timeout) {
  tunnel_totals totals;
  activity seen;
  client.expires_never();
  upstream.expires_never();
  // Plain TCP sides read without blocking (see pump); Asio's own operations are unaffected.
  boost::system::error_code ignored;
  if (!client.is_tls()) client.socket().non_blocking(true, ignored);
  if (!upstream.is_tls()) upstream.socket().non_blocking(true, ignored);
  // Bulk transfers move in pieces of at least 64 KiB: fewer system calls per byte, and the memory is
  // held only while a direction is busy.
  buffer_size = std::max<std::size_t>(buffer_size, 64 * 1024);
  co_await ((pump(client, client_pending, upstream, totals.client_to_upstream, buffer_size, seen) &&
             pump(upstream, upstream_pending, client, totals.upstream_to_client, buffer_size, seen)) ||
            watchdog(seen, idle_timeout));
  co_return totals;
}

}  // namespace wpadkit::forward
