#pragma once
// forward::relay — streams one HTTP message from a parser on one connection to a serializer on
// another, through a fixed buffer (Beast's buffer_body relay pattern): at most `buffer_size` bytes
// of the body are in memory at any time, whatever its length or framing (chunked is re-chunked,
// Content-Length passes as is). Each read passes on what arrived at once (read_some), so a slowly
// streamed body (server-sent events, long polling) is not held back until the buffer fills.
//
// The head may be written already with the same serializer, or not: then it goes out together with
// the first piece of the body in one write when that piece is already buffered (the usual small
// response, read with its head), and alone first otherwise, so the client sees a head at once.
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <chrono>
#include <cstdint>

#include "proxycore/forward/stream.hpp"

namespace wpadkit::forward {

struct relay_outcome {
  boost::system::error_code read_error;   // from the side being read (the message's sender)
  boost::system::error_code write_error;  // from the side being written
  std::uint64_t bytes_written = 0;        // bytes on the wire (head if written here, chunk framing)
  bool complete() const { return !read_error && !write_error; }
};

struct relay_deadlines {
  std::chrono::milliseconds read;
  std::chrono::milliseconds write;
};

// Relays the body (and the head, if the serializer has not written it). Completes on the streams'
// executor (both on the same I/O thread).
template <bool isRequest>
boost::asio::awaitable<relay_outcome> relay_body(
    stream& in, boost::beast::flat_buffer& in_buffer,
    boost::beast::http::parser<isRequest, boost::beast::http::buffer_body>& parser, stream& out,
    boost::beast::http::serializer<isRequest, boost::beast::http::buffer_body>& serializer,
    std::size_t buffer_size, relay_deadlines deadlines);

}  // namespace wpadkit::forward
