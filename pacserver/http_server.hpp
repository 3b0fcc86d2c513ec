#pragma once
// http_server: pacserver's HTTP/1.1 listener, on Boost.Beast's parser and the connection stream of
// the forwarding proxy (proxycore/forward/stream.hpp, http_io.hpp): one HTTP server stack in the
// project. It accepts on every listen address, reads each request under the [limits] of the
// config, refuses a bad one with its status and a close, and hands the others to http_service,
// answering pipelined requests one after another, in order.
//
// Why not cpp-httplib, which served before: it bounded neither the request head nor the
// connections (one client sending 16 MB of header fields grew pacserver by 106 MB, then got 200),
// it answered 200 to malformed heads (a field line without a colon, NUL or a bare CR/LF in a value,
// two Host fields, HTTP/1.1 without Host), and it left the second of two pipelined requests
// unanswered. Beast's parser is strict (request_checks.hpp lists what it refuses and what we add),
// stops at a head limit, and leaves pipelined bytes in the buffer for the next request.
//
// Per connection, from [limits]:
//   head       the first request's head within read_timeout of the accept; a later one within
//              keep_alive_timeout of idle (holding no buffer) and then read_timeout once its
//              first byte came; a deadline passing mid-head → 408
//   size       head ≤ max_head_bytes (431), request-line ≤ max_line_bytes (414), each field line
//              ≤ max_line_bytes and ≤ max_header_fields fields (431), body ≤ max_request_bytes (413)
//   answer     taken by the client within write_timeout, else the connection is dropped
//   requests   at most keep_alive_requests, the last one answered with Connection: close
// A refused request (400, 408, 413, 414, 431, 505) is answered with Connection: close; then the
// server stops sending and reads and discards what the client still sends, for at most
// linger_bytes or linger_time, before it closes: closing with unread bytes would send a reset,
// which can destroy the answer before the client reads it (RFC 9112 §9.6).
//
// Connections: at most max_connections open at once, over all listen addresses. At the limit the
// server stops accepting: a new connection waits in the kernel's listen backlog and is served as
// soon as one closes (an idle one closes after keep_alive_timeout, a slow head after
// read_timeout), and pacserver_connection_limit_waits_total counts each pause. Waiting rather than
// answering 503: a WPAD client that waits gets its PAC; one refused goes without a proxy
// configuration until it retries. Clients already connected are served meanwhile.
//
// Threads: limits.threads I/O threads ("pacserver-io/N") share every listener; each connection is
// a coroutine on its own strand. stop() (or the destructor) stops accepting, closes every
// connection waiting for a request, lets answers being written finish, and joins the threads.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <vector>

#include "pacserver/config.hpp"
#include "pacserver/http_service.hpp"
#include "proxycore/base/stack_thread.hpp"

namespace wpadkit::pacserver {

class http_server {
 public:
  // Binds every address (nothing is accepted until start()). `service` must outlive the server.
  // Errors: errc::io naming the address that cannot be bound, and why.
  static result<std::unique_ptr<http_server>> bind(const std::vector<listen_address>& addresses,
                                                   const limits_config& limits,
                                                   http_service& service);
  ~http_server();  // stop()
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  // The addresses bound, in the order given, with the real port where 0 was asked.
  const std::vector<listen_address>& addresses() const { return bound_; }

  // Starts the I/O threads. Errors: errc::limit when a thread cannot be started.
  result<void> start();
  // Stops serving (see above) and joins the threads. Idempotent; not from an I/O thread.
  void stop();

 private:
  struct connection;
  using tcp = boost::asio::ip::tcp;

  http_server(const limits_config& limits, http_service& service);
  boost::asio::awaitable<void> accept_loop(tcp::acceptor& acceptor);
  void start_connection(tcp::socket socket);
  void connection_ended();  // on the accept strand

  limits_config limits_;
  http_service& service_;
  boost::asio::io_context ctx_;
  boost::asio::strand<boost::asio::io_context::executor_type> accept_strand_;
  std::vector<tcp::acceptor> acceptors_;
  std::vector<listen_address> bound_;
  // On accept_strand_: connections open, and a timer that never expires, cancelled to wake the
  // accept loops waiting for a free slot.
  std::size_t open_ = 0;
  boost::asio::steady_timer slot_freed_;
  std::atomic<bool> stopping_{false};
  std::mutex registry_mutex_;  // guards connections_
  std::list<std::weak_ptr<connection>> connections_;
  std::vector<stack_thread> threads_;
};

}  // namespace wpadkit::pacserver
