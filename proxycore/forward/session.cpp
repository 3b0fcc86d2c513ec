#include "proxycore/forward/session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <atomic>
#include <optional>

#include "proxycore/forward/error_response.hpp"
#include "proxycore/forward/http_io.hpp"
#include "proxycore/forward/proxy_auth.hpp"
#include "proxycore/forward/relay.hpp"
#include "proxycore/forward/request_rewrite.hpp"
#include "proxycore/forward/tunnel.hpp"

namespace wpadkit::forward {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using request_parser = http::request_parser<http::buffer_body>;
using response_parser = http::response_parser<http::buffer_body>;
constexpr auto token = asio::as_tuple(asio::use_awaitable);

std::string endpoint_text(const tcp::endpoint& ep) {
  auto a = ep.address().to_string();
  return (ep.address().is_v6() ? "[" + a + "]" : a) + ":" + std::to_string(ep.port());
}

bool is_disconnect(const boost::system::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
         ec == asio::error::operation_aborted || ec == asio::error::broken_pipe ||
         ec == asio::error::bad_descriptor;
}

std::string seconds_text(std::chrono::milliseconds d) {
  return std::to_string(d.count() / 1000) + "." + std::to_string(d.count() % 1000 / 100) + " s";
}

// A PAC decision travelling from an engine thread back to this I/O thread. The io_context is held
// first so that it outlives the timer (members are destroyed in reverse order).
//
// A decision can also complete inline, inside find_proxy (a fixed route): then it is
// taken as is, with no post and no timer wait. `phase` settles which case happened, without a lock.
struct pending_decision {
  explicit pending_decision(std::shared_ptr<asio::io_context> c) : ctx(std::move(c)), timer(*ctx) {}
  enum : int { calling, returned, storing, stored };
  std::shared_ptr<asio::io_context> ctx;
  asio::steady_timer timer;
  std::optional<result<std::string>> value;
  std::atomic<int> phase{calling};
};

// A credentials check travelling back from the authenticator's hashing thread, as a PAC decision
// does (the io_context is held first so that it outlives the timer).
struct pending_check {
  explicit pending_check(std::shared_ptr<asio::io_context> c) : ctx(std::move(c)), timer(*ctx) {}
  std::shared_ptr<asio::io_context> ctx;
  asio::steady_timer timer;
  std::optional<result<std::string>> value;
};

// How one attempt at a hop ended.
enum class step { finished, retry_same_hop, next_hop };

// What the checks before routing concluded.
enum class verdict { route, answer_here, refuse };

// Our own error answer and why, decided before any I/O. `close` (and any 400): the request was
// malformed, so nothing after it on the connection can be trusted to start a request (RFC 9112
// §6.3: respond, then close); other refusals (403, 405, 501 for a scheme, 508...) keep a connection
// whose request was read to its end.
struct refusal {
  http::status status = http::status::bad_request;
  std::string why;
  bool close = false;
};

// The parser and serializers of a forwarded exchange. They live here, allocated once per connection
// and reused by its keep-alive requests, not in the coroutine frames: those are allocated per
// request, and Asio recycles frames only up to 1,020 bytes (measured: handle, exchange and
// relay_response were 2.5, 1.8 and 1.6 KiB, each a malloc and free per request; now 1,184, 1,000 and
// under 600).
struct exchange_state {
  std::optional<response_parser> response;
  std::optional<http::request_serializer<http::buffer_body>> request_writer;
  std::optional<http::response_serializer<http::buffer_body>> response_writer;
};

class session {
 public:
  session(shared_state& s, worker& w, tcp::socket socket)
      : s_(s), w_(w), cfg_(s.config), client_(std::move(socket)), slot_{&client_} {
    boost::system::error_code ec;
    auto peer = client_.socket().remote_endpoint(ec);
    peer_ = ec ? "?" : endpoint_text(peer);
    allowed_ = !ec && client_allowed(peer.address());
    w_.clients.insert(&slot_);  // once per connection: the idle flag changes per request
  }
  ~session() { w_.clients.erase(&slot_); }
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  asio::awaitable<void> run() {
    while (co_await serve_one()) {
    }
    // A CONNECT that succeeded is relayed here, after serve_one() returned: the frames of the request
    // (its parser, handle(), tunnel()) are freed while the tunnel lives, which may be hours.
    exchange_.reset();
    if (tunnel_) co_await relay_tunnel();
    boost::system::error_code ignored;
    client_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    client_.close();
  }

 private:
  bool client_allowed(const asio::ip::address& a) const {
    if (cfg_.allowed_clients.empty()) {
      return a.is_loopback() || (a.is_v6() && a.to_v6().is_v4_mapped() &&
                                 asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).is_loopback());
    }
    return any_contains(cfg_.allowed_clients, a);
  }

