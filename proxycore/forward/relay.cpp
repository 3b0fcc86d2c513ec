#include "proxycore/forward/relay.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <memory>

namespace wpadkit::forward {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

template <bool isRequest>
asio::awaitable<relay_outcome> relay_body(beast::tcp_stream& in, beast::flat_buffer& in_buffer,
                                          http::parser<isRequest, http::buffer_body>& parser,
                                          beast::tcp_stream& out,
                                          http::serializer<isRequest, http::buffer_body>& serializer,
                                          std::size_t buffer_size, relay_deadlines deadlines) {
  constexpr auto token = asio::as_tuple(asio::use_awaitable);
  relay_outcome outcome;
  // Allocated only while this message's body flows.
  auto buffer = std::make_unique<char[]>(buffer_size);
  auto& body = parser.get().body();
  while (!serializer.is_done()) {
    if (!parser.is_done()) {
      body.data = buffer.get();
      body.size = buffer_size;
      in.expires_after(deadlines.read);
      auto [ec, n] = co_await http::async_read(in, in_buffer, parser, token);
      if (ec == http::error::need_buffer) ec = {};
      if (ec) {
        outcome.read_error = ec;
        co_return outcome;
      }
      body.size = buffer_size - body.size;
      body.data = buffer.get();
      body.more = !parser.is_done();
    } else {
      body.data = nullptr;
      body.size = 0;
      body.more = false;
    }
    out.expires_after(deadlines.write);
    auto [wec, written] = co_await http::async_write(out, serializer, token);
    if (wec == http::error::need_buffer) wec = {};
    if (wec) {
      outcome.write_error = wec;
      co_return outcome;
    }
    outcome.bytes_written += written;
  }
  co_return outcome;
}

template asio::awaitable<relay_outcome> relay_body<true>(
    beast::tcp_stream&, beast::flat_buffer&, http::parser<true, http::buffer_body>&, beast::tcp_stream&,
    http::serializer<true, http::buffer_body>&, std::size_t, relay_deadlines);
template asio::awaitable<relay_outcome> relay_body<false>(
    beast::tcp_stream&, beast::flat_buffer&, http::parser<false, http::buffer_body>&, beast::tcp_stream&,
    http::serializer<false, http::buffer_body>&, std::size_t, relay_deadlines);

}  // namespace wpadkit::forward
