#include "proxycore/dns/answer_cache.hpp"

#include <catch2/catch.hpp>

#include "proxycore/dns/cached_resolver.hpp"
#include "proxycore/dns/fixed_resolver.hpp"

using namespace wpadkit;
using namespace wpadkit::dns;
using namespace std::chrono_literals;

namespace {

// The test clock: a time point the test moves by hand.
struct test_clock {
  std::chrono::steady_clock::time_point t{std::chrono::hours(1000)};
  clock_fn fn() {
    return [this] { return t; };
  }
};

answer a(const char* ip, std::chrono::seconds ttl) {
  return answer{{boost::asio::ip::make_address(ip)}, ttl};
}

// A resolver that counts calls and answers from a script.
struct scripted_resolver : host_resolver {
  int calls = 0;
  result<answer> next = a("10.0.0.1", 60s);
  result<answer> resolve(std::string_view, family) override {
    ++calls;
    return next;
  }
};

}  // namespace

TEST_CASE("answer_cache keeps an answer for its TTL and counts hits and misses") {
  test_clock clock;
  answer_cache cache({}, clock.fn());
  CHECK_FALSE(cache.find("a.test", family::v4).has_value());
  cache.store("a.test", family::v4, a("10.0.0.1", 30s));

  clock.t += 10s;
  auto hit = cache.find("A.Test", family::v4);  // names compare case-insensitively
  REQUIRE(hit.has_value());
  REQUIRE(hit->has_value());
  CHECK((*hit)->addresses.front().to_string() == "10.0.0.1");
  CHECK((*hit)->ttl == 20s);  // the time it has left

  SECTION("another family is another key") {
    CHECK_FALSE(cache.find("a.test", family::v6).has_value());
  }
  SECTION("expired at exactly its TTL") {
    clock.t += 20s;
    CHECK_FALSE(cache.find("a.test", family::v4).has_value());
  }
  auto st = cache.stats();
  CHECK(st.entries == 1);
  CHECK(st.hits == 1);
  CHECK(st.misses == 2);
}

TEST_CASE("answer_cache caps TTLs and does not keep TTL 0") {
  test_clock clock;
  answer_cache cache({.max_ttl = 100s, .negative_ttl = 5s, .max_entries = 10}, clock.fn());
  cache.store("long.test", family::any, a("10.0.0.2", 86400s));
  cache.store("zero.test", family::any, a("10.0.0.3", 0s));
  CHECK_FALSE(cache.find("zero.test", family::any).has_value());
  clock.t += 99s;
  CHECK(cache.find("long.test", family::any).has_value());
  clock.t += 1s;
  CHECK_FALSE(cache.find("long.test", family::any).has_value());
}

TEST_CASE("answer_cache keeps failures for the negative TTL, only DNS failures") {
  test_clock clock;
  answer_cache cache({.max_ttl = 100s, .negative_ttl = 5s, .max_entries = 10}, clock.fn());
  auto [code, kept] = GENERATE(table<errc, bool>({
      {errc::dns_not_found, true},
      {errc::dns_timeout, true},
      {errc::dns_failure, true},
      {errc::dns_limit, false},  // a per-evaluation cap, not a property of the name
      {errc::config, false},
  }));
  cache.store("bad.test", family::v4, result<answer>(error(code, "why")));
  auto found = cache.find("bad.test", family::v4);
  REQUIRE(found.has_value() == kept);
  if (kept) {
    REQUIRE_FALSE(found->has_value());
    CHECK(found->error().is(code));
    CHECK(found->error().message == "why");
    clock.t += 5s;
    CHECK_FALSE(cache.find("bad.test", family::v4).has_value());
  }
}

TEST_CASE("answer_cache makes room: expired first, then the soonest to expire") {
  test_clock clock;
  answer_cache cache({.max_ttl = 1000s, .negative_ttl = 5s, .max_entries = 2}, clock.fn());
  cache.store("one.test", family::v4, a("10.0.0.1", 10s));
  cache.store("two.test", family::v4, a("10.0.0.2", 500s));
  cache.store("three.test", family::v4, a("10.0.0.3", 600s));  // evicts one.test (soonest)
  CHECK(cache.stats().entries == 2);
  CHECK_FALSE(cache.find("one.test", family::v4).has_value());
  CHECK(cache.find("two.test", family::v4).has_value());
  CHECK(cache.find("three.test", family::v4).has_value());
  cache.clear();
  CHECK(cache.stats().entries == 0);
}

TEST_CASE("cached_resolver asks the inner resolver only on a miss") {
  test_clock clock;
  auto inner = std::make_shared<scripted_resolver>();
  cached_resolver cached(inner, {}, clock.fn());

  REQUIRE(cached.resolve("x.test", family::v4).has_value());
  REQUIRE(cached.resolve("x.test", family::v4).has_value());
  CHECK(inner->calls == 1);
  CHECK(cached.stats().hits == 1);
  CHECK(cached.stats().misses == 1);

  SECTION("after the TTL it asks again") {
    clock.t += 60s;
    REQUIRE(cached.resolve("x.test", family::v4).has_value());
    CHECK(inner->calls == 2);
  }
  SECTION("a failure is cached for the negative TTL, then asked again") {
    inner->next = error(errc::dns_timeout, "slow");
    REQUIRE_FALSE(cached.resolve("dead.test", family::v4).has_value());
    REQUIRE_FALSE(cached.resolve("dead.test", family::v4).has_value());
    CHECK(inner->calls == 2);
    clock.t += limits::dns_negative_ttl;
    auto again = cached.resolve("dead.test", family::v4);
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error().is(errc::dns_timeout));
    CHECK(inner->calls == 3);
  }
}

TEST_CASE("cached_resolver in front of fixed_resolver (TTL 0) does not cache") {
  auto table = std::make_shared<fixed_resolver>();
  table->add("origin.test", boost::asio::ip::make_address("127.0.0.1"));
  cached_resolver cached(table);
  REQUIRE(cached.resolve("origin.test", family::v4).has_value());
  REQUIRE(cached.resolve("origin.test", family::v4).has_value());
  CHECK(cached.stats().hits == 0);
  CHECK(cached.stats().entries == 0);
}
