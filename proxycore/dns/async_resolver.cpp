#include "proxycore/dns/async_resolver.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <unordered_map>

#include "proxycore/dns/ares_error.hpp"
#include "proxycore/dns/channel.hpp"

namespace wpadkit::dns {
namespace asio = boost::asio;

namespace {

using handler_type = asio::any_completion_handler<async_resolver::completion_signature>;

// One lookup. Shared by c-ares' callback argument, the deadline timer and the cancellation slot;
// whichever comes first completes the handler, the others find it gone.
struct lookup_op {
  lookup_op(async_resolver::executor_type e, handler_type h, std::string n, family fam)
      : ex(std::move(e)), handler(std::move(h)), host(std::move(n)), f(fam), deadline(ex) {}

  async_resolver::executor_type ex;
  handler_type handler;  // empty once completed
  asio::cancellation_slot slot;
  std::string host;
  family f;
  asio::steady_timer deadline;

  // Posts the handler (never runs it inline: we may be inside c-ares or async_resolve).
  void complete(std::error_code ec, answer a = {}) {
    if (!handler) return;
    if (slot.is_connected()) slot.clear();
    deadline.cancel();
    auto h = std::move(handler);
    handler = nullptr;
    // post() runs it through the handler's associated executor (default: the resolver's).
    asio::post(ex, asio::append(std::move(h), ec, std::move(a)));
  }
};

// A c-ares socket watched by the reactor. The descriptor never owns the socket: c-ares closes it.
struct socket_watch {
  socket_watch(const async_resolver::executor_type& ex, ares_socket_t fd) : desc(ex, fd) {}
  asio::posix::stream_descriptor desc;
  bool want_read = false;
  bool want_write = false;
  bool reading = false;
  bool writing = false;
  bool gone = false;
};

}  // namespace

struct async_resolver::impl : std::enable_shared_from_this<impl> {
  impl(executor_type e, resolver_options o, std::shared_ptr<answer_cache> c)
      : ex(std::move(e)), options(std::move(o)), cache(std::move(c)), timer(ex) {}

  executor_type ex;
  resolver_options options;
  std::shared_ptr<answer_cache> cache;
  std::optional<channel> chan;
  asio::steady_timer timer;  // c-ares' retry timeouts
  std::unordered_map<ares_socket_t, std::shared_ptr<socket_watch>> sockets;
  std::size_t pending = 0;
  bool closed = false;

  static void on_socket_state(void* data, ares_socket_t fd, int readable, int writable);
  static void on_addrinfo(void* arg, int status, int timeouts, ares_addrinfo* info);
  void start(std::shared_ptr<lookup_op> op);
  void arm(const std::shared_ptr<socket_watch>& w, ares_socket_t fd);
  void reset_timer();
  void shutdown();
};

void async_resolver::impl::on_socket_state(void* data, ares_socket_t fd, int readable,
                                           int writable) {
  auto* self = static_cast<impl*>(data);
  auto it = self->sockets.find(fd);
  if (!readable && !writable) {  // c-ares is about to close fd
    if (it == self->sockets.end()) return;
    it->second->gone = true;
    boost::system::error_code ignored;
    it->second->desc.cancel(ignored);
    it->second->desc.release();
    self->sockets.erase(it);
    return;
  }
  if (it == self->sockets.end()) {
    it = self->sockets.emplace(fd, std::make_shared<socket_watch>(self->ex, fd)).first;
  }
  it->second->want_read = readable;
  it->second->want_write = writable;
  if (!self->closed) self->arm(it->second, fd);
}

void async_resolver::impl::arm(const std::shared_ptr<socket_watch>& w, ares_socket_t fd) {
  auto on_ready = [self = shared_from_this(), w, fd](bool read, boost::system::error_code ec) {
    (read ? w->reading : w->writing) = false;
    if (ec || w->gone || self->closed) return;
    ares_process_fd(self->chan->get(), read ? fd : ARES_SOCKET_BAD, read ? ARES_SOCKET_BAD : fd);
    if (!w->gone) self->arm(w, fd);
    self->reset_timer();
  };
  if (w->want_read && !w->reading) {
    w->reading = true;
    w->desc.async_wait(asio::posix::descriptor_base::wait_read,
                       [on_ready](boost::system::error_code ec) { on_ready(true, ec); });
  }
  if (w->want_write && !w->writing) {
    w->writing = true;
    w->desc.async_wait(asio::posix::descriptor_base::wait_write,
                       [on_ready](boost::system::error_code ec) { on_ready(false, ec); });
  }
}

void async_resolver::impl::reset_timer() {
  timeval tv{};
  if (closed || !ares_timeout(chan->get(), nullptr, &tv)) {
    timer.cancel();
    return;
  }
  timer.expires_after(std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec));
  timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->closed) return;
    ares_process_fd(self->chan->get(), ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    self->reset_timer();
  });
}

