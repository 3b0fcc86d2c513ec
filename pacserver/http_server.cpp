#include "pacserver/http_server.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/write.hpp>

#include "pacserver/request_checks.hpp"
#include "proxycore/forward/error_response.hpp"
#include "proxycore/forward/http_io.hpp"
#include "proxycore/forward/stream.hpp"

namespace wpadkit::pacserver {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
constexpr auto token = asio::as_tuple(asio::use_awaitable);

// After a refusal: how much the client may still send, and for how long, before the close.
constexpr std::size_t linger_bytes = 64 * 1024;
constexpr std::chrono::milliseconds linger_time{2000};
// An accept that fails for want of resources (EMFILE, ENFILE, ENOBUFS) is retried after this; the
// connection waits in the backlog meanwhile.
constexpr std::chrono::milliseconds accept_retry{50};

std::string seconds_text(std::chrono::milliseconds d) {
  const auto ms = d.count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

// The errors of a peer that went away (nothing to answer to).
bool is_disconnect(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::operation_aborted ||
         ec == asio::error::bad_descriptor || ec == http::error::end_of_stream;
}

// SO_REUSEADDR for quick restarts, and IPV6_V6ONLY so that "[::]:8080" and "0.0.0.0:8080" can
// both be bound (the default config does). Not SO_REUSEPORT, which would let a second pacserver
// silently share our port.
result<tcp::acceptor> bind_one(asio::io_context& ctx, const listen_address& a) {
  const auto fail = [&](const std::string& why) {
    return error(errc::io, "cannot listen on " + a.to_string() + ": " + why);
  };
  error_code ec;
  tcp::endpoint ep;
  const auto address = asio::ip::make_address(a.host, ec);
  if (!ec) {
    ep = {address, static_cast<std::uint16_t>(a.port)};
  } else {
    tcp::resolver resolver(ctx);
    auto found = resolver.resolve(a.host, std::to_string(a.port), tcp::resolver::passive, ec);
    if (ec || found.empty()) return fail("cannot resolve '" + a.host + "'");
    ep = found.begin()->endpoint();
  }
  tcp::acceptor acc(ctx);
  acc.open(ep.protocol(), ec);
  if (!ec) acc.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec && ep.protocol() == tcp::v6()) acc.set_option(asio::ip::v6_only(true), ec);
  if (!ec) acc.bind(ep, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) acc.non_blocking(true, ec);
  if (ec) return fail(ec.message());  // "Address already in use", "Permission denied", ...
  return acc;
}

}  // namespace

// One client connection: a coroutine on its own strand, answering requests until the client
// closes, a limit or a refusal closes it, or the server stops.
struct http_server::connection {
  connection(http_server& server, tcp::socket socket)
      : server(server),
        limits(server.limits_),
        stream(std::move(socket)),
        // Room for a whole head and a little more: the parser refuses an over-long head before
        // the buffer is full, and a flood is read at most this much at a time.
        buffer(limits.max_head_bytes + 1024) {
    error_code ec;
    peer = stream.socket().remote_endpoint(ec).address().to_string();
    stream.socket().set_option(tcp::no_delay(true), ec);
  }

  asio::awaitable<void> run();
  asio::awaitable<bool> answer(http::request_parser<http::string_body>& p,
                               const checked_request& checked);
  asio::awaitable<void> refuse(http::request_parser<http::string_body>& p, int status,
                               const std::string& why);
  asio::awaitable<bool> send(http_response& res, bool head_request, bool keep, unsigned version);
  asio::awaitable<void> linger_close();
  // Called by stop() on the connection's strand.
  void stop_if_waiting() {
    if (waiting) stream.close();
  }

  http_server& server;
  const limits_config& limits;
  forward::stream stream;
  beast::flat_buffer buffer;
  std::string peer;
  // Waiting for a request (or in the linger after a refusal): stop() closes it at once.
  bool waiting = true;
  std::size_t answered = 0;
  std::list<std::weak_ptr<connection>>::iterator registered;
};

