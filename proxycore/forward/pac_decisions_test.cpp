// Tests for forward::pac_decisions: every request evaluates the script (no answer is remembered, so
// a script that balances load keeps balancing), reloads, and evaluation on the calling thread (inline
// engines: only calls that need no DNS, each thread with its own engine, handed out per version).
#include "proxycore/forward/pac_decisions.hpp"

#include <catch2/catch.hpp>
#include <future>
#include <set>
#include <vector>

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

namespace {

// A round-robin counter in a global, and Math.random(): both common in real PACs for balancing.
const char* counter = R"(var n = 0;
function FindProxyForURL(url, host) { return (n++ % 2) ? "PROXY b:1" : "PROXY a:1"; })";
const char* random_pick = R"(function FindProxyForURL(url, host) {
  return Math.random() < 0.5 ? "PROXY a:1" : "PROXY b:1"; })";

}  // namespace

TEST_CASE("pac_decisions: every request evaluates the script, so a counter keeps counting") {
  pac_decisions d(options());
  REQUIRE(d.load(counter, "counter.pac").has_value());
  // One pool thread, hence one engine and one counter: the same URL alternates.
  std::vector<std::string> got;
  for (int i = 0; i < 4; ++i) got.push_back(ask(d, "http://x.test/", "x.test").value());
  CHECK(got == std::vector<std::string>{"PROXY a:1", "PROXY b:1", "PROXY a:1", "PROXY b:1"});
  // Nothing answers at once without an engine of the calling thread's own: no answer is remembered.
  CHECK_FALSE(d.find_proxy_now("http://x.test/", "x.test", nullptr));
}

TEST_CASE("pac_decisions: Math.random() balancing gives both answers for one URL") {
  pac_decisions d(options());
  REQUIRE(d.load(random_pick, "random.pac").has_value());
  std::set<std::string> seen;
  // 64 draws: all alike with probability 2^-63.
  for (int i = 0; i < 64; ++i) seen.insert(ask(d, "http://x.test/", "x.test").value());
  CHECK(seen == std::set<std::string>{"PROXY a:1", "PROXY b:1"});
}

TEST_CASE("pac_decisions: a reload re-decides") {
  pac_decisions d(options());
  REQUIRE(d.load(clocked, "clocked.pac").has_value());
  CHECK(ask(d, "http://x.test/", "x.test").value().find("PROXY ") == 0);
  REQUIRE(d.load(plain, "plain.pac").has_value());
  CHECK(ask(d, "http://x.test/", "x.test").value() == "PROXY p:3128");
  REQUIRE(d.load(counter, "counter.pac").has_value());
  CHECK(ask(d, "http://x.test/", "x.test").value() == "PROXY a:1");
}

namespace {

pac_decisions_options inline_options(unsigned engines) {
  auto o = options();
  auto dns = std::make_shared<dns::fixed_resolver>();
  dns->add("intra.test", boost::asio::ip::make_address("10.1.2.3"));
  o.env.resolver = dns;
  o.inline_engines = engines;
  return o;
}

const char* resolving = R"(function FindProxyForURL(url, host) {
  return isInNet(dnsResolve(host) || "0.0.0.0", "10.0.0.0", "255.0.0.0") ? "DIRECT" : "PROXY p:3128"; })";

}  // namespace

TEST_CASE("pac_decisions: a call that needs no DNS is evaluated on the calling thread") {
  pac_decisions d(inline_options(1));
  REQUIRE(d.load(plain, "plain.pac").has_value());
  auto local = d.make_thread_state();
  REQUIRE(local);
  CHECK(d.find_proxy_now("http://a.corp.test/", "a.corp.test", local.get()) == "DIRECT");
  CHECK(d.find_proxy_now("http://www.test/", "www.test", local.get()) == "PROXY p:3128");
  CHECK(d.inline_answers() == 2);
  // Without a thread state (a caller that keeps none) nothing answers at once.
  CHECK_FALSE(d.find_proxy_now("http://a.corp.test/", "a.corp.test", nullptr));
}

TEST_CASE("pac_decisions: a call that looks a name up is left to the pool; an IP literal is not") {
  pac_decisions d(inline_options(1));
  REQUIRE(d.load(resolving, "resolving.pac").has_value());
  auto local = d.make_thread_state();
  CHECK_FALSE(d.find_proxy_now("http://intra.test/", "intra.test", local.get()));
  CHECK(ask(d, "http://intra.test/", "intra.test").value() == "DIRECT");  // the pool resolved it
  CHECK(d.find_proxy_now("http://10.9.9.9/", "10.9.9.9", local.get()) == "DIRECT");
  CHECK(d.find_proxy_now("http://192.0.2.1/", "192.0.2.1", local.get()) == "PROXY p:3128");
  CHECK(d.inline_answers() == 2);
}

TEST_CASE("pac_decisions: myIpAddress is left to the pool") {
  pac_decisions d(inline_options(1));
  REQUIRE(d.load(R"(function FindProxyForURL(url, host) { return "PROXY " + myIpAddress() + ":1"; })",
                 "my.pac").has_value());
  auto local = d.make_thread_state();
  CHECK_FALSE(d.find_proxy_now("http://x.test/", "x.test", local.get()));
  CHECK(ask(d, "http://x.test/", "x.test").value() == "PROXY 127.0.0.1:1");
}

