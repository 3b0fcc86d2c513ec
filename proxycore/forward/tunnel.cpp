#include "proxycore/forward/tunnel.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <memory>

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

asio::awaitable<void> pump(tcp::socket& from, beast::flat_buffer& pending, tcp::socket& to,
                           std::uint64_t& total, std::size_t buffer_size, activity& seen) {
  if (pending.size() > 0) {
    auto [ec, n] = co_await asio::async_write(to, pending.data(), token);
    if (ec) co_return;
    pending.consume(n);
    total += n;
  }
  for (;;) {
    auto [wait_ec] = co_await from.async_wait(tcp::socket::wait_read, token);
    if (wait_ec) break;
    auto buffer = std::make_unique<char[]>(buffer_size);
    auto [rec, n] = co_await from.async_read_some(asio::buffer(buffer.get(), buffer_size), token);
    if (rec) {
      boost::system::error_code ignored;
      // EOF: pass the half-close on; anything else: end both directions.
      if (rec == asio::error::eof) {
        to.shutdown(tcp::socket::shutdown_send, ignored);
      } else {
        from.close(ignored);
        to.close(ignored);
      }
      co_return;
    }
    seen.last = std::chrono::steady_clock::now();
    auto [wec, w] = co_await asio::async_write(to, asio::buffer(buffer.get(), n), token);
    if (wec) {
      boost::system::error_code ignored;
      from.close(ignored);
      to.close(ignored);
      co_return;
    }
    total += w;
    seen.last = std::chrono::steady_clock::now();
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

asio::awaitable<tunnel_totals> run_tunnel(beast::tcp_stream& client, beast::flat_buffer& client_pending,
                                          beast::tcp_stream& upstream,
                                          beast::flat_buffer& upstream_pending, std::size_t buffer_size,
                                          std::chrono::milliseconds idle_timeout) {
  tunnel_totals totals;
  activity seen;
  client.expires_never();
  upstream.expires_never();
  auto& c = client.socket();
  auto& u = upstream.socket();
  co_await ((pump(c, client_pending, u, totals.client_to_upstream, buffer_size, seen) &&
             pump(u, upstream_pending, c, totals.upstream_to_client, buffer_size, seen)) ||
            watchdog(seen, idle_timeout));
  co_return totals;
}

}  // namespace wpadkit::forward
