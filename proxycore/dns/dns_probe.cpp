// dns_probe: a small driver for the integration tests (tests/integration/test_dns_*.py). It points
// our c-ares resolvers at the test's own dnsmasq and prints one JSON object per lookup on stdout.
//
//   dns_probe [--server IP:PORT]... [--search DOMAIN]... [--no-search] [--timeout MS] [--no-hosts]
//             COMMAND ARGS...
//   resolve NAME FAMILY            ares_resolver::resolve (FAMILY: v4, v6, any)
//   absolute NAME FAMILY           ares_resolver::resolve_absolute
//   search NAME FAMILY             ares_resolver::resolve_in_search_list
//   soa NAME                       ares_resolver::has_soa
//   domains                        ares_resolver::search_domains
//   async NAME FAMILY [NAME FAMILY]...  async_resolver, all lookups concurrently on one io_context
//   cached NAME FAMILY COUNT       COUNT lookups through cached_resolver, then its counters
//   threads N COUNT NAME FAMILY    N threads each doing COUNT lookups on one ares_resolver; prints
//                                  {"lookups":..,"failures":..,"distinct_answers":..}
// Exit: 0 every lookup answered, 1 some failed, 2 usage.
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "proxycore/dns/ares_resolver.hpp"
#include "proxycore/dns/async_resolver.hpp"
#include "proxycore/dns/cached_resolver.hpp"

namespace {

using namespace wpadkit;
using namespace wpadkit::dns;

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string code_name(const std::error_code& ec) {
  if (ec.category() == wpadkit_category()) return errc_name(static_cast<errc>(ec.value()));
  if (ec == std::errc::operation_canceled) return "canceled";
  return ec.message();
}

std::string addresses_json(const answer& a) {
  std::string out = "[";
  for (const auto& addr : a.addresses) out += (out.size() > 1 ? "," : "") + quote(addr.to_string());
  return out + "]";
}

std::string answer_json(std::string_view name, const answer& a) {
  return "{\"name\":" + quote(name) + ",\"ok\":true,\"addresses\":" + addresses_json(a) +
         ",\"ttl\":" + std::to_string(a.ttl.count()) + "}";
}

std::string error_json(std::string_view name, const std::error_code& ec, std::string_view msg) {
  return "{\"name\":" + quote(name) + ",\"ok\":false,\"error\":" + quote(code_name(ec)) +
         ",\"message\":" + quote(msg) + "}";
}

std::optional<family> parse_family(std::string_view s) {
  if (s == "v4") return family::v4;
  if (s == "v6") return family::v6;
  if (s == "any") return family::any;
  return std::nullopt;
}

int usage(const std::string& why) {
  std::cerr << "dns_probe: " << why << "\n";
  return 2;
}

int print(std::string_view name, const result<answer>& r) {
  if (r) {
    std::cout << answer_json(name, *r) << "\n";
    return 0;
  }
  std::cout << error_json(name, r.error().code, r.error().message) << "\n";
  return 1;
}

int run_async(const resolver_options& options, const std::vector<std::string>& args) {
  boost::asio::io_context io;
  auto made = async_resolver::create(io.get_executor(), options);
  if (!made) return print("", made.error());
  int status = 0;
  for (std::size_t i = 0; i + 1 < args.size(); i += 2) {
    auto f = parse_family(args[i + 1]);
    if (!f) return usage("bad family " + args[i + 1]);
    (*made)->async_resolve(args[i], *f, [&status, name = args[i]](std::error_code ec, answer a) {
      if (ec) {
        std::cout << error_json(name, ec, ec.message()) << "\n";
        status = 1;
      } else {
        std::cout << answer_json(name, a) << "\n";
      }
    });
  }
  io.run();
  return status;
}

// Concurrent lookups on one resolver: each thread borrows its own channel from the pool.
int run_threads(ares_resolver& r, const std::vector<std::string>& args) {
  int threads = std::stoi(args[1]), count = std::stoi(args[2]);
  auto f = *parse_family(args[4]);
  std::atomic<int> lookups{0}, failures{0};
  std::mutex mutex;
  std::set<std::string> answers;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = 0; i < count; ++i) {
        auto res = r.resolve(args[3], f);
        ++lookups;
        if (!res) {
          ++failures;
          continue;
        }
        std::lock_guard lock(mutex);
        answers.insert(addresses_json(*res));
      }
    });
  }
  for (auto& th : pool) th.join();
  std::cout << "{\"lookups\":" << lookups << ",\"failures\":" << failures
            << ",\"distinct_answers\":" << answers.size() << "}\n";
  return failures ? 1 : 0;
}

