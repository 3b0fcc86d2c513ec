#pragma once
// forward::relay — streams one HTTP message body from a parser on one connection to a serializer on
// another, through a fixed buffer (Beast's buffer_body relay pattern): at most `buffer_size` bytes
// of the body are in memory at any time, whatever its length or framing (chunked is re-chunked,
// Content-Length passes as is). The head must already be written with the same serializer.
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <chrono>
#include <cstdint>

namespace wpadkit::forward {

struct relay_outcome {
  boost::system::error_code read_error;   // from the side being read (the message's sender)
  boost::system::error_code write_error;  // from the side being written
  std::uint64_t bytes_written = 0;        // body bytes on the wire (chunk framing included)
  bool complete() const { return !read_error && !write_error; }
};

struct relay_deadlines {
  std::chrono::milliseconds read;
  std::chrono::milliseconds write;
};

// Completes on the streams' executor (both on the same I/O thread).
template <bool isRequest>
boost::asio::awaitable<relay_outcome> relay_body(
    boost::beast::tcp_stream& in, boost::beast::flat_buffer& in_buffer,
    boost::beast::http::parser<isRequest, boost::beast::http::buffer_body>& parser,
    boost::beast::tcp_stream& out,
    boost::beast::http::serializer<isRequest, boost::beast::http::buffer_body>& serializer,
    std::size_t buffer_size, relay_deadlines deadlines);

}  // namespace wpadkit::forward
