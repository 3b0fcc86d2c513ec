// Resolver behaviour that needs no answering DNS server: literals, a silent server (timeouts),
// cancellation and destruction. Answers from a real server are tested in
// tests/integration/test_dns_resolve.py against dnsmasq.
#include "proxycore/dns/async_resolver.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>
#include <optional>

#include "proxycore/dns/ares_resolver.hpp"

using namespace wpadkit;
using namespace wpadkit::dns;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

// A UDP socket on loopback that receives queries and never answers.
struct silent_server {
  asio::io_context io;
  asio::ip::udp::socket socket{io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::string address() const {
    return "127.0.0.1:" + std::to_string(socket.local_endpoint().port());
  }
};

resolver_options silent_options(const silent_server& s, std::chrono::milliseconds timeout) {
  resolver_options o;
  o.servers = {s.address()};
  o.search_domains.emplace();
  o.use_hosts_file = false;
  o.timeout = timeout;
  return o;
}

struct outcome {
  std::error_code ec;
  answer a;
};

}  // namespace

TEST_CASE("ares_resolver: literals answer themselves without DNS") {
  silent_server s;
  auto r = ares_resolver::create(silent_options(s, 5000ms));
  REQUIRE(r.has_value());
  auto v4 = (*r)->resolve("10.1.2.3", family::v4);
  REQUIRE(v4.has_value());
  CHECK(v4->addresses == std::vector<address>{asio::ip::make_address("10.1.2.3")});
  auto v6 = (*r)->resolve("fd00::1", family::any);
  REQUIRE(v6.has_value());
  CHECK(v6->addresses.front().to_string() == "fd00::1");
  auto other = (*r)->resolve("::1", family::v4);
  REQUIRE_FALSE(other.has_value());
  CHECK(other.error().is(errc::dns_not_found));
  auto empty = (*r)->resolve("", family::v4);
  REQUIRE_FALSE(empty.has_value());
  CHECK(empty.error().is(errc::dns_not_found));
}

TEST_CASE("ares_resolver: a silent server is a timeout, and the channel is usable afterwards") {
  silent_server s;
  auto r = ares_resolver::create(silent_options(s, 300ms));
  REQUIRE(r.has_value());
  for (int i = 0; i < 2; ++i) {
    auto res = (*r)->resolve("quiet.test", family::v4);
    REQUIRE_FALSE(res.has_value());
    CHECK(res.error().is(errc::dns_timeout));
  }
  auto soa = (*r)->has_soa("quiet.test");
  REQUIRE_FALSE(soa.has_value());
  CHECK(soa.error().is(errc::dns_timeout));
}

TEST_CASE("ares_resolver: a bad server string is a config error") {
  resolver_options o;
  o.servers = {"not-an-address"};
  auto r = ares_resolver::create(o);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().is(errc::config));
}

TEST_CASE("ares_resolver: explicit search domains replace resolv.conf's") {
  silent_server s;
  auto o = silent_options(s, 300ms);
  o.search_domains = std::vector<std::string>{"a.test", "b.test"};
  auto r = ares_resolver::create(o);
  REQUIRE(r.has_value());
  CHECK((*r)->search_domains() == std::vector<std::string>{"a.test", "b.test"});
  auto walk = (*r)->resolve_in_search_list("wpad", family::v4);
  REQUIRE_FALSE(walk.has_value());
  CHECK(walk.error().is(errc::dns_timeout));
}

TEST_CASE("async_resolver: literals complete through the executor, never inline") {
  asio::io_context io;
  auto r = async_resolver::create(io.get_executor());
  REQUIRE(r.has_value());
  std::optional<outcome> got;
  (*r)->async_resolve("192.0.2.1", family::any, [&](std::error_code ec, answer a) {
    got = {ec, a};
  });
  CHECK_FALSE(got.has_value());  // not invoked from inside async_resolve
  io.run();
  REQUIRE(got.has_value());
  CHECK_FALSE(got->ec);
  CHECK(got->a.addresses.front().to_string() == "192.0.2.1");
}