asio::awaitable<void> http_server::connection::run() {
  bool first = true;
  for (;;) {
    waiting = true;
    if (server.stopping_) break;
    if (!first && buffer.size() == 0) {
      // Idle between requests, holding no buffer (a kept-alive connection costs only its
      // socket and this frame); a pipelined request skips this.
      buffer.shrink_to_fit();
      stream.expires_after(limits.keep_alive_timeout);
      auto [ec] = co_await stream.async_wait_readable(token);
      if (ec) break;  // the keep-alive ended, the client went, or stop() closed it
    }
    stream.expires_after(limits.read_timeout);
    http::request_parser<http::string_body> p;
    p.header_limit(static_cast<std::uint32_t>(limits.max_head_bytes));
    p.body_limit(limits.max_request_bytes);
    error_code ec = std::get<0>(co_await forward::read_header(stream, buffer, p));
    // A body (PAC requests have none) is read whole, within the same deadline, so that the next
    // request starts where it ends.
    while (!ec && !p.is_done()) ec = std::get<0>(co_await forward::read_some(stream, buffer, p));
    if (ec) {
      const bool began = p.got_some() || buffer.size() != 0;
      if (ec == beast::error::timeout) {
        if (began) {
          co_await refuse(p, 408, "the request did not arrive within " +
                                      seconds_text(limits.read_timeout));
        }
      } else if (ec == http::error::bad_version) {
        const auto data = buffer.data();
        const auto status = status_for_bad_version(
            std::string_view(static_cast<const char*>(data.data()), data.size()));
        co_await refuse(p, status, status == 505 ? "only HTTP/1.0 and HTTP/1.1 are supported"
                                                 : "malformed request: bad version");
      } else if (ec == http::error::buffer_overflow) {
        co_await refuse(p, 431, "the request head is larger than the limit");
      } else if (!is_disconnect(ec) && ec != http::error::partial_message) {
        auto [status, why] = forward::status_for_parse_error(ec);
        co_await refuse(p, static_cast<int>(status), why);
      }
      break;
    }
    auto checked = check_request_head(p.get(), {limits.max_line_bytes, limits.max_header_fields});
    if (auto* refusal = std::get_if<head_refusal>(&checked)) {
      co_await refuse(p, refusal->status, refusal->reason);
      break;
    }
    first = false;
    if (!co_await answer(p, std::get<checked_request>(checked))) break;
  }
  stream.close();
}

asio::awaitable<bool> http_server::connection::answer(http::request_parser<http::string_body>& p,
                                                      const checked_request& checked) {
  waiting = false;
  const auto& req = p.get();
  const service_request sr{req.method_string(), checked.path, checked.host, peer, &req.base()};
  auto res = server.service_.respond(sr);
  const bool keep =
      req.keep_alive() && ++answered < limits.keep_alive_requests && !server.stopping_;
  const bool sent = co_await send(res, req.method() == http::verb::head, keep, req.version());
  server.service_.log(sr, res);
  // After an answer with Connection: close, only bytes the client already sent beyond this request
  // (pipelined after it) say it may still be sending: then linger as after a refusal. Otherwise the
  // client reads the answer and closes; the slot is freed at once.
  if (sent && !keep && buffer.size() != 0) co_await linger_close();
  co_return sent && keep;
}

asio::awaitable<void> http_server::connection::refuse(http::request_parser<http::string_body>& p,
                                                      int status, const std::string& why) {
  waiting = false;
  const auto& req = p.get();
  // What was read of the head is not trusted for anything but the log line.
  const std::string_view method_read = req.method_string(), target_read = req.target();
  const std::string_view method = method_read.empty() ? std::string_view{"-"} : method_read;
  const std::string_view target = target_read.empty() ? std::string_view{"-"} : target_read;
  const service_request sr{method, target, {}, peer, nullptr};
  auto res = plain_response(status, std::to_string(status) + " " +
                                        std::string(http::obsolete_reason(
                                            static_cast<http::status>(status))) +
                                        ": " + why);
  const bool sent = co_await send(res, false, false, 11);
  server.service_.log(sr, res);
  if (sent) co_await linger_close();
}

asio::awaitable<bool> http_server::connection::send(http_response& res, bool head_request,
                                                    bool keep, unsigned version) {
  res.version(11);  // our version, whatever the client's (RFC 9110 §6.2)
  res.set(http::field::date, http_date(std::chrono::system_clock::now()));
  res.keep_alive(keep);
  // An HTTP/1.0 client keeps the connection only when told so (RFC 9112 §9.3).
  if (keep && version == 10) res.set(http::field::connection, "keep-alive");
  const auto status = res.result_int();
  if (status == 304 || status == 204 || status < 200) {
    // No body, and no Content-Length: a 304 may only carry the 200's (RFC 9110 §8.6), and it ends
    // at its head anyway (RFC 9112 §6.3).
    res.body().clear();
    res.erase(http::field::content_length);
  } else if (head_request) {
    res.content_length(res.body().size());  // what GET would send (RFC 9110 §9.3.2)
    res.body().clear();
  } else {
    res.prepare_payload();
  }
  stream.expires_after(limits.write_timeout);
  auto [ec, n] = co_await http::async_write(stream, res, token);
  co_return !ec;
}