  asio::awaitable<bool> serve_one();
  asio::awaitable<bool> handle(request_parser& p);
  bool check_framing(request_parser& p, refusal& refused);
  verdict check_request(request_parser& p, request_target& target, refusal& refused);
  bool frame_response(response_parser& rp, http::verb method, std::string& why);
  asio::awaitable<bool> answer_here(request_parser& p);
  response_parser& new_response_parser(http::verb method);
  asio::awaitable<bool> send_own(own_response res);
  bool keeps_connection(request_parser& p) const;
  asio::awaitable<bool> fail(request_parser& p, http::status status, std::string_view why);
  asio::awaitable<result<std::string>> decide(std::string url, const std::string& host);
  asio::awaitable<result<std::string>> check_credentials(const std::vector<std::string>& values);
  asio::awaitable<bool> refuse_credentials(request_parser& p, std::string_view why);
  asio::awaitable<bool> forward(request_parser& p, const request_target& t, const proxy_list& list);
  asio::awaitable<step> exchange(request_parser& p, const proxy_server& hop,
                                 std::unique_ptr<upstream_connection> up, bool fallback, bool& keep,
                                 std::string& why);
  asio::awaitable<bool> relay_response(request_parser& p, std::unique_ptr<upstream_connection> up);
  asio::awaitable<bool> tunnel(request_parser& p, const request_target& t, const proxy_list& list);
  asio::awaitable<void> relay_tunnel();
  asio::awaitable<bool> all_failed(request_parser& p, const proxy_list& list,
                                   const std::vector<std::string>& attempts);
  void log_request();

  shared_state& s_;
  worker& w_;
  const proxy_config& cfg_;
  stream client_;
  client_slot slot_;
  beast::flat_buffer buffer_;
  std::string peer_;
  bool allowed_ = false;
  bool first_ = true;
  bool expect_continue_ = false;
  bool continue_sent_ = false;
  bool body_started_ = false;
  // The client's own keep-alive wish for this request, read before forward() replaces its
  // Connection header with ours for the hop: every answer to the client goes by it.
  bool client_keeps_ = false;
  // The request head's first obs-fold line (0: none), found in its raw bytes, which Beast's parser
  // accepts (joining the lines); and the request's framing, once checked (check_framing).
  unsigned folded_line_ = 0;
  http1::framing framing_;
  access_record rec_;
  // The client's Proxy-Authorization values, relayed to PROXY hops; empty when we consumed them.
  std::vector<std::string> client_credentials_;
  std::chrono::steady_clock::time_point started_;
  // Set by tunnel() once CONNECT succeeded; run() relays it.
  std::unique_ptr<upstream_connection> tunnel_;
  // Created by the first forwarded request; freed before a tunnel is relayed.
  std::unique_ptr<exchange_state> exchange_;
};

asio::awaitable<bool> session::serve_one() {
  request_parser p;
  p.header_limit(static_cast<std::uint32_t>(cfg_.header_limit));
  p.body_limit(cfg_.body_limit);
  rec_ = access_record{};
  if (s_.access_log) rec_.client = peer_;
  expect_continue_ = continue_sent_ = body_started_ = false;
  // A timeout leaves the connection open (forward::stream), so a slow client still gets its 408.
  client_.expires_after(first_ ? cfg_.client_head_timeout : cfg_.client_idle_timeout);
  slot_.idle = true;
  std::string_view raw_head;
  auto [ec, n] = co_await read_header(client_, buffer_, p, &raw_head);
  slot_.idle = false;
  rec_.start = std::chrono::system_clock::now();
  started_ = std::chrono::steady_clock::now();
  rec_.bytes_in = n;
  s_.stats.bytes_from_clients.fetch_add(n, std::memory_order_relaxed);
  if (ec) {
    if (ec == beast::error::timeout) {
      if (!p.got_some() && buffer_.size() == 0) co_return false;  // an idle keep-alive ended
      co_await send_own(make_error_response(
          http::status::request_timeout, 11,
          "the request head did not arrive within " + seconds_text(cfg_.client_head_timeout), false));
      co_return false;
    }
    if (is_disconnect(ec) && buffer_.size() == 0) co_return false;
    auto [status, why] = status_for_parse_error(ec);
    rec_.method = "-";
    co_await send_own(make_error_response(status, 11, why, false));
    log_request();
    co_return false;
  }
  first_ = false;
  folded_line_ = http1::find_obs_fold(raw_head);  // now: the view is valid until the next read
  client_keeps_ = p.get().keep_alive();
  s_.stats.requests.fetch_add(1, std::memory_order_relaxed);
  bool keep = co_await handle(p);
  if (tunnel_) co_return false;  // logged by relay_tunnel() when the tunnel ends
  log_request();
  co_return keep && !s_.stopping.load();
}

