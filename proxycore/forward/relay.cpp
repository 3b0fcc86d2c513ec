#include "proxycore/forward/relay.hpp"

#include <boost/beast/http/error.hpp>
#include <algorithm>
#include <memory>

#include "proxycore/forward/http_io.hpp"

namespace wpadkit::forward {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

template <bool isRequest>
asio::awaitable<relay_outcome> relay_body(stream& in, beast::flat_buffer& in_buffer,
                                          http::parser<isRequest, http::buffer_body>& parser, stream& out,
                                          http::serializer<isRequest, http::buffer_body>& serializer,
                                          std::size_t buffer_size, relay_deadlines deadlines) {
  relay_outcome outcome;
  // The head alone, at once, unless a piece of the body is already here to go out with it.
  if (!serializer.is_header_done() && !parser.is_done() && in_buffer.size() == 0) {
    out.expires_after(deadlines.write);
    auto [ec, n] = co_await write(out, serializer, true);
    outcome.bytes_written += n;
    if (ec) outcome.write_error = ec;
    if (ec) co_return outcome;
  }
  // Allocated only while a body flows, and no larger than a body of known length needs (most
  // responses are small: a 16 KiB block per response showed in profiles).
  std::unique_ptr<char[]> buffer;
  if (auto left = parser.content_length_remaining(); left && *left < buffer_size) {
    buffer_size = std::max<std::size_t>(static_cast<std::size_t>(*left), 1);
  }
  auto& body = parser.get().body();
  while (!serializer.is_done()) {
    if (!parser.is_done()) {
      if (!buffer) buffer = std::make_unique_for_overwrite<char[]>(buffer_size);
      body.data = buffer.get();
      body.size = buffer_size;
      in.expires_after(deadlines.read);
      auto [ec, n] = co_await read_some(in, in_buffer, parser);
      if (ec == http::error::need_buffer) ec = {};
      if (ec) {
        outcome.read_error = ec;
        co_return outcome;
      }
      body.size = buffer_size - body.size;
      // No bytes is no buffer: Beast's chunked serializer writes an empty buffer as a chunk of size
      // 0, which is the last-chunk (RFC 9112 §7.1), and then its own last-chunk after it. The extra
      // "0 CRLF CRLF" was read as the start of the next message on the connection.
      body.data = body.size != 0 ? buffer.get() : nullptr;
      body.more = !parser.is_done();
      if (body.size == 0 && body.more) {
        // Only framing arrived (a chunk header): nothing to pass on yet, but never hold the head.
        if (!serializer.is_header_done()) {
          out.expires_after(deadlines.write);
          auto [hec, hn] = co_await write(out, serializer, true);
          outcome.bytes_written += hn;
          if (hec) {
            outcome.write_error = hec;
            co_return outcome;
          }
        }
        continue;
      }
    } else {
      body.data = nullptr;
      body.size = 0;
      body.more = false;
    }
    out.expires_after(deadlines.write);
    auto [wec, written] = co_await write(out, serializer, false);
    if (wec == http::error::need_buffer) wec = {};
    outcome.bytes_written += written;
    if (wec) {
      outcome.write_error = wec;
      co_return outcome;
    }
  }
  co_return outcome;
}

template asio::awaitable<relay_outcome> relay_body<true>(
    stream&, beast::flat_buffer&, http::parser<true, http::buffer_body>&, stream&,
    http::serializer<true, http::buffer_body>&, std::size_t, relay_deadlines);
template asio::awaitable<relay_outcome> relay_body<false>(
    stream&, beast::flat_buffer&, http::parser<false, http::buffer_body>&, stream&,
    http::serializer<false, http::buffer_body>&, std::size_t, relay_deadlines);

}  // namespace wpadkit::forward
