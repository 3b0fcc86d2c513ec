#pragma once
// forward::tunnel — copies bytes both ways between a client and an upstream after CONNECT, until
// both sides have closed (a half-close is passed on with shutdown(send)), either side fails, or
// neither side has sent anything for `idle_timeout`. A direction holds a buffer only while bytes
// flow: it first waits for readability with no buffer, so an idle tunnel costs two sockets and a
// coroutine frame (over TLS to an HTTPS proxy, the upstream direction reads at once instead: bytes may
// already wait inside the TLS layer).
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <cstdint>

#include "proxycore/forward/stream.hpp"

namespace wpadkit::forward {

struct tunnel_totals {
  std::uint64_t client_to_upstream = 0;
  std::uint64_t upstream_to_client = 0;
};

// `client_pending`/`upstream_pending`: bytes already read from each side and not yet passed on
// (a pipelined TLS ClientHello, or a server-first greeting read with the CONNECT response); they are
// sent first. Completes on the streams' executor.
boost::asio::awaitable<tunnel_totals> run_tunnel(stream& client,
                                                 boost::beast::flat_buffer& client_pending,
                                                 stream& upstream,
                                                 boost::beast::flat_buffer& upstream_pending,
                                                 std::size_t buffer_size,
                                                 std::chrono::milliseconds idle_timeout);

}  // namespace wpadkit::forward
