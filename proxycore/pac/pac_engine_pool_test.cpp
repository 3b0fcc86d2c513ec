// Tests for pac::engine_pool: concurrent evaluation, reload by swap (queued calls finish on the old
// script, later calls see the new one), a failed reload keeping the old script, version counting.
#include "proxycore/pac/pac_engine_pool.hpp"

#include <catch2/catch.hpp>
#include <future>
#include <thread>

#include "proxycore/dns/fixed_resolver.hpp"

using namespace wpadkit;
using namespace wpadkit::pac;
using namespace std::chrono_literals;

namespace {

// Blocks a lookup of "block.test" until released, so a test can hold a worker busy.
class gate_resolver final : public dns::host_resolver {
 public:
  result<dns::answer> resolve(std::string_view host, dns::family) override {
    if (host == "block.test") {
      entered_.set_value();
      release_.get_future().wait();
    }
    return dns::answer{{boost::asio::ip::make_address("10.0.0.9")}, std::chrono::seconds(0)};
  }
  void wait_entered() { entered_future_.wait(); }
  void release() { release_.set_value(); }

 private:
  std::promise<void> entered_;
  std::shared_future<void> entered_future_ = entered_.get_future().share();
  std::promise<void> release_;
};

environment env(std::shared_ptr<dns::host_resolver> r = std::make_shared<dns::fixed_resolver>()) {
  environment e;
  e.resolver = std::move(r);
  e.local = fixed_local_addresses({});
  return e;
}

const char* version_pac(int v) {
  static const std::string pacs[] = {
      "function FindProxyForURL(u, h) { if (h == 'block.test') dnsResolve(h); return 'PROXY v1:' + h.length; }",
      "function FindProxyForURL(u, h) { return 'PROXY v2:' + h.length; }",
  };
  return pacs[v - 1].c_str();
}

}  // namespace

TEST_CASE("engine_pool evaluates from many threads") {
  auto pool = engine_pool::create(version_pac(1), "pool.pac", env(), {}, 3);
  REQUIRE(pool.has_value());
  CHECK((*pool)->version() == 1);
  auto r = (*pool)->find_proxy_sync("http://abc/", "abc");
  REQUIRE(r.has_value());
  CHECK(r->result == "PROXY v1:3");

  const int per_thread = 200;
  std::vector<std::thread> callers;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        std::string host(static_cast<std::size_t>(1 + (t + i) % 20), 'h');
        auto res = (*pool)->find_proxy_sync("http://" + host + "/", host);
        if (res && res->result == "PROXY v1:" + std::to_string(host.size())) ++ok;
      }
    });
  }
  for (auto& c : callers) c.join();
  CHECK(ok == 4 * per_thread);
}

TEST_CASE("engine_pool reload swaps scripts; queued calls finish on the old one") {
  auto gate = std::make_shared<gate_resolver>();
  auto pool = engine_pool::create(version_pac(1), "pool.pac", env(gate), {}, 1);
  REQUIRE(pool.has_value());
  auto& p = **pool;

  std::promise<std::string> a, b, c;
  auto done_into = [](std::promise<std::string>& pr) {
    return [&pr](result<evaluation> r) { pr.set_value(r ? r->result : r.error().to_string()); };
  };
  p.find_proxy("http://block.test/", "block.test", done_into(a));
  gate->wait_entered();  // the only worker is now busy
  p.find_proxy("http://bb/", "bb", done_into(b));  // queued under version 1
  REQUIRE(p.reload(version_pac(2), "pool2.pac").has_value());
  CHECK(p.version() == 2);
  p.find_proxy("http://ccc/", "ccc", done_into(c));  // queued under version 2
  gate->release();
  CHECK(a.get_future().get() == "PROXY v1:10");
  CHECK(b.get_future().get() == "PROXY v1:2");
  CHECK(c.get_future().get() == "PROXY v2:3");
}

TEST_CASE("engine_pool keeps the old script when a reload fails") {
  auto pool = engine_pool::create(version_pac(2), "pool.pac", env(), {}, 2);
  REQUIRE(pool.has_value());
  auto& p = **pool;
  auto bad = p.reload("function FindProxyForURL(u, h) { return 'x' +; }", "bad.pac");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().is(errc::pac_syntax));
  auto none = p.reload("var x = 1;", "none.pac");
  REQUIRE_FALSE(none.has_value());
  CHECK(none.error().is(errc::pac_no_entrypoint));
  CHECK(p.version() == 1);
  auto r = p.find_proxy_sync("http://abcd/", "abcd");
  REQUIRE(r.has_value());
  CHECK(r->result == "PROXY v2:4");
}

TEST_CASE("engine_pool reports load errors and per-call errors") {
  auto bad = engine_pool::create("function (", "bad.pac", env(), {}, 2);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().is(errc::pac_syntax));

  engine_options o;
  o.call_timeout = 50ms;
  auto pool = engine_pool::create(
      "function FindProxyForURL(u, h) { if (h == 'loop') for (;;) {} return 'DIRECT'; }", "t.pac",
      env(), o, 2);
  REQUIRE(pool.has_value());
  auto t = (*pool)->find_proxy_sync("http://loop/", "loop");
  REQUIRE_FALSE(t.has_value());
  CHECK(t.error().is(errc::pac_timeout));
  auto r = (*pool)->find_proxy_sync("http://x/", "x");
  REQUIRE(r.has_value());
  CHECK(r->result == "DIRECT");
}