asio::awaitable<bool> session::send_own(own_response res) {
  rec_.status = res.result_int();
  s_.stats.count_status(rec_.status);
  client_.expires_after(cfg_.upstream_timeout);
  auto [ec, n] = co_await http::async_write(client_, res, token);
  rec_.bytes_out += n;
  s_.stats.bytes_to_clients.fetch_add(n, std::memory_order_relaxed);
  co_return !ec && res.keep_alive();
}

// Whether the connection can stay open after an answer of our own: only if the request was read to
// its end (or had no body) and the client wants keep-alive; otherwise the framing is no longer known.
bool session::keeps_connection(request_parser& p) const {
  return p.is_done() && !body_started_ && client_keeps_ && !s_.stopping.load();
}

// Our own error answer.
asio::awaitable<bool> session::fail(request_parser& p, http::status status, std::string_view why) {
  co_return co_await send_own(make_error_response(status, p.get().version(), why, keeps_connection(p)));
}

asio::awaitable<bool> session::handle(request_parser& p) {
  auto& req = p.get();
  if (s_.access_log) {  // what only the log reads is built only for it
    rec_.method = std::string(req.method_string());
    rec_.url = std::string(req.target());
  }
  // Framing before anything else is answered: a request whose end is in doubt gets its answer and
  // a close, whoever sent it (a 407 on a kept connection would leave its body to be read as the
  // next request).
  refusal refused;
  if (!check_framing(p, refused)) {
    co_return co_await send_own(
        make_error_response(refused.status, p.get().version(), refused.why, false));
  }
  if (allowed_) {
    // Proxy authentication (RFC 9110 §11.7): the client's Proxy-Authorization is for us when we authenticate clients (and is
    // consumed here), otherwise for the next PROXY hop (RFC 9110 §11.7.1; set per hop).
    client_credentials_ = take_proxy_authorization(req.base());
    if (s_.client_auth.enabled()) {
      auto user = co_await check_credentials(client_credentials_);
      client_credentials_.clear();
      if (!user) co_return co_await refuse_credentials(p, user.error().message);
      rec_.user = std::move(*user);
    }
  }
  // The checks are a plain function and every refusal goes out from one place: each co_await with
  // its temporaries adds to this frame, which is allocated per request.
  request_target target;
  auto outcome = check_request(p, target, refused);
  if (outcome == verdict::answer_here) co_return co_await answer_here(p);
  if (outcome == verdict::route) {
    auto pac_request = target.pac_request();
    if (!pac_request) co_return co_await fail(p, http::status::bad_request, pac_request.error().message);
    if (s_.access_log) rec_.url = target.connect ? target.authority() : target.absolute_form();
    // A decision had at once (a fixed list, evaluated here within bounds) skips the hand-off
    // to the PAC threads.
    auto asked = std::chrono::steady_clock::now();
    auto known = s_.decisions->find_proxy_now(pac_request->url, pac_request->host, w_.decision_state.get());
    result<std::string> decision = std::string();
    if (known) {
      rec_.pac_time = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - asked);
      s_.stats.observe_pac_eval(rec_.pac_time);
      decision = std::move(*known);
    } else {
      // (Not a conditional expression: GCC 12 mishandles co_await inside one.)
      decision = co_await decide(std::move(pac_request->url), pac_request->host);
    }
    if (decision) {
      auto list = parse_proxy_list(*decision);
      if (s_.access_log) rec_.pac_result = list.to_pac_string();
      if (target.connect) co_return co_await tunnel(p, target, list);
      co_return co_await forward(p, target, list);
    }
    bool no_pac = decision.error().is(errc::config) || !s_.decisions->ready();
    refused = {no_pac ? http::status::service_unavailable : http::status::bad_gateway,
               std::move(decision.error().message)};
  }
  if (refused.close || refused.status == http::status::bad_request) {
    co_return co_await send_own(
        make_error_response(refused.status, p.get().version(), refused.why, false));
  }
  co_return co_await fail(p, refused.status, refused.why);
}

// The request's version and framing (proxycore/http/message_framing.hpp). Beast's parser has
// refused the malformed heads it knows (bad line endings, control bytes, a space before a colon,
// differing Content-Lengths); this refuses what it lets through.
bool session::check_framing(request_parser& p, refusal& refused) {
  auto& req = p.get();
  auto refuse = [&](http::status status, std::string why) {
    refused = {status, std::move(why), true};
    return false;
  };
  if (folded_line_ != 0) {
    return refuse(
        http::status::bad_request,
        "line " + std::to_string(folded_line_) +
            " of the request head continues the line before it (obs-fold, RFC 9112 §5.2), "
            "which hops can read differently");
  }
  auto framing = framing_fields_of(req.base()).request(req.version());
  if (!framing) return refuse(status_for(framing.error()), std::move(framing.error().message));
  framing_ = *framing;
  return true;
}

