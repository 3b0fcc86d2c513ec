#include "proxycore/forward/http_io.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/write.hpp>

namespace wpadkit::forward {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using error_code = boost::system::error_code;
constexpr auto token = asio::as_tuple(asio::use_awaitable);

// Feeds the buffered bytes to the parser; need_more means they were not enough for any progress.
// When this parse completed the head, `raw_head` (if given) gets its bytes: Beast waits for the
// whole head (up to CRLF CRLF) and parses it in one put(), and stops after it (the parser is not
// eager).
template <bool isRequest>
error_code parse_buffered(beast::flat_buffer& buffer, http::basic_parser<isRequest>& parser,
                          std::size_t& total, std::string_view* raw_head) {
  error_code ec;
  const bool had_head = parser.is_header_done();
  auto data = buffer.data();
  auto used = parser.put(data, ec);
  if (raw_head && !had_head && parser.is_header_done()) {
    *raw_head = std::string_view(static_cast<const char*>(data.data()), used);
  }
  buffer.consume(used);
  total += used;
  return ec;
}

// Beast's read_some_op, as a loop: parse, and read only while parsing needs more.
template <bool isRequest>
asio::awaitable<io_result> read_until(stream& s, beast::flat_buffer& buffer,
                                      http::basic_parser<isRequest>& parser, bool header,
                                      std::string_view* raw_head) {
  std::size_t total = 0;
  if (header && parser.is_header_done()) co_return io_result{};
  if (buffer.size() != 0) {
    auto ec = parse_buffered(buffer, parser, total, raw_head);
    if (ec != http::error::need_more && (ec || !header || parser.is_header_done())) {
      co_return io_result{ec, total};
    }
  }
  for (;;) {
    auto size = beast::read_size(buffer, 65536);
    if (size == 0) co_return io_result{http::error::buffer_overflow, total};
    auto [rec, n] = co_await s.async_read_some(buffer.prepare(size), token);
    buffer.commit(n);
    if (rec == asio::error::eof) {
      if (!parser.got_some()) co_return io_result{http::error::end_of_stream, total};
      error_code ec;
      parser.put_eof(ec);  // the message may end with the connection (a close-delimited body)
      co_return io_result{ec, total};
    }
    if (rec) co_return io_result{rec, total};
    auto ec = parse_buffered(buffer, parser, total, raw_head);
    if (ec == http::error::need_more) continue;
    if (ec || !header || parser.is_header_done()) co_return io_result{ec, total};
  }
}

}  // namespace

template <bool isRequest>
asio::awaitable<io_result> read_header(stream& s, beast::flat_buffer& buffer,
                                       http::basic_parser<isRequest>& parser,
                                       std::string_view* raw_head) {
  return read_until(s, buffer, parser, true, raw_head);
}

template <bool isRequest>
asio::awaitable<io_result> read_some(stream& s, beast::flat_buffer& buffer,
                                     http::basic_parser<isRequest>& parser) {
  return read_until(s, buffer, parser, false, nullptr);
}

template <bool isRequest>
asio::awaitable<io_result> write(stream& s, http::serializer<isRequest, http::buffer_body>& serializer,
                                 bool header_only) {
  if (header_only) serializer.split(true);
  auto finished = [&] { return header_only ? serializer.is_header_done() : serializer.is_done(); };
  if (s.is_tls()) {
    if (header_only) co_return co_await http::async_write_header(s, serializer, token);
    co_return co_await http::async_write(s, serializer, token);
  }
  std::size_t total = 0;
  while (!finished()) {
    error_code ec;
    serializer.next(ec, [&](error_code& wec, const auto& buffers) {
      auto n = s.try_write_some(buffers, wec);
      if (wec) return;
      serializer.consume(n);
      total += n;
    });
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      auto [wec] = co_await s.async_wait_writable(token);
      if (wec) co_return io_result{wec, total};
      continue;
    }
    if (ec) co_return io_result{ec, total};
  }
  co_return io_result{error_code{}, total};
}

template asio::awaitable<io_result> read_header<true>(stream&, beast::flat_buffer&,
                                                      http::basic_parser<true>&, std::string_view*);
template asio::awaitable<io_result> read_header<false>(stream&, beast::flat_buffer&,
                                                       http::basic_parser<false>&,
                                                       std::string_view*);
template asio::awaitable<io_result> read_some<true>(stream&, beast::flat_buffer&, http::basic_parser<true>&);
template asio::awaitable<io_result> read_some<false>(stream&, beast::flat_buffer&, http::basic_parser<false>&);
template asio::awaitable<io_result> write<true>(stream&, http::serializer<true, http::buffer_body>&, bool);
template asio::awaitable<io_result> write<false>(stream&, http::serializer<false, http::buffer_body>&, bool);

}  // namespace wpadkit::forward
