// Tests for forward::pac_decisions' decision cache: used only for scripts that read neither the clock
// nor the local address (the pool knows it from the compile), answered inline by find_proxy_now once
// a decision was made, and dropped on reload.
#include "proxycore/forward/pac_decisions.hpp"

#include <catch2/catch.hpp>
#include <future>

#include "proxycore/dns/fixed_resolver.hpp"

using namespace wpadkit;
using namespace wpadkit::forward;

namespace {

pac_decisions_options options() {
  pac_decisions_options o;
  o.env.resolver = std::make_shared<dns::fixed_resolver>();
  o.env.local = pac::fixed_local_addresses({});
  o.threads = 1;
  return o;
}

// find_proxy, waited for.
result<std::string> ask(pac_decisions& d, const std::string& url, const std::string& host) {
  std::promise<result<std::string>> answer;
  d.find_proxy(url, host, [&answer](result<std::string> r) { answer.set_value(std::move(r)); });
  return answer.get_future().get();
}

const char* plain = R"(function FindProxyForURL(url, host) {
  return dnsDomainIs(host, ".corp.test") ? "DIRECT" : "PROXY p:3128"; })";
const char* clocked = R"(function FindProxyForURL(url, host) {
  return timeRange(0, 12) ? "PROXY am:3128" : "PROXY pm:3128"; })";

}  // namespace

TEST_CASE("pac_decisions: a script that reads no clock is cached, and a hit is answered inline") {
  pac_decisions d(options());
  REQUIRE(d.load(plain, "plain.pac").has_value());
  CHECK(d.caching());
  CHECK_FALSE(d.find_proxy_now("http://a.corp.test/", "a.corp.test"));
  REQUIRE(ask(d, "http://a.corp.test/", "a.corp.test").value() == "DIRECT");
  auto now = d.find_proxy_now("http://a.corp.test/", "a.corp.test");
  REQUIRE(now);
  CHECK(*now == "DIRECT");
  CHECK(d.cache_hits() == 1);
  // The key is the whole URL and the host: another path or host is not a hit.
  CHECK_FALSE(d.find_proxy_now("http://a.corp.test/x", "a.corp.test"));
  CHECK_FALSE(d.find_proxy_now("http://a.corp.test/", "b.corp.test"));
  // Parts that only concatenate to the same text are not the same key.
  CHECK_FALSE(d.find_proxy_now("http://a.corp.test/\na.corp", ".test"));
}

TEST_CASE("pac_decisions: a script that reads the clock is never cached, and a reload re-decides") {
  pac_decisions d(options());
  REQUIRE(d.load(clocked, "clocked.pac").has_value());
  CHECK_FALSE(d.caching());
  REQUIRE(ask(d, "http://x.test/", "x.test").has_value());
  CHECK_FALSE(d.find_proxy_now("http://x.test/", "x.test"));
  REQUIRE(d.load(plain, "plain.pac").has_value());
  CHECK(d.caching());
  REQUIRE(ask(d, "http://x.test/", "x.test").value() == "PROXY p:3128");
  CHECK(d.find_proxy_now("http://x.test/", "x.test"));
  // Back to a clock-reading script: the cached answers of the old one are gone.
  REQUIRE(d.load(clocked, "clocked.pac").has_value());
  CHECK_FALSE(d.caching());
  CHECK_FALSE(d.find_proxy_now("http://x.test/", "x.test"));
}

TEST_CASE("pac_decisions: with the cache off nothing is answered inline") {
  auto o = options();
  o.cache = false;
  pac_decisions d(std::move(o));
  REQUIRE(d.load(plain, "plain.pac").has_value());
  CHECK_FALSE(d.caching());
  REQUIRE(ask(d, "http://a.corp.test/", "a.corp.test").has_value());
  CHECK_FALSE(d.find_proxy_now("http://a.corp.test/", "a.corp.test"));
}

TEST_CASE("fixed_decisions answers inline") {
  auto d = fixed_decisions("PROXY f:8080");
  auto now = d->find_proxy_now("http://any/", "any");
  REQUIRE(now);
  CHECK(*now == "PROXY f:8080");
}