// Everything about the request that needs no I/O: who may ask, its framing and target, loops,
// TRACE/Max-Forwards, allowed CONNECT ports.
verdict session::check_request(request_parser& p, request_target& target, refusal& refused) {
  auto& req = p.get();
  auto refuse = [&](http::status status, std::string why) {
    refused = {status, std::move(why)};
    return verdict::refuse;
  };
  if (!allowed_) {
    return refuse(http::status::forbidden,
                  "client " + peer_ + " is not in the networks allowed to use this proxy");
  }
  if (req.count(http::field::host) > 1) {
    return refuse(http::status::bad_request, "the request has more than one Host header");
  }
  std::optional<std::string_view> host;
  if (auto it = req.find(http::field::host); it != req.end()) host = it->value();
  auto resolved = resolve_target(req.method(), req.target(), host);
  if (!resolved) return refuse(status_for(resolved.error()), resolved.error().message);
  target = std::move(*resolved);
  if (has_our_via(req.base(), s_.via_name)) {
    return refuse(http::status::loop_detected,
                  "forwarding loop: the request already passed through this proxy (Via " + s_.via_name + ")");
  }
  if (req.method() == http::verb::trace && !cfg_.trace_enabled) {
    return refuse(http::status::method_not_allowed,
                  "TRACE is disabled on this proxy (it can echo cookies: cross-site tracing)");
  }
  auto mf = apply_max_forwards(req.method(), req.base());
  if (!mf) return refuse(http::status::bad_request, mf.error().message);
  if (*mf == max_forwards_action::answer_here) return verdict::answer_here;
  if (target.connect && !cfg_.connect_ports.empty() &&
      std::find(cfg_.connect_ports.begin(), cfg_.connect_ports.end(), target.port) ==
          cfg_.connect_ports.end()) {
    return refuse(http::status::forbidden, "CONNECT to port " + std::to_string(target.port) + " is not allowed");
  }
  return verdict::route;
}

// TRACE or OPTIONS with Max-Forwards: 0: we are the recipient (RFC 9110 §7.6.2).
asio::awaitable<bool> session::answer_here(request_parser& p) {
  auto& req = p.get();
  own_response res{http::status::ok, req.version()};
  if (req.method() == http::verb::trace) {
    res.set(http::field::content_type, "message/http");
    res.body() = trace_echo(req.method_string(), req.target(), req.version(), req.base());
  } else {
    res.set(http::field::allow, allowed_methods);
  }
  append_via(res.base(), 11, s_.via_name);
  res.keep_alive(keeps_connection(p));
  res.prepare_payload();
  co_return co_await send_own(std::move(res));
}

// The user the request's credentials name. A value seen before is answered from the cache on this
// thread; a new one is hashed on the authenticator's thread, so that a slow hash (or a flood of
// wrong passwords) never stalls the other connections of this I/O thread.
asio::awaitable<result<std::string>> session::check_credentials(
    const std::vector<std::string>& values) {
  auto& auth = s_.client_auth;
  if (values.empty()) co_return auth.authenticate(std::nullopt);
  if (values.size() > 1) co_return error(errc::parse, "more than one Proxy-Authorization");
  if (auto user = auth.cached_user(values.front())) co_return std::move(*user);
  auto state = std::make_shared<pending_check>(w_.ctx);
  state->timer.expires_after(cfg_.client_head_timeout);
  auth.async_authenticate(values.front(), [state](result<std::string> r) {
    auto& ctx = *state->ctx;
    asio::post(ctx, [state = std::move(state), r = std::move(r)]() mutable {
      state->value = std::move(r);
      state->timer.cancel();
    });
  });
  co_await state->timer.async_wait(token);
  if (!state->value) {
    co_return error(errc::timeout, "checking the credentials took longer than " +
                                       seconds_text(cfg_.client_head_timeout));
  }
  co_return std::move(*state->value);
}

// 407 with our challenge (RFC 9110 §11.7.1, §15.5.8). The reason never says whether the user or
// the password was wrong. Like any error of ours, the connection stays open when the request was
// read to its end.
asio::awaitable<bool> session::refuse_credentials(request_parser& p, std::string_view why) {
  s_.stats.auth_failures.fetch_add(1, std::memory_order_relaxed);
  auto res = make_error_response(http::status::proxy_authentication_required, p.get().version(),
                                 why, keeps_connection(p));
  res.set(http::field::proxy_authenticate, basic_challenge(cfg_.auth_realm));
  co_return co_await send_own(std::move(res));
}

