#include "proxycore/forward/proxy_service.hpp"

#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "proxycore/base/limits.hpp"
#include "proxycore/base/stack_thread.hpp"
#include "proxycore/forward/session.hpp"

namespace wpadkit::forward {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto token = asio::as_tuple(asio::use_awaitable);

std::string local_host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == 0) return "wpadkit";
  return buf;
}

result<tcp::acceptor> bind_acceptor(asio::io_context& ctx, const asio::ip::address& a, std::uint16_t port) {
  tcp::endpoint ep(a, port);
  tcp::acceptor acc(ctx);
  boost::system::error_code ec;
  acc.open(ep.protocol(), ec);
  if (!ec) acc.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acc.bind(ep, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return error(errc::io, "cannot listen on " + a.to_string() + ":" + std::to_string(port) + ": " +
                               ec.message());
  }
  return acc;
}

// Certificates are verified (chain and host name) for every HTTPS proxy: a proxy sees all the plain
// HTTP of its clients, so a spoofed one must not be accepted.
result<void> configure_tls(asio::ssl::context& tls, const proxy_config& c) {
  boost::system::error_code ec;
  tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                      asio::ssl::context::no_tlsv1_1,
                  ec);
  if (!ec) tls.set_default_verify_paths(ec);
  if (ec) return error(errc::config, "cannot set up TLS for HTTPS proxies: " + ec.message());
  if (!c.https_proxy_ca_file.empty()) {
    tls.load_verify_file(c.https_proxy_ca_file, ec);
    if (ec) {
      return error(errc::config, "cannot load CA certificates from '" + c.https_proxy_ca_file + "': " +
                                     ec.message());
    }
  }
  return {};
}

}  // namespace

struct proxy_service::impl {
  impl(proxy_config c, std::shared_ptr<const steady_clock_source> clock)
      : state(std::move(c), std::move(clock)) {}

  shared_state state;
  std::vector<std::unique_ptr<worker>> workers;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::vector<stack_thread> threads;
  std::optional<tcp::acceptor> acceptor;
  std::optional<tcp::acceptor> admin;
  std::uint16_t port = 0, admin_port = 0;
  std::size_t next = 0;
  std::mutex stop_mutex;
  bool stopped = false;

