#pragma once
// forward::tunnel — copies bytes both ways between a client and an upstream after CONNECT, until
// both sides have closed (a half-close is passed on with shutdown(send)), either side fails, or
// neither side has sent anything for `idle_timeout`.
//
// Built for many idle tunnels: the two directions are plain Asio handler chains around one small
// shared state, not coroutines (a coroutine frame per direction plus the awaitable operators that
// join them cost several KiB per tunnel). A direction holds a buffer only while bytes flow: it waits
// for readability with no buffer, reads in non-blocking bursts while data keeps coming, and frees the
// buffer when the burst ends. A burst that fills the buffer is bulk: between plain TCP sockets the
// rest of it moves with splice(2) through a pipe opened for the burst, so the bytes never enter our
// memory (about half the CPU per byte). Over TLS (an HTTPS proxy) a direction reads at once instead,
// since bytes may already wait inside the TLS layer. One timer, re-armed lazily, watches the idle limit.
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