asio::awaitable<result<std::string>> session::decide(std::string url, const std::string& host) {
  auto state = std::make_shared<pending_decision>(w_.ctx);
  bool ready = s_.decisions->ready();
  auto limit = ready ? cfg_.pac_timeout : cfg_.no_pac_wait;
  state->timer.expires_after(limit);
  auto begun = std::chrono::steady_clock::now();
  s_.decisions->find_proxy(std::move(url), host, [state](result<std::string> r) {
    int expected = pending_decision::calling;
    if (state->phase.compare_exchange_strong(expected, pending_decision::storing)) {
      state->value = std::move(r);  // find_proxy has not returned yet: the caller takes it from here
      state->phase.store(pending_decision::stored, std::memory_order_release);
      return;
    }
    auto& ctx = *state->ctx;
    asio::post(ctx, [state = std::move(state), r = std::move(r)]() mutable {
      state->value = std::move(r);
      state->timer.cancel();
    });
  });
  int expected = pending_decision::calling;
  if (state->phase.compare_exchange_strong(expected, pending_decision::returned)) {
    co_await state->timer.async_wait(token);
  } else {
    // Completed during the call (on this thread, or on an engine thread that is finishing its store).
    while (state->phase.load(std::memory_order_acquire) != pending_decision::stored) {
    }
  }
  auto took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - begun);
  rec_.pac_time = took;
  s_.stats.observe_pac_eval(took);
  if (!state->value) {
    if (!ready) co_return error(errc::config, "no PAC is loaded yet (waited " + seconds_text(limit) + ")");
    co_return error(errc::pac_timeout, "the PAC decision took longer than " + seconds_text(limit));
  }
  if (!*state->value) {
    auto e = state->value->error();
    if (!e.is(errc::config)) e.message = "PAC evaluation failed: " + e.to_string();
    co_return e;
  }
  co_return std::move(*state->value);
}

asio::awaitable<bool> session::forward(request_parser& p, const request_target& t,
                                       const proxy_list& list) {
  auto& req = p.get();
  const bool absolute = req.target().empty() || (req.target().front() != '/' && req.target() != "*");
  expect_continue_ = req.version() >= 11 && beast::iequals(req[http::field::expect], "100-continue");
  // We answer 100-continue ourselves once a hop is connected (RFC 9110 §10.1.1 allows a proxy to);
  // upstream gets no Expect, so no interim response has to be matched with a body in flight.
  if (expect_continue_) req.erase(http::field::expect);
  bool keep = client_keeps_;
  strip_hop_by_hop(req.base(), true);
  // What goes upstream is framed by us (the serializer writes the body by these fields).
  if (!framing_.canonical) reframe(req.base(), framing_);
  append_via(req.base(), req.version(), s_.via_name);
  // RFC 9112 §3.2.2: an absolute-form target replaces Host.
  std::string host_value = t.host.find(':') != std::string::npos ? "[" + t.host + "]" : t.host;
  if (t.port != 80) host_value += ":" + std::to_string(t.port);
  if (absolute || req.count(http::field::host) == 0) {
    if (req[http::field::host] != host_value) req.set(http::field::host, host_value);
  }
  req.keep_alive(true);
  std::vector<std::string> keys;
  for (const auto& hop : list.servers) keys.push_back(hop.to_pac_string());
  std::vector<std::string> attempts;
  auto order = s_.chooser.order(keys);
  for (std::size_t n = 0; n < order.size(); ++n) {
    const auto i = order[n];
    const auto& hop = list.servers[i];
    req.target(takes_absolute_uri(hop) ? t.absolute_form() : t.origin_form);
    // A hop we speak NTLM to gets no Proxy-Authorization on requests: its connections are
    // authenticated as ours (connector::open), and the client's own values are not relayed to it.
    static const std::vector<std::string> none;
    set_hop_proxy_authorization(req.base(), takes_absolute_uri(hop),
                                w_.connect->upstream_credentials(hop),
                                w_.connect->uses_ntlm(hop) ? none : client_credentials_);
    for (int round = 0; round < 2; ++round) {
      auto up = w_.pool.checkout(hop_key(hop, t));
      if (up) {
        s_.stats.upstream_reused.fetch_add(1, std::memory_order_relaxed);
      } else {
        auto opened = co_await w_.connect->open(hop, t, false);
        ++rec_.attempts;
        if (!opened) {
          attempts.push_back(keys[i] + ": " + opened.error().message);
          if (is_hop_down(opened.error())) s_.chooser.mark_bad(keys[i]);
          s_.stats.failovers.fetch_add(1, std::memory_order_relaxed);
          break;
        }
        up = std::move(*opened);
        if (up->authenticated)
          s_.stats.upstream_ntlm_handshakes.fetch_add(1, std::memory_order_relaxed);
      }
      std::string why;
      auto outcome = co_await exchange(p, hop, std::move(up), n + 1 < order.size(), keep, why);
      if (outcome == step::finished) {
        if (s_.access_log) rec_.hop = keys[i];
        co_return keep;
      }
      if (outcome == step::next_hop) {
        attempts.push_back(keys[i] + ": " + why);
        s_.chooser.mark_bad(keys[i]);
        s_.stats.failovers.fetch_add(1, std::memory_order_relaxed);
        break;
      }
    }
  }
  co_return co_await all_failed(p, list, attempts);
}