asio::awaitable<void> http_server::connection::linger_close() {
  waiting = true;  // stop() may cut it short
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  if (server.stopping_) co_return;
  stream.expires_after(std::min<std::chrono::milliseconds>(linger_time, limits.read_timeout));
  std::size_t discarded = 0;
  while (discarded < linger_bytes) {
    buffer.consume(buffer.size());
    auto [ec, n] = co_await stream.async_read_some(
        buffer.prepare(std::min<std::size_t>(4096, buffer.max_size())), token);
    if (ec) break;
    discarded += n;
  }
}

http_server::http_server(const limits_config& limits, http_service& service)
    : limits_(limits),
      service_(service),
      ctx_(static_cast<int>(limits.threads)),
      accept_strand_(asio::make_strand(ctx_)),
      slot_freed_(accept_strand_, std::chrono::steady_clock::time_point::max()) {}

result<std::unique_ptr<http_server>> http_server::bind(const std::vector<listen_address>& addresses,
                                                       const limits_config& limits,
                                                       http_service& service) {
  std::unique_ptr<http_server> s(new http_server(limits, service));
  for (const auto& a : addresses) {
    auto acc = bind_one(s->ctx_, a);
    if (!acc) return std::move(acc).error();
    error_code ec;
    const auto port = acc->local_endpoint(ec).port();
    s->bound_.push_back({a.host, static_cast<int>(port)});
    s->acceptors_.push_back(std::move(*acc));
  }
  return s;
}

result<void> http_server::start() {
  for (auto& acc : acceptors_) asio::co_spawn(accept_strand_, accept_loop(acc), asio::detached);
  for (std::size_t i = 0; i < limits_.threads; ++i) {
    auto t = stack_thread::start(
        1024 * 1024, [this] { ctx_.run(); }, "pacserver-io/" + std::to_string(i));
    if (!t) return std::move(t).error();
    threads_.push_back(std::move(*t));
  }
  return {};
}

asio::awaitable<void> http_server::accept_loop(tcp::acceptor& acceptor) {
  // Runs on accept_strand_, like every change of open_, so that "a slot is free" and "accept"
  // happen with nothing in between: at most max_connections are ever open.
  asio::steady_timer retry(accept_strand_);
  for (;;) {
    if (open_ >= limits_.max_connections && !stopping_) {
      service_.counters().count_limit_wait();
      while (open_ >= limits_.max_connections && !stopping_) {
        co_await slot_freed_.async_wait(token);
      }
    }
    if (stopping_) co_return;
    auto [ec] = co_await acceptor.async_wait(tcp::acceptor::wait_read, token);
    if (stopping_ || !acceptor.is_open()) co_return;
    if (ec) continue;
    if (open_ >= limits_.max_connections) continue;  // another listener took the last slot
    tcp::socket socket(asio::make_strand(ctx_));
    acceptor.accept(socket, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) continue;
    if (ec) {
      retry.expires_after(accept_retry);
      co_await retry.async_wait(token);
      continue;
    }
    ++open_;
    service_.counters().connection_opened();
    start_connection(std::move(socket));
  }
}

void http_server::start_connection(tcp::socket socket) {
  auto ex = socket.get_executor();
  auto c = std::make_shared<connection>(*this, std::move(socket));
  {
    std::lock_guard lock(registry_mutex_);
    c->registered = connections_.insert(connections_.end(), c);
  }
  asio::co_spawn(
      ex,
      [c]() -> asio::awaitable<void> {
        co_await c->run();
        {
          std::lock_guard lock(c->server.registry_mutex_);
          c->server.connections_.erase(c->registered);
        }
        asio::post(c->server.accept_strand_, [s = &c->server] { s->connection_ended(); });
      },
      asio::detached);
}

void http_server::connection_ended() {
  --open_;
  service_.counters().connection_closed();
  slot_freed_.cancel();
}

void http_server::stop() {
  if (stopping_.exchange(true)) return;
  asio::post(accept_strand_, [this] {
    error_code ignored;
    for (auto& acc : acceptors_) acc.close(ignored);
    slot_freed_.cancel();
  });
  {
    std::lock_guard lock(registry_mutex_);
    for (auto& weak : connections_) {
      if (auto c = weak.lock()) {
        asio::post(c->stream.get_executor(), [c] { c->stop_if_waiting(); });
      }
    }
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
}

http_server::~http_server() { stop(); }

}  // namespace wpadkit::pacserver