TEST_CASE("pac_decisions: calls past the inline deadline are left to the pool, then the version is") {
  pac_decisions d(inline_options(1));
  // Millions of loop turns: far past the 2 ms an inline call may take, well within the pool's limit.
  REQUIRE(d.load(R"(function FindProxyForURL(url, host) {
    if (host == "slow.test") { var t = 0; for (var i = 0; i < 3000000; i++) t += i; }
    return "DIRECT"; })", "slow.pac").has_value());
  auto local = d.make_thread_state();
  CHECK(d.find_proxy_now("http://fast.test/", "fast.test", local.get()) == "DIRECT");
  CHECK_FALSE(d.find_proxy_now("http://slow.test/", "slow.test", local.get()));
  CHECK(ask(d, "http://slow.test/", "slow.test").value() == "DIRECT");
  // One cut-off call may be a descheduled thread: fast calls stay here.
  CHECK(d.find_proxy_now("http://fast.test/", "fast.test", local.get()) == "DIRECT");
  // More than 8 in a window of 64: the version goes to the pool, fast calls too.
  for (int i = 0; i < 8; ++i) CHECK_FALSE(d.find_proxy_now("http://slow.test/", "slow.test", local.get()));
  CHECK_FALSE(d.find_proxy_now("http://fast.test/", "fast.test", local.get()));
  // The next version is tried inline again.
  REQUIRE(d.load(plain, "plain.pac").has_value());
  CHECK(d.find_proxy_now("http://fast.test/", "fast.test", local.get()) == "PROXY p:3128");
}

TEST_CASE("pac_decisions: each thread takes its own engine; a thread without one uses the pool") {
  pac_decisions d(inline_options(1));
  REQUIRE(d.load(plain, "plain.pac").has_value());
  auto first = d.make_thread_state();
  auto second = d.make_thread_state();
  CHECK(d.find_proxy_now("http://a.corp.test/", "a.corp.test", first.get()) == "DIRECT");
  CHECK_FALSE(d.find_proxy_now("http://a.corp.test/", "a.corp.test", second.get()));
  CHECK(d.find_proxy_now("http://a.corp.test/", "a.corp.test", first.get()) == "DIRECT");
  // A reload makes one engine again: the thread that asks first gets it.
  REQUIRE(d.load(clocked, "clocked.pac").has_value());
  CHECK(d.find_proxy_now("http://x.test/", "x.test", second.get()));
  CHECK_FALSE(d.find_proxy_now("http://x.test/", "x.test", first.get()));
}

TEST_CASE("pac_decisions: an engine on the calling thread keeps the script's state between calls") {
  pac_decisions d(inline_options(1));
  REQUIRE(d.load(counter, "counter.pac").has_value());
  auto local = d.make_thread_state();
  CHECK(d.find_proxy_now("http://x.test/", "x.test", local.get()) == "PROXY a:1");
  CHECK(d.find_proxy_now("http://x.test/", "x.test", local.get()) == "PROXY b:1");
  CHECK(d.find_proxy_now("http://x.test/", "x.test", local.get()) == "PROXY a:1");
  CHECK(d.inline_answers() == 3);
}

TEST_CASE("pac_decisions: without inline engines no thread state is made") {
  pac_decisions d(inline_options(0));
  REQUIRE(d.load(plain, "plain.pac").has_value());
  CHECK_FALSE(d.make_thread_state());
}

TEST_CASE("fixed_decisions answers inline") {
  auto d = fixed_decisions("PROXY f:8080");
  auto now = d->find_proxy_now("http://any/", "any", nullptr);
  REQUIRE(now);
  CHECK(*now == "PROXY f:8080");
}

TEST_CASE("pac_decisions: unload drops the serving PAC until the next load, inline engines included") {
  auto o = inline_options(1);
  o.when_no_pac = no_pac_policy::direct;
  pac_decisions d(o);
  CHECK_FALSE(d.unload());  // nothing serving yet
  REQUIRE(d.load(plain, "plain.pac").has_value());
  auto local = d.make_thread_state();
  REQUIRE(d.find_proxy_now("http://x.test/", "x.test", local.get()) == "PROXY p:3128");
  const auto before = d.version();

  CHECK(d.unload());
  CHECK_FALSE(d.unload());
  CHECK_FALSE(d.ready());
  CHECK(d.version() == 0);
  // The thread's engine does not answer any more; the no-PAC policy does.
  CHECK_FALSE(d.find_proxy_now("http://x.test/", "x.test", nullptr));
  CHECK_FALSE(d.find_proxy_now("http://x.test/", "x.test", local.get()));
  CHECK(ask(d, "http://x.test/", "x.test").value() == "DIRECT");

  // The next load serves, with a newer version: the thread's engine of the dropped script is not
  // taken for it.
  REQUIRE(d.load(clocked, "clocked.pac").has_value());
  CHECK(d.ready());
  CHECK(d.version() > before);
  auto now = d.find_proxy_now("http://x.test/", "x.test", local.get());
  REQUIRE(now);
  CHECK(now->find("PROXY ") == 0);
  CHECK(*now != "PROXY p:3128");
  CHECK(ask(d, "http://x.test/", "x.test").value() != "PROXY p:3128");
}

TEST_CASE("pac_decisions: requests waiting for a PAC after an unload are answered by the next load") {
  pac_decisions d(options());  // no-PAC policy: wait
  REQUIRE(d.load(plain, "plain.pac").has_value());
  REQUIRE(d.unload());
  std::promise<result<std::string>> answer;
  d.find_proxy("http://x.test/", "x.test", [&answer](result<std::string> r) { answer.set_value(std::move(r)); });
  auto waiting = answer.get_future();
  CHECK(waiting.wait_for(std::chrono::milliseconds(50)) == std::future_status::timeout);
  REQUIRE(d.load(clocked, "clocked.pac").has_value());
  auto r = waiting.get();
  REQUIRE(r.has_value());
  CHECK(r->find("PROXY ") == 0);
  CHECK(*r != "PROXY p:3128");
}
