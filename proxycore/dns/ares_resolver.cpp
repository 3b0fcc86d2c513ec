#include "proxycore/dns/ares_resolver.hpp"

#include <arpa/nameser.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>

#include "proxycore/dns/ares_error.hpp"

namespace wpadkit::dns {
namespace {

using steady = std::chrono::steady_clock;

// Runs c-ares' event loop on `ch` until `done` or `deadline`; at the deadline every pending query
// is cancelled (its callback sees ARES_ECANCELLED, which the callers report as a timeout). poll()
// rather than select(): a proxy process may have descriptors past FD_SETSIZE.
void drive(ares_channel ch, const bool& done, steady::time_point deadline) {
  while (!done) {
    auto now = steady::now();
    if (now >= deadline) {
      ares_cancel(ch);
      return;
    }
    ares_socket_t socks[ARES_GETSOCK_MAXNUM];
    int bits = ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
    pollfd fds[ARES_GETSOCK_MAXNUM];
    nfds_t count = 0;
    for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
      short events = 0;
      if (ARES_GETSOCK_READABLE(bits, i)) events |= POLLIN;
      if (ARES_GETSOCK_WRITABLE(bits, i)) events |= POLLOUT;
      if (events) fds[count++] = pollfd{socks[i], events, 0};
    }
    auto wait = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
    timeval tv{};
    if (ares_timeout(ch, nullptr, &tv)) {
      wait = std::min(wait,
                      std::chrono::ceil<std::chrono::milliseconds>(
                          std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec)));
    }
    int ready = ::poll(fds, count,
                       static_cast<int>(std::max<std::chrono::milliseconds::rep>(wait.count(), 0)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // retry timers
      continue;
    }
    for (nfds_t i = 0; i < count; ++i) {
      if (!fds[i].revents) continue;
      bool readable = fds[i].revents & (POLLIN | POLLERR | POLLHUP);
      bool writable = fds[i].revents & POLLOUT;
      ares_process_fd(ch, readable ? fds[i].fd : ARES_SOCKET_BAD,
                      writable ? fds[i].fd : ARES_SOCKET_BAD);
    }
  }
}

struct addrinfo_call {
  std::string host;
  family fam;
  bool done = false;
  int status = ARES_ECANCELLED;
  result<answer> out = error(errc::dns_failure);
};

void on_addrinfo(void* arg, int status, int /*timeouts*/, ares_addrinfo* info) {
  auto* call = static_cast<addrinfo_call*>(arg);
  call->done = true;
  call->status = status;
  if (status == ARES_SUCCESS) call->out = answer_from_addrinfo(info, call->fam, call->host);
  if (info) ares_freeaddrinfo(info);
}

struct soa_call {
  bool done = false;
  int status = ARES_ECANCELLED;
  bool found = false;
};

void on_soa(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
  auto* call = static_cast<soa_call*>(arg);
  call->done = true;
  call->status = status;
  if (status != ARES_SUCCESS) return;
  ares_soa_reply* soa = nullptr;
  // A SOA in the answer section means the name is a zone apex; an answer without one (a CNAME, or
  // a SOA only in the authority section) is "not an apex" (KDE's check).
  call->found = ares_parse_soa_reply(abuf, alen, &soa) == ARES_SUCCESS;
  if (soa) ares_free_data(soa);
}

error timeout_error(std::string_view name, std::chrono::milliseconds limit) {
  return error(errc::dns_timeout, "no answer for '" + std::string(name) + "' within " +
                                      std::to_string(limit.count()) + " ms");
}

}  // namespace

result<std::unique_ptr<ares_resolver>> ares_resolver::create(resolver_options options) {
  auto first = channel::open(options);
  if (!first) return first.error();
  return std::unique_ptr<ares_resolver>(new ares_resolver(std::move(options), std::move(*first)));
}

ares_resolver::ares_resolver(resolver_options options, channel first)
    : options_(std::move(options)), search_domains_(first.search_domains()), ndots_(first.ndots()) {
  idle_.push_back(std::move(first));
}

result<channel> ares_resolver::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      channel c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
  }
  return channel::open(options_);
}

void ares_resolver::release(channel c) {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(c));
}

result<answer> ares_resolver::lookup(std::string_view name, family f, steady::time_point deadline) {
  auto ch = acquire();
  if (!ch) return ch.error();
  addrinfo_call call{std::string(name), f};
  ares_addrinfo_hints hints{};
  hints.ai_family = ares_family(f);
  ares_getaddrinfo(ch->get(), call.host.c_str(), nullptr, &hints, on_addrinfo, &call);
  drive(ch->get(), call.done, deadline);
  release(std::move(*ch));
  if (call.status == ARES_ECANCELLED) return timeout_error(name, options_.timeout);
  if (call.status != ARES_SUCCESS) {
    return error_from_ares(call.status, "cannot resolve '" + call.host + "'");
  }
  return std::move(call.out);
}

result<answer> ares_resolver::resolve(std::string_view host, family f) {
  if (auto lit = answer_for_literal(host, f)) return std::move(*lit);
  if (host.empty()) return error(errc::dns_not_found, "empty host name");
  return lookup(host, f, steady::now() + options_.timeout);
}

result<answer> ares_resolver::resolve_absolute(std::string_view name, family f) {
  if (name.empty() || name.back() == '.' || answer_for_literal(name, f)) return resolve(name, f);
  return lookup(std::string(name) + ".", f, steady::now() + options_.timeout);
}

result<ares_resolver::search_answer> ares_resolver::resolve_in_search_list(std::string_view name,
                                                                           family f) {
  auto deadline = steady::now() + options_.timeout;
  std::vector<std::string> names;
  if (!name.empty() && name.back() == '.') {
    names.emplace_back(name);
  } else {
    std::string bare = std::string(name) + ".";
    auto dots = std::count(name.begin(), name.end(), '.');
    if (dots >= ndots_) names.push_back(bare);
    for (const auto& d : search_domains_) names.push_back(std::string(name) + "." + d + ".");
    if (dots < ndots_) names.push_back(bare);
  }
  search_answer out;
  error last(errc::dns_not_found, "empty search list");
  for (const auto& n : names) {
    auto r = lookup(n, f, deadline);
    out.attempts.push_back({n, r ? std::error_code() : r.error().code});
    if (r) {
      out.name = n;
      out.addresses = std::move(*r);
      return out;
    }
    last = r.error();
    if (last.is(errc::dns_timeout) && steady::now() >= deadline) break;
  }
  std::string tried;
  for (const auto& a : out.attempts) tried += (tried.empty() ? "" : ", ") + a.name;
  last.message = "'" + std::string(name) + "' not found through the search list (tried " + tried +
                 "): " + last.message;
  return last;
}

result<bool> ares_resolver::has_soa(std::string_view name) {
  auto ch = acquire();
  if (!ch) return ch.error();
  std::string fqdn(name);
  soa_call call;
  ares_query(ch->get(), fqdn.c_str(), ns_c_in, ns_t_soa, on_soa, &call);
  drive(ch->get(), call.done, steady::now() + options_.timeout);
  release(std::move(*ch));
  if (call.status == ARES_ECANCELLED) return timeout_error(name, options_.timeout);
  if (call.status == ARES_SUCCESS) return call.found;
  auto code = error_code_from_ares(call.status);
  if (code == errc::dns_not_found) return false;
  return error_from_ares(call.status, "SOA query for '" + fqdn + "'");
}

}  // namespace wpadkit::dns