asio::awaitable<bool> session::all_failed(request_parser& p, const proxy_list& list,
                                         const std::vector<std::string>& attempts) {
  s_.stats.all_hops_failed.fetch_add(1, std::memory_order_relaxed);
  std::string why = "every hop the PAC named failed (PAC: " + list.to_pac_string() + "):";
  for (const auto& a : attempts) why += "\n  " + a;
  rec_.hop = "-";
  co_return co_await fail(p, http::status::bad_gateway, why);
}

// Sends the request on `up` and relays the response. `keep` is the client's keep-alive on entry and
// whether the client connection stays usable on return. `fallback`: another hop follows this one,
// so a hop that does not begin its answer within response_head_timeout is given up for it.
asio::awaitable<step> session::exchange(request_parser& p, const proxy_server& hop,
                                        std::unique_ptr<upstream_connection> up, bool fallback,
                                        bool& keep, std::string& why) {
  auto& req = p.get();
  const bool reused = up->reused;
  if (!exchange_) exchange_ = std::make_unique<exchange_state>();
  auto& sr = exchange_->request_writer.emplace(req);
  up->stream.expires_after(cfg_.upstream_timeout);
  // A request without a body (left) goes out whole; otherwise the head first, then the body relayed.
  if (p.is_done()) {
    auto& body = req.body();
    body.data = nullptr;
    body.size = 0;
    body.more = false;
  }
  auto [wec, wn] = co_await write(up->stream, sr, !p.is_done());
  if (wec) {
    why = "sending the request: " + wec.message();
    co_return reused ? step::retry_same_hop : step::next_hop;
  }
  if (!p.is_done()) {
    if (expect_continue_ && !continue_sent_ && buffer_.size() == 0) {
      static constexpr std::string_view cont = "HTTP/1.1 100 Continue\r\n\r\n";
      client_.expires_after(cfg_.upstream_timeout);
      co_await asio::async_write(client_, asio::buffer(cont), token);
      continue_sent_ = true;
    }
    body_started_ = true;  // from here on the request cannot be replayed on another hop
  }
  if (!sr.is_done()) {
    auto relayed = co_await relay_body<true>(client_, buffer_, p, up->stream, sr, cfg_.relay_buffer,
                                             {cfg_.client_head_timeout, cfg_.upstream_timeout});
    if (relayed.read_error) {
      keep = false;
      if (relayed.read_error == beast::error::timeout || is_disconnect(relayed.read_error)) {
        co_return step::finished;
      }
      // A chunked body over the limit is found only here, after the head went upstream: still 413.
      if (relayed.read_error == http::error::body_limit) {
        auto [status, reason] = status_for_parse_error(relayed.read_error);
        co_await fail(p, status, reason);
      } else {
        co_await fail(p, http::status::bad_request,
                      "malformed request body: " + relayed.read_error.message());
      }
      co_return step::finished;
    }
    if (relayed.write_error) {
      keep = false;
      co_await fail(p, http::status::bad_gateway,
                    hop.to_pac_string() + " failed while receiving the request body: " +
                        relayed.write_error.message());
      co_return step::finished;
    }
  }
  auto& rp = new_response_parser(req.method());
  // A hop that accepts and then says nothing (a frozen parent) would hold the request for the whole
  // upstream timeout; with another hop to go to, it gets response_head_timeout, as a browser fails
  // over from a proxy that does not answer. The last hop keeps the upstream timeout: giving up
  // sooner there gains nothing.
  const bool head_deadline = fallback && cfg_.response_head_timeout < cfg_.upstream_timeout;
  up->stream.expires_after(head_deadline ? cfg_.response_head_timeout : cfg_.upstream_timeout);
  auto [rec, rn] = co_await read_header(up->stream, up->buffer, rp);
  if (rec) {
    if (rec == beast::error::timeout && head_deadline) {
      why = "sent no response head within " + seconds_text(cfg_.response_head_timeout);
      // The request can go to the next hop only if it may be repeated (RFC 9110 §9.2.2) and all of
      // it is still here (no body streamed yet). Either way the hop is marked bad.
      if (is_idempotent(req.method()) && !body_started_) co_return step::next_hop;
      s_.chooser.mark_bad(hop.to_pac_string());
      keep = co_await fail(
          p, http::status::gateway_timeout,
          hop.to_pac_string() + " " + why + "; it is marked bad, and the request (" +
              std::string(req.method_string()) +
              (is_idempotent(req.method()) ? ", its body already sent" : ", not idempotent") +
              ") was not retried on another hop");
      co_return step::finished;
    }
    if (rec == beast::error::timeout) {
      keep = co_await fail(p, http::status::gateway_timeout,
                           hop.to_pac_string() + " sent no response within " +
                               seconds_text(cfg_.upstream_timeout));
      co_return step::finished;
    }
    if (!rp.got_some() && !body_started_ && is_disconnect(rec)) {
      why = "closed the connection without a response";
      co_return reused ? step::retry_same_hop : step::next_hop;
    }
    keep = co_await fail(p, http::status::bad_gateway,
                         hop.to_pac_string() + " sent an invalid response: " + rec.message());
    co_return step::finished;
  }
  // An NTLM-authenticated connection from the pool asked for credentials again (the proxy forgot
  // it, e.g. after a restart of its helper): a fresh connection runs the handshake again. Only
  // while nothing of a body went out; otherwise the 407 reaches the client.
  if (rp.get().result_int() == 407 && reused && up->authenticated && !body_started_) {
    why = "asked for credentials again on an NTLM-authenticated connection";
    co_return step::retry_same_hop;
  }
  // A response that hops could delimit differently is not relayed, and its connection (`up`, freed
  // here) is never reused: what follows it on the connection may be another response.
  if (std::string bad; !frame_response(rp, req.method(), bad)) {
    keep = co_await fail(p, http::status::bad_gateway,
                         hop.to_pac_string() + " sent an ambiguously framed response (" + bad +
                             "); it was not passed on and its connection was closed");
    co_return step::finished;
  }
  s_.chooser.mark_good(hop.to_pac_string());
  keep = co_await relay_response(p, std::move(up)) && keep;
  // The serializers refer to this request and its response: drop them with them.
  exchange_->request_writer.reset();
  exchange_->response_writer.reset();
  exchange_->response.reset();
  co_return step::finished;
}