int run_sync(const resolver_options& options, const std::vector<std::string>& args) {
  auto made = ares_resolver::create(options);
  if (!made) return print("", made.error());
  auto& r = **made;
  const std::string& cmd = args[0];
  if (cmd == "domains") {
    std::string out = "[";
    for (const auto& d : r.search_domains()) out += (out.size() > 1 ? "," : "") + quote(d);
    std::cout << "{\"domains\":" << out << "]}\n";
    return 0;
  }
  if (cmd == "soa" && args.size() == 2) {
    auto s = r.has_soa(args[1]);
    if (!s) return print(args[1], s.error());
    std::cout << "{\"name\":" << quote(args[1])
              << ",\"ok\":true,\"soa\":" << (*s ? "true" : "false") << "}\n";
    return 0;
  }
  if (args.size() < 3) return usage("missing arguments for " + cmd);
  if (cmd == "threads") {
    if (args.size() != 5 || !parse_family(args[4])) return usage("threads N COUNT NAME FAMILY");
    return run_threads(r, args);
  }
  auto f = parse_family(args[2]);
  if (!f) return usage("bad family " + args[2]);
  if (cmd == "resolve") return print(args[1], r.resolve(args[1], *f));
  if (cmd == "absolute") return print(args[1], r.resolve_absolute(args[1], *f));
  if (cmd == "search") {
    auto s = r.resolve_in_search_list(args[1], *f);
    if (!s) return print(args[1], s.error());
    std::string tried = "[";
    for (const auto& a : s->attempts) {
      tried += (tried.size() > 1 ? "," : "") + std::string("{\"name\":") + quote(a.name) +
               ",\"outcome\":" + quote(a.outcome ? code_name(a.outcome) : "ok") + "}";
    }
    std::cout << "{\"name\":" << quote(s->name)
              << ",\"ok\":true,\"addresses\":" << addresses_json(s->addresses)
              << ",\"attempts\":" << tried << "]}\n";
    return 0;
  }
  if (cmd == "cached" && args.size() == 4) {
    auto shared = std::shared_ptr<host_resolver>(std::move(*made));
    cached_resolver cache(shared);
    int status = 0;
    for (int i = 0; i < std::stoi(args[3]); ++i)
      status |= print(args[1], cache.resolve(args[1], *f));
    auto st = cache.stats();
    std::cout << "{\"hits\":" << st.hits << ",\"misses\":" << st.misses << "}\n";
    return status;
  }
  return usage("unknown command " + cmd);
}

}  // namespace

int main(int argc, char** argv) {
  resolver_options options;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    bool has_value = i + 1 < argc;
    if (a == "--server" && has_value) {
      options.servers.emplace_back(argv[++i]);
    } else if (a == "--search" && has_value) {
      if (!options.search_domains) options.search_domains.emplace();
      options.search_domains->emplace_back(argv[++i]);
    } else if (a == "--no-search") {
      options.search_domains.emplace();
    } else if (a == "--timeout" && has_value) {
      options.timeout = std::chrono::milliseconds(std::stoi(argv[++i]));
    } else if (a == "--no-hosts") {
      options.use_hosts_file = false;
    } else {
      args.push_back(a);
    }
  }
  if (args.empty()) return usage("no command");
  if (args[0] == "async") return run_async(options, {args.begin() + 1, args.end()});
  return run_sync(options, args);
}