TEST_CASE("async_resolver: works with as_tuple(use_awaitable)") {
  asio::io_context io;
  auto r = async_resolver::create(io.get_executor());
  REQUIRE(r.has_value());
  std::optional<answer> got;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto [ec, a] =
            co_await (*r)->async_resolve("::1", family::v6, asio::as_tuple(asio::use_awaitable));
        CHECK_FALSE(ec);
        got = a;
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run();
  REQUIRE(got.has_value());
  CHECK(got->addresses.front().to_string() == "::1");
}

TEST_CASE("async_resolver: a silent server times out, and the resolver keeps working") {
  silent_server s;
  asio::io_context io;
  auto r = async_resolver::create(io.get_executor(), silent_options(s, 300ms));
  REQUIRE(r.has_value());
  std::vector<std::error_code> got;
  for (int i = 0; i < 3; ++i) {
    (*r)->async_resolve("quiet.test", family::any, [&](std::error_code ec, answer a) {
      CHECK(a.addresses.empty());
      got.push_back(ec);
    });
  }
  CHECK((*r)->pending() == 0);  // started on the executor, not yet
  io.run_one();
  io.run();
  REQUIRE(got.size() == 3);
  for (auto& ec : got) CHECK(ec == make_error_code(errc::dns_timeout));
  CHECK((*r)->pending() == 0);
}

TEST_CASE("async_resolver: destruction cancels pending lookups") {
  silent_server s;
  asio::io_context io;
  auto r = async_resolver::create(io.get_executor(), silent_options(s, 60000ms));
  REQUIRE(r.has_value());
  std::vector<std::error_code> got;
  for (int i = 0; i < 2; ++i) {
    (*r)->async_resolve("quiet.test", family::v4,
                        [&](std::error_code ec, answer) { got.push_back(ec); });
  }
  // Run until both queries are in flight at the silent server.
  while ((*r)->pending() < 2) io.run_one();
  r->reset();
  CHECK(got.empty());  // completions are posted, not run in the destructor
  io.run();
  REQUIRE(got.size() == 2);
  for (auto& ec : got) CHECK(ec == std::errc::operation_canceled);
}

TEST_CASE("async_resolver: per-operation cancellation through a cancellation slot") {
  silent_server s;
  asio::io_context io;
  auto r = async_resolver::create(io.get_executor(), silent_options(s, 60000ms));
  REQUIRE(r.has_value());
  asio::cancellation_signal signal;
  std::optional<std::error_code> cancelled, other;
  (*r)->async_resolve("quiet.test", family::v4,
                      asio::bind_cancellation_slot(
                          signal.slot(), [&](std::error_code ec, answer) { cancelled = ec; }));
  (*r)->async_resolve("127.0.0.1", family::v4, [&](std::error_code ec, answer) { other = ec; });
  while ((*r)->pending() < 1) io.run_one();
  signal.emit(asio::cancellation_type::terminal);
  while (!cancelled || !other) io.run_one();
  CHECK(*cancelled == std::errc::operation_canceled);
  REQUIRE(other.has_value());
  CHECK_FALSE(*other);
  r->reset();  // the abandoned c-ares query ends here; its handler must not run twice
  io.run();
}

TEST_CASE("async_resolver: answers from a shared cache and stores what it learns") {
  silent_server s;
  asio::io_context io;
  auto cache = std::make_shared<answer_cache>();
  cache->store("cached.test", family::v4, answer{{asio::ip::make_address("10.4.4.4")}, 60s});
  auto r = async_resolver::create(io.get_executor(), silent_options(s, 300ms), cache);
  REQUIRE(r.has_value());
  std::vector<outcome> got;
  auto record = [&](std::error_code ec, answer a) { got.push_back({ec, a}); };
  (*r)->async_resolve("cached.test", family::v4, record);  // hit: no query sent
  (*r)->async_resolve("quiet.test", family::v4, record);   // miss: times out, failure stored
  io.run();
  REQUIRE(got.size() == 2);
  CHECK_FALSE(got[0].ec);
  CHECK(got[0].a.addresses.front().to_string() == "10.4.4.4");
  CHECK(got[1].ec == make_error_code(errc::dns_timeout));
  io.restart();
  (*r)->async_resolve("quiet.test", family::v4, record);  // the stored failure, at once
  io.run();
  REQUIRE(got.size() == 3);
  CHECK(got[2].ec == make_error_code(errc::dns_timeout));
  CHECK(cache->stats().hits == 2);
  CHECK(cache->stats().misses == 1);
}