// Checks a response head's framing (the same rules as requests, message_framing.hpp) and makes its
// framing fields ours. False with `why` when it is refused.
bool session::frame_response(response_parser& rp, http::verb method, std::string& why) {
  auto& res = rp.get();
  auto framing = framing_fields_of(res.base())
                     .response(res.version(), res.result_int(), method == http::verb::head);
  if (!framing) {
    why = std::move(framing.error().message);
    return false;
  }
  if (!framing->canonical) reframe(res.base(), *framing);
  return true;
}

response_parser& session::new_response_parser(http::verb method) {
  auto& rp = exchange_->response.emplace();
  rp.header_limit(static_cast<std::uint32_t>(cfg_.header_limit));
  rp.body_limit(boost::none);
  if (method == http::verb::head) rp.skip(true);
  return rp;
}

// A client that sent "close" gets "Connection: close" in the response (RFC 9112 §9.6): `keep` starts
// from client_keeps_, not from the request's Connection header, which is ours for the hop by now.
asio::awaitable<bool> session::relay_response(request_parser& p, std::unique_ptr<upstream_connection> up) {
  auto& req = p.get();
  response_parser* rp = &*exchange_->response;
  // Interim 1xx responses (other than 101, which needs an Upgrade we never forward) pass through.
  while (rp->get().result_int() / 100 == 1 && rp->get().result_int() != 101) {
    auto& interim = rp->get();
    strip_hop_by_hop(interim.base(), false);
    append_via(interim.base(), interim.version(), s_.via_name);
    auto& isr = exchange_->response_writer.emplace(interim);
    client_.expires_after(cfg_.upstream_timeout);
    auto [iec, in] = co_await write(client_, isr, true);
    exchange_->response_writer.reset();  // it refers to the interim response, replaced next
    if (iec) co_return false;
    rp = &new_response_parser(req.method());
    up->stream.expires_after(cfg_.upstream_timeout);
    auto [rec, rn] = co_await read_header(up->stream, up->buffer, *rp);
    if (rec) co_return co_await fail(p, http::status::bad_gateway, "invalid response: " + rec.message());
    if (std::string bad; !frame_response(*rp, req.method(), bad)) {
      co_return co_await fail(p, http::status::bad_gateway,
                              "ambiguously framed response (" + bad + ")");
    }
  }
  auto& res = rp->get();
  const bool until_close = rp->need_eof();
  const bool upstream_reusable = res.keep_alive() && !until_close;
  // A body that ends when the server closes (no length, not chunked) is re-chunked for an HTTP/1.1
  // client, whose connection then stays open; as an HTTP/1.1 intermediary we send our own version
  // (RFC 9110 §2.5), which chunked framing needs.
  const bool rechunk = until_close && req.version() >= 11;
  bool keep = client_keeps_ && (!until_close || rechunk) && !s_.stopping.load();
  strip_hop_by_hop(res.base(), false);
  append_via(res.base(), res.version(), s_.via_name);
  if (req.version() < 11 && res.chunked()) {
    res.chunked(false);  // an HTTP/1.0 client cannot read chunked: send the body raw, then close
    keep = false;
  }
  if (rechunk) {
    res.version(11);
    res.chunked(true);
  }
  res.keep_alive(keep);
  // Our response is HTTP/1.1, where persistence is the default and Beast writes no keep-alive; an
  // HTTP/1.0 client keeps the connection only when told so (RFC 9112 §9.3; ab -k, old agents).
  if (keep && req.version() < 11) res.set(http::field::connection, "keep-alive");
  rec_.status = res.result_int();
  s_.stats.count_status(rec_.status);
  auto& sr = exchange_->response_writer.emplace(res);
  // The head goes out with the first piece of the body when that arrived with it (one write).
  auto relayed = co_await relay_body<false>(up->stream, up->buffer, *rp, client_, sr, cfg_.relay_buffer,
                                            {cfg_.upstream_timeout, cfg_.upstream_timeout});
  rec_.bytes_out += relayed.bytes_written;
  s_.stats.bytes_to_clients.fetch_add(relayed.bytes_written, std::memory_order_relaxed);
  if (!relayed.complete()) co_return false;  // the client saw a truncated body: close
  if (upstream_reusable && !s_.stopping.load()) w_.pool.park(std::move(up));
  co_return keep;
}

