#pragma once
// ares_resolver: the synchronous host_resolver over c-ares, used by the PAC engine on its worker
// threads and by WPAD discovery. By default it behaves like the system resolver (getaddrinfo):
// servers, search list and ndots from /etc/resolv.conf, /etc/hosts first (order from
// nsswitch.conf), IP literals answering themselves, IPv6/IPv4 sorted by RFC 6724 for family::any.
//
// Thread-safe: each call borrows a c-ares channel from a small pool (creating one when all are in
// use), so a channel is only ever used by one thread at a time and concurrent lookups never wait on
// each other. Each call blocks for at most options.timeout.
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "proxycore/dns/channel.hpp"
#include "proxycore/dns/host_resolver.hpp"
#include "proxycore/dns/resolver_options.hpp"

namespace wpadkit::dns {

class ares_resolver final : public host_resolver {
 public:
  // Errors: errc::config (a server that is not "ip", "ip:port", "[v6]" or "[v6]:port"),
  //         errc::dns_failure (c-ares could not set up a channel).
  static result<std::unique_ptr<ares_resolver>> create(resolver_options options = {});

  // Like getaddrinfo: hosts file, then DNS with the search list applied by the ndots rule.
  // Errors: errc::dns_not_found, errc::dns_timeout, errc::dns_failure.
  result<answer> resolve(std::string_view host, family f) override;

  // Exactly `name` as a fully-qualified name: no search list (WPAD devolution asks for
  // `wpad.b.example.com` and nothing else). Errors as resolve().
  result<answer> resolve_absolute(std::string_view name, family f);

  // One step of a search-list walk, for diagnostics.
  struct search_attempt {
    std::string name;         // the fully-qualified name asked
    std::error_code outcome;  // empty when it answered
  };
  struct search_answer {
    std::string name;  // the fully-qualified name that answered
    answer addresses;
    std::vector<search_attempt> attempts;  // every name asked, in order, the answering one last
  };
  // Resolves `name` through the search list the way the system resolver does for a name with fewer
  // dots than ndots — `name.<domain>` for each search domain in order, then `name` itself — and
  // says which name answered (Chrome/Firefox/libproxy's `http://wpad/wpad.dat`). The first name
  // that resolves wins; a timeout or failure on one name moves on to the next (as res_search does).
  // Errors: the error of the last name tried (errc::dns_not_found when all are NXDOMAIN), with
  // every attempt listed in the message; errc::dns_timeout when the whole walk runs past
  // options.timeout.
  result<search_answer> resolve_in_search_list(std::string_view name, family f);

  // The search list in effect (resolv.conf's `search`/`domain`, or options.search_domains).
  const std::vector<std::string>& search_domains() const noexcept { return search_domains_; }

  // Whether `name` (taken as fully qualified) owns an SOA record — i.e. is a zone apex — for KDE's
  // WPAD algorithm. NXDOMAIN and "no SOA at this name" are `false`.
  // Errors: errc::dns_timeout, errc::dns_failure.
  result<bool> has_soa(std::string_view name);

  // The options this resolver was made with (servers, timeout...).
  const resolver_options& options() const noexcept { return options_; }

 private:
  explicit ares_resolver(resolver_options options, channel first);
  result<channel> acquire();
  void release(channel c);
  result<answer> lookup(std::string_view name, family f,
                        std::chrono::steady_clock::time_point deadline);

  resolver_options options_;
  std::vector<std::string> search_domains_;
  int ndots_;
  std::mutex mutex_;
  std::vector<channel> idle_;  // guarded by mutex_
};

}  // namespace wpadkit::dns