  std::string metrics_text() const {
    return state.stats.render(state.chooser.bad_count(), state.decisions->count());
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto& w = *workers[next++ % workers.size()];
      auto [ec, socket] = co_await acceptor->async_accept(*w.ctx, token);
      if (ec) {
        if (!acceptor->is_open() || ec == asio::error::operation_aborted) co_return;
        continue;  // e.g. EMFILE: the connection stays in the backlog; other clients are unaffected
      }
      socket.set_option(tcp::no_delay(true), ec);
      asio::co_spawn(*w.ctx, run_session(state, w, std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> admin_session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    http::request_parser<http::string_body> p;
    p.header_limit(8 * 1024);
    p.body_limit(8 * 1024);
    stream.expires_after(std::chrono::seconds(10));
    auto [ec, n] = co_await http::async_read(stream, buffer, p, token);
    if (ec) co_return;
    http::response<http::string_body> res;
    auto path = p.get().target();
    if (p.get().method() != http::verb::get && p.get().method() != http::verb::head) {
      res.result(http::status::method_not_allowed);
      res.set(http::field::allow, "GET, HEAD");
      res.body() = "only GET /metrics\n";
    } else if (path == "/metrics") {
      res.result(http::status::ok);
      res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      res.body() = metrics_text();
    } else {
      res.result(http::status::not_found);
      res.body() = "unknown path '" + std::string(path) + "': the admin listener serves /metrics\n";
    }
    res.keep_alive(false);
    res.prepare_payload();
    co_await http::async_write(stream, res, token);
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  asio::awaitable<void> admin_loop() {
    for (;;) {
      auto [ec, socket] = co_await admin->async_accept(token);
      if (ec) {
        if (!admin->is_open() || ec == asio::error::operation_aborted) co_return;
        continue;
      }
      asio::co_spawn(admin->get_executor(), admin_session(std::move(socket)), asio::detached);
    }
  }

  void close_listeners_and_idle() {
    std::mutex m;
    std::condition_variable cv;
    std::size_t pending = workers.size();
    for (auto& w : workers) {
      asio::post(*w->ctx, [this, &w, &m, &cv, &pending] {
        if (&w == &workers.front()) {
          boost::system::error_code ignored;
          if (acceptor) acceptor->close(ignored);
          if (admin) admin->close(ignored);
        }
        for (auto* client : w->clients) {
          if (client->idle) client->client->socket().close();
        }
        w->pool.clear();
        std::lock_guard lock(m);
        if (--pending == 0) cv.notify_all();
      });
    }
    std::unique_lock lock(m);
    cv.wait_for(lock, std::chrono::seconds(5), [&] { return pending == 0; });
  }

  void stop(std::chrono::milliseconds grace) {
    std::lock_guard lock(stop_mutex);
    if (stopped) return;
    stopped = true;
    state.stopping = true;
    close_listeners_and_idle();
    auto deadline = std::chrono::steady_clock::now() + grace;
    // Sessions in flight see `stopping` and close after their current response.
    while (state.stats.open_connections.load() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    guards.clear();
    for (auto& w : workers) w->ctx->stop();
    for (auto& t : threads) t.join();
    threads.clear();
    // Destroy the coroutines left (tunnels past the grace period) on their own context, before the
    // resolvers they may reference.
    for (auto& w : workers) {
      w->pool.clear();
      w->ctx->restart();
      w->ctx->poll();
    }
    acceptor.reset();
    admin.reset();
  }
};

result<std::unique_ptr<proxy_service>> proxy_service::start(proxy_config config, proxy_services services) {
  if (auto ok = validate_config(config); !ok) return std::move(ok).error();
  if (!services.decisions) return error(errc::config, "the proxy needs a PAC or a fixed proxy list");
  unsigned n = io_thread_count(config);
  auto p = std::make_unique<impl>(std::move(config), std::move(services.clock));
  auto& s = p->state;
  if (auto ok = configure_tls(s.tls, s.config); !ok) return std::move(ok).error();
  auto upstream_auth = upstream_authorizer::create(s.config.upstream_auth);
  if (!upstream_auth) return std::move(upstream_auth).error();
  s.upstream_auth = std::move(*upstream_auth);
  s.decisions = std::move(services.decisions);
  s.hosts = std::move(services.hosts);
  s.access_log = std::move(services.access_log);
  s.format = services.access_log_format;
  for (unsigned i = 0; i < n; ++i) {
    auto w = std::make_unique<worker>(s);
    if (services.use_dns) {
      auto dns = dns::async_resolver::create(w->ctx->get_executor(), services.dns);
      if (!dns) return std::move(dns).error();
      w->dns = std::move(*dns);
    }
    w->resolver = std::make_unique<origin_resolver>(s.hosts, w->dns.get(), s.stats);
    w->connect =
        std::make_unique<connector>(*w->resolver, s.config, s.via_name, s.tls, *s.upstream_auth);
    w->decision_state = s.decisions->make_thread_state();
    p->workers.push_back(std::move(w));
  }
  auto& ctx0 = *p->workers.front()->ctx;
  auto acc = bind_acceptor(ctx0, s.config.listen_address, s.config.listen_port);
  if (!acc) return std::move(acc).error();
  p->acceptor.emplace(std::move(*acc));
  p->port = p->acceptor->local_endpoint().port();
  s.via_name = s.config.via_name.empty() ? local_host_name() + ":" + std::to_string(p->port)
                                         : s.config.via_name;
  if (s.config.admin_enabled) {
    auto admin = bind_acceptor(ctx0, s.config.admin_address, s.config.admin_port);
    if (!admin) return std::move(admin).error();
    p->admin.emplace(std::move(*admin));
    p->admin_port = p->admin->local_endpoint().port();
    asio::co_spawn(ctx0, p->admin_loop(), asio::detached);
  }
  asio::co_spawn(ctx0, p->accept_loop(), asio::detached);
  for (auto& w : p->workers) {
    p->guards.push_back(asio::make_work_guard(*w->ctx));
    auto t = stack_thread::start(limits::pac_call_stack_bytes, [ctx = w->ctx] { ctx->run(); },
                                 "proxy-io/" + std::to_string(p->threads.size()));
    if (!t) {
      p->stop(std::chrono::milliseconds(0));  // the threads started so far
      return std::move(t).error();
    }
    p->threads.push_back(std::move(*t));
  }
  return std::unique_ptr<proxy_service>(new proxy_service(std::move(p)));
}

proxy_service::proxy_service(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

proxy_service::~proxy_service() {
  if (impl_) impl_->stop(std::chrono::milliseconds(0));
}

void proxy_service::stop() { impl_->stop(impl_->state.config.shutdown_grace); }
std::uint16_t proxy_service::port() const { return impl_->port; }
std::uint16_t proxy_service::admin_port() const { return impl_->admin_port; }
const std::string& proxy_service::via_name() const { return impl_->state.via_name; }
const metrics& proxy_service::stats() const { return impl_->state.stats; }
std::string proxy_service::render_metrics() const {
  return impl_->metrics_text();
}

}  // namespace wpadkit::forward