asio::awaitable<bool> session::tunnel(request_parser& p, const request_target& t, const proxy_list& list) {
  s_.stats.connects.fetch_add(1, std::memory_order_relaxed);
  std::vector<std::string> keys;
  for (const auto& hop : list.servers) keys.push_back(hop.to_pac_string());
  std::vector<std::string> attempts;
  for (auto i : s_.chooser.order(keys)) {
    ++rec_.attempts;
    connect_refusal refusal;
    auto opened = co_await w_.connect->open(list.servers[i], t, true, client_credentials_, &refusal);
    // A parent that wants credentials we do not hold: its challenge goes to the client, which can
    // answer it (we relay the client's Proxy-Authorization to PROXY hops), as a browser using the
    // same PAC would see it; no other hop is tried, as a browser would not. Not when we
    // authenticate clients ourselves (their credentials are ours) or hold our own for that parent,
    // Basic or NTLM (then they were refused: a failed hop).
    if (!opened && refusal.status == 407 && !refusal.challenges.empty() &&
        !s_.client_auth.enabled() && !w_.connect->holds_credentials(list.servers[i])) {
      if (s_.access_log) rec_.hop = keys[i];
      auto res = make_error_response(http::status::proxy_authentication_required, p.get().version(),
                                     keys[i] + " requires proxy authentication for this CONNECT",
                                     keeps_connection(p));
      for (const auto& challenge : refusal.challenges) res.insert(http::field::proxy_authenticate, challenge);
      co_return co_await send_own(std::move(res));
    }
    if (!opened) {
      attempts.push_back(keys[i] + ": " + opened.error().message);
      if (is_hop_down(opened.error())) s_.chooser.mark_bad(keys[i]);
      s_.stats.failovers.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    s_.chooser.mark_good(keys[i]);
    rec_.hop = keys[i];
    rec_.status = 200;
    s_.stats.count_status(200);
    std::string established = "HTTP/1.1 200 Connection established\r\nVia: 1.1 " + s_.via_name + "\r\n\r\n";
    client_.expires_after(cfg_.upstream_timeout);
    auto [ec, n] = co_await asio::async_write(client_, asio::buffer(established), token);
    rec_.bytes_out += n;
    s_.stats.bytes_to_clients.fetch_add(n, std::memory_order_relaxed);
    if (ec) co_return false;
    tunnel_ = std::move(*opened);
    co_return false;
  }
  co_return co_await all_failed(p, list, attempts);
}

asio::awaitable<void> session::relay_tunnel() {
  s_.stats.open_tunnels.fetch_add(1, std::memory_order_relaxed);
  auto totals = co_await run_tunnel(client_, buffer_, tunnel_->stream, tunnel_->buffer, cfg_.relay_buffer,
                                    cfg_.tunnel_idle_timeout);
  s_.stats.open_tunnels.fetch_sub(1, std::memory_order_relaxed);
  tunnel_.reset();
  rec_.bytes_in += totals.client_to_upstream;
  rec_.bytes_out += totals.upstream_to_client;
  s_.stats.bytes_from_clients.fetch_add(totals.client_to_upstream, std::memory_order_relaxed);
  s_.stats.bytes_to_clients.fetch_add(totals.upstream_to_client, std::memory_order_relaxed);
  log_request();
}

void session::log_request() {
  if (!s_.access_log) return;
  rec_.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                        started_);
  s_.access_log(format_access_record(rec_, s_.format));
}

}  // namespace

asio::awaitable<void> run_session(shared_state& s, worker& w, tcp::socket socket) {
  s.stats.client_connections.fetch_add(1, std::memory_order_relaxed);
  s.stats.open_connections.fetch_add(1, std::memory_order_relaxed);
  {
    session conn(s, w, std::move(socket));
    co_await conn.run();
  }
  s.stats.open_connections.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace wpadkit::forward
