#pragma once
// async_resolver: non-blocking DNS lookups through c-ares on a Boost.Asio executor, for the
// forwarding proxy's event loop. c-ares' sockets are watched by the executor's reactor and its
// retry timeouts are driven by an Asio timer; nothing ever blocks the thread.
//
// c-ares' sockets are watched with posix::stream_descriptor::async_wait (the descriptor never owns
// the socket; c-ares opens and closes it and tells us through its socket-state callback).
//
// One c-ares channel per resolver object. The object is used from ONE thread or strand: create it,
// call async_resolve and destroy it on its executor (async_resolve may be called from elsewhere;
// the start of the lookup is dispatched to the executor). The execution context must outlive the
// resolver and every pending completion handler. (On an io_context run by several threads, keep the
// resolver on a strand: Asio's reactor is edge-triggered, and a readiness edge taken by another
// thread between c-ares draining a socket and the next wait costs one c-ares retry, not a hang.)
//
// Lookup semantics are those of ares_resolver (see there): /etc/hosts first unless disabled, the
// search list from resolv.conf (or the options), IP literals answer themselves, v4/v6/any; the
// answer's ttl is the smallest TTL of the records returned (0 for hosts-file and literal answers).
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "proxycore/base/error.hpp"
#include "proxycore/dns/answer_cache.hpp"
#include "proxycore/dns/host_resolver.hpp"
#include "proxycore/dns/resolver_options.hpp"

namespace wpadkit::dns {

class async_resolver {
 public:
  using executor_type = boost::asio::any_io_executor;
  using completion_signature = void(std::error_code, answer);

  // Opens the channel (reads resolv.conf unless options replace it). With `cache`, lookups are
  // answered from it when fresh and their outcomes stored in it (it may be shared with other
  // resolvers and threads; its counters are the proxy's DNS cache metrics).
  // Errors: errc::config (a server that is not "ip", "ip:port", "[v6]" or "[v6]:port"),
  //         errc::dns_failure (c-ares could not set up a channel, e.g. no usable resolv.conf).
  static result<std::unique_ptr<async_resolver>> create(
      executor_type ex, resolver_options options = {},
      std::shared_ptr<answer_cache> cache = nullptr);

  // Cancels every pending lookup: each handler still completes (never inline in the destructor; it
  // is posted to its executor) with an error equal to std::errc::operation_canceled.
  ~async_resolver();
  async_resolver(const async_resolver&) = delete;
  async_resolver& operator=(const async_resolver&) = delete;

  executor_type get_executor() const noexcept { return executor_; }

  // Looks `host` up. An Asio asynchronous operation with signature void(std::error_code, answer):
  // pass a callback, `as_tuple(use_awaitable)`, deferred...  (Asio throws only
  // boost::system::error_code, so plain use_awaitable yields the (std::error_code, answer) tuple
  // too; as_tuple says so explicitly.)  The handler is never
  // invoked from inside async_resolve; it runs on its associated executor, by default this
  // resolver's executor. On error the answer is empty.
  //
  // Errors (std::error_code in the wpadkit category unless noted): errc::dns_not_found (NXDOMAIN or
  // no address of family f), errc::dns_timeout (no answer within options.timeout),
  // errc::dns_failure (SERVFAIL, refused, malformed answer, no servers),
  // std::errc::operation_canceled (the resolver was destroyed, or the operation's cancellation slot
  // was emitted — per-operation cancellation is supported, e.g. for `co_await (resolve || timer)`;
  // the c-ares query itself then runs to its end in the background and its result is dropped).
  template <class CompletionToken = boost::asio::default_completion_token_t<executor_type>>
  auto async_resolve(
      std::string_view host, family f,
      CompletionToken&& token = boost::asio::default_completion_token_t<executor_type>()) {
    return boost::asio::async_initiate<CompletionToken, completion_signature>(
        [](auto handler, async_resolver* self, std::string name, family fam) {
          self->start(std::move(name), fam, std::move(handler));
        },
        token, this, std::string(host), f);
  }

  // Number of c-ares lookups in flight, including ones whose handler already completed through
  // cancellation or the deadline (for metrics and tests).
  std::size_t pending() const noexcept;

  struct impl;  // defined in async_resolver.cpp

 private:
  async_resolver(executor_type ex, std::shared_ptr<impl> state);
  void start(std::string host, family f,
             boost::asio::any_completion_handler<completion_signature> handler);

  executor_type executor_;
  std::shared_ptr<impl> impl_;
};

}  // namespace wpadkit::dns
