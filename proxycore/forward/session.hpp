#pragma once
// forward::session — one client connection, as one coroutine: read a request head (with its size
// limit and deadline), check it (ACL, framing, target, loop, TRACE/Max-Forwards), ask the PAC, then
// forward it (trying the list's hops in order, failing over before any byte went upstream) or open a
// CONNECT tunnel; repeat while keep-alive holds. A failure ends this connection only.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "proxycore/forward/service_state.hpp"

namespace wpadkit::forward {

// Runs the connection to its end on `w`'s io_context. `s` and `w` outlive it.
boost::asio::awaitable<void> run_session(shared_state& s, worker& w, boost::asio::ip::tcp::socket socket);

}  // namespace wpadkit::forward