void async_resolver::impl::on_addrinfo(void* arg, int status, int /*timeouts*/,
                                       ares_addrinfo* info) {
  std::unique_ptr<std::pair<impl*, std::shared_ptr<lookup_op>>> ctx(
      static_cast<std::pair<impl*, std::shared_ptr<lookup_op>>*>(arg));
  auto& [self, op] = *ctx;
  --self->pending;
  result<answer> out = error(errc::dns_failure);
  if (status == ARES_SUCCESS) {
    out = answer_from_addrinfo(info, op->f, op->host);
  } else {
    out = error_from_ares(status, "cannot resolve '" + op->host + "'");
  }
  if (info) ares_freeaddrinfo(info);
  if (self->cache && status != ARES_EDESTRUCTION) self->cache->store(op->host, op->f, out);
  if (out) {
    op->complete({}, std::move(*out));
  } else {
    op->complete(out.error().code);
  }
}

void async_resolver::impl::start(std::shared_ptr<lookup_op> op) {
  if (closed) return op->complete(std::make_error_code(std::errc::operation_canceled));
  auto ready = answer_for_literal(op->host, op->f);
  if (!ready && op->host.empty())
    ready = result<answer>(error(errc::dns_not_found, "empty host name"));
  if (!ready && cache) ready = cache->find(op->host, op->f);
  if (ready) {
    if (*ready) return op->complete({}, std::move(**ready));
    return op->complete(ready->error().code);
  }
  op->slot = asio::get_associated_cancellation_slot(op->handler);
  if (op->slot.is_connected()) {
    op->slot.assign([weak = std::weak_ptr<lookup_op>(op)](asio::cancellation_type) {
      if (auto o = weak.lock()) o->complete(std::make_error_code(std::errc::operation_canceled));
    });
  }
  op->deadline.expires_after(options.timeout);
  op->deadline.async_wait([weak = std::weak_ptr<lookup_op>(op)](boost::system::error_code ec) {
    auto o = weak.lock();
    if (!ec && o) o->complete(make_error_code(errc::dns_timeout));
  });
  ++pending;
  ares_addrinfo_hints hints{};
  hints.ai_family = ares_family(op->f);
  const char* name = op->host.c_str();
  ares_getaddrinfo(chan->get(), name, nullptr, &hints, &impl::on_addrinfo,
                   new std::pair<impl*, std::shared_ptr<lookup_op>>(this, std::move(op)));
  reset_timer();
}

void async_resolver::impl::shutdown() {
  closed = true;
  timer.cancel();
  chan.reset();  // ares_destroy: every pending lookup completes with ARES_EDESTRUCTION, sockets
                 // close
  for (auto& [fd, w] : sockets) {
    w->gone = true;
    boost::system::error_code ignored;
    w->desc.cancel(ignored);
    w->desc.release();
  }
  sockets.clear();
}

result<std::unique_ptr<async_resolver>> async_resolver::create(
    executor_type ex, resolver_options options, std::shared_ptr<answer_cache> cache) {
  auto state = std::make_shared<impl>(ex, std::move(options), std::move(cache));
  auto chan = channel::open(state->options, &impl::on_socket_state, state.get());
  if (!chan) return chan.error();
  state->chan.emplace(std::move(*chan));
  return std::unique_ptr<async_resolver>(new async_resolver(std::move(ex), std::move(state)));
}

async_resolver::async_resolver(executor_type ex, std::shared_ptr<impl> state)
    : executor_(std::move(ex)), impl_(std::move(state)) {}

async_resolver::~async_resolver() {
  impl_->shutdown();
}

std::size_t async_resolver::pending() const noexcept {
  return impl_->pending;
}

void async_resolver::start(std::string host, family f, handler_type handler) {
  auto op = std::make_shared<lookup_op>(executor_, std::move(handler), std::move(host), f);
  asio::dispatch(executor_,
                 [state = impl_, op = std::move(op)]() mutable { state->start(std::move(op)); });
}

}  // namespace wpadkit::dns
