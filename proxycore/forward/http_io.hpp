#pragma once
// forward::http_io — reads and writes HTTP messages on a forward::stream with Beast's parser and
// serializer: the same results as http::async_read_header / async_read_some / async_write(_header),
// with fewer layers on the per-request path (measured: Beast's composed operations were a large share
// of the proxy's user-space time per request):
//  - bytes already buffered (a body that arrived with its head, a pipelined request) are parsed at
//    once, with no I/O operation (Beast's read_some posts its completion in that case);
//  - on plain TCP a write is first tried as a non-blocking send, which takes a whole small message;
//    only what the socket does not take waits for the socket to become writable. TLS streams take
//    Beast's asynchronous path.
// Errors are Beast's (http::error::end_of_stream when the peer closed before a message began,
// partial_message, header_limit, need_buffer when a buffer_body needs its next buffer, ...), and
// beast::error::timeout when the stream's deadline passes. All complete on the stream's executor.
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/serializer.hpp>
#include <cstddef>
#include <string_view>
#include <tuple>

#include "proxycore/forward/stream.hpp"

namespace wpadkit::forward {

using io_result = std::tuple<boost::system::error_code, std::size_t>;

// Reads until the parser has the whole header (bytes parsed). With `raw_head`, it is set to the head's
// bytes as received (start line to the empty line): Beast parses a head in one piece, from one
// contiguous buffer, so they are the bytes of that last parse. The view points into `buffer`'s memory
// and is valid until the buffer is next read into or grown: check it at once.
template <bool isRequest>
boost::asio::awaitable<io_result> read_header(stream& s, boost::beast::flat_buffer& buffer,
                                              boost::beast::http::basic_parser<isRequest>& parser,
                                              std::string_view* raw_head = nullptr);

// Parses what is buffered, reading once more only when that makes no progress (bytes parsed).
template <bool isRequest>
boost::asio::awaitable<io_result> read_some(stream& s, boost::beast::flat_buffer& buffer,
                                            boost::beast::http::basic_parser<isRequest>& parser);

// Writes the head only (`header_only`), or until the serializer is done or needs the next body buffer
// (then the error is need_buffer). Bytes written.
template <bool isRequest>
boost::asio::awaitable<io_result> write(
    stream& s, boost::beast::http::serializer<isRequest, boost::beast::http::buffer_body>& serializer,
    bool header_only);

}  // namespace wpadkit::forward
