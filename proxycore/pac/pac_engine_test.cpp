// Tests for pac::engine: loading, calling, every error kind, recovery after timeout and memory errors,
// profiles, alerts, tracing, the DNS lookup cap.
#include "proxycore/pac/pac_engine.hpp"

#include <catch2/catch.hpp>

#include "proxycore/dns/fixed_resolver.hpp"

using namespace wpadkit;
using namespace wpadkit::pac;
using namespace std::chrono_literals;

namespace {

class counting_resolver final : public dns::host_resolver {
 public:
  explicit counting_resolver(std::shared_ptr<dns::host_resolver> inner) : inner_(std::move(inner)) {}
  result<dns::answer> resolve(std::string_view host, dns::family f) override {
    ++calls;
    return inner_->resolve(host, f);
  }
  int calls = 0;

 private:
  std::shared_ptr<dns::host_resolver> inner_;
};

std::shared_ptr<counting_resolver> test_resolver() {
  auto r = std::make_shared<dns::fixed_resolver>();
  r->add("proxy.corp.test", boost::asio::ip::make_address("10.1.2.3"));
  r->add("a.test", boost::asio::ip::make_address("10.0.0.1"));
  r->add("b.test", boost::asio::ip::make_address("10.0.0.2"));
  r->add("c.test", boost::asio::ip::make_address("10.0.0.3"));
  return std::make_shared<counting_resolver>(r);
}

environment test_env(std::shared_ptr<dns::host_resolver> r = test_resolver()) {
  environment env;
  env.resolver = std::move(r);
  env.time = fixed_clock(std::chrono::system_clock::time_point(1700000000s));
  env.local = fixed_local_addresses({boost::asio::ip::make_address("192.168.1.20")});
  return env;
}

engine load_ok(std::string_view text, engine_options o = {}, environment env = test_env()) {
  auto e = engine::load(text, "test.pac", std::move(env), o);
  if (!e) FAIL(e.error().to_string());
  return std::move(*e);
}

error load_error(std::string_view text, engine_options o = {}) {
  auto e = engine::load(text, "test.pac", test_env(), o);
  REQUIRE_FALSE(e.has_value());
  return e.error();
}

std::string call(engine& e, std::string_view url, std::string_view host) {
  auto r = e.find_proxy(url, host);
  if (!r) FAIL(r.error().to_string());
  return r->result;
}

error call_error(engine& e, std::string_view url, std::string_view host) {
  auto r = e.find_proxy(url, host);
  REQUIRE_FALSE(r.has_value());
  return r.error();
}

}  // namespace

TEST_CASE("engine evaluates FindProxyForURL with url and host as given") {
  auto e = load_ok("function FindProxyForURL(url, host) { return 'PROXY ' + host + ':1; ' + url; }");
  CHECK(call(e, "http://Example.COM/a b", "Example.COM") == "PROXY Example.COM:1; http://Example.COM/a b");
  CHECK(call(e, "", "") == "PROXY :1; ");
}

TEST_CASE("engine exposes no Duktape global, as browsers have none") {
  auto e = load_ok(
      "function FindProxyForURL(url, host) { return typeof Duktape + ' ' + ('Duktape' in this); }");
  CHECK(call(e, "http://a/", "a") == "undefined false");
}

TEST_CASE("engine reports a syntax error with its line") {
  auto err = load_error("function FindProxyForURL(u, h) {\n  var x = 1;\n  return 'DIRECT' + ;\n}\n");
  CHECK(err.is(errc::pac_syntax));
  CHECK(err.line == 3);
  CHECK(err.where == "test.pac");
  CHECK_THAT(err.message, Catch::Contains("SyntaxError"));
}

TEST_CASE("engine reports top-level exceptions as load errors") {
  auto err = load_error("var a = 1;\nthrow new Error('bad at load');\n");
  CHECK(err.is(errc::pac_load));
  CHECK(err.message == "Error: bad at load");
  CHECK(err.line == 2);
}

TEST_CASE("engine requires FindProxyForURL to be a function") {
  CHECK(load_error("var x = 1;").is(errc::pac_no_entrypoint));
  CHECK(load_error("var FindProxyForURL = 'DIRECT';").is(errc::pac_no_entrypoint));
  CHECK(load_error("").is(errc::pac_no_entrypoint));
}

TEST_CASE("engine reports exceptions in a call with message and line") {
  auto e = load_ok("function FindProxyForURL(u, h) {\n  if (h == 'x') null.x;\n  throw 'plain ' + h;\n}\n");
  auto err = call_error(e, "http://x/", "x");
  CHECK(err.is(errc::pac_exception));
  CHECK(err.line == 2);
  CHECK_THAT(err.message, Catch::StartsWith("TypeError"));
  auto err2 = call_error(e, "http://y/", "y");
  CHECK(err2.is(errc::pac_exception));
  CHECK(err2.message == "plain y");
}

TEST_CASE("engine reports helper errors at the calling line of the PAC") {
  auto e = load_ok(
      "function FindProxyForURL(u, h) {\n"
      "  if (h == 'a') return isPlainHostName(5);\n"
      "  return dnsDomainIs(undefined, 'x');\n"
      "}\n");
  auto native = call_error(e, "http://a/", "a");
  CHECK(native.is(errc::pac_exception));
  CHECK(native.line == 2);
  auto library = call_error(e, "http://b/", "b");
  CHECK(library.is(errc::pac_exception));
  CHECK_THAT(library.message, Catch::StartsWith("TypeError"));
  CHECK(library.line == 3);  // the PAC's line, not the helper library's
}

TEST_CASE("engine rejects non-string and non-ASCII results") {
  auto e = load_ok(
      "function FindProxyForURL(u, h) {\n"
      "  if (h == 'n') return 5;\n"
      "  if (h == 'u') return;\n"
      "  if (h == 'o') return {};\n"
      "  return 'PROXY caf\\u00e9:80';\n"
      "}\n");
  for (const char* h : {"n", "u", "o", "x"}) {
    auto err = call_error(e, "http://h/", h);
    CHECK(err.is(errc::pac_bad_return));
  }
  CHECK_THAT(call_error(e, "http://h/", "n").message, Catch::Contains("a number"));
  CHECK_THAT(call_error(e, "http://h/", "x").message, Catch::Contains("non-ASCII"));
}

TEST_CASE("engine times out a runaway call and keeps answering") {
  engine_options o;
  o.call_timeout = 100ms;
  auto e = load_ok(
      "var calls = 0;\n"
      "function FindProxyForURL(u, h) {\n"
      "  calls++;\n"
      "  if (h == 'loop') while (true) {}\n"
      "  if (h == 'catch') for (;;) { try { while (true) {} } catch (e) {} }\n"
      "  return 'PROXY p:' + calls;\n"
      "}\n",
      o);
  CHECK(call(e, "http://a/", "a") == "PROXY p:1");
  CHECK(call_error(e, "http://a/", "loop").is(errc::pac_timeout));
  CHECK(call(e, "http://a/", "a") == "PROXY p:3");
  CHECK(call_error(e, "http://a/", "catch").is(errc::pac_timeout));
  CHECK(call(e, "http://a/", "a") == "PROXY p:5");
}

TEST_CASE("engine times out a runaway regular expression") {
  engine_options o;
  o.call_timeout = 100ms;
  auto e = load_ok("function FindProxyForURL(u, h) { return /^(a+)+$/.test(h) ? 'A' : 'B'; }", o);
  // Without the deadline in the native check, Duktape's own regexp step limit (1e9 steps) would end
  // it much later as a plain exception.
  CHECK(call_error(e, "http://x/", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!").is(errc::pac_timeout));
  CHECK(call(e, "http://x/", "aaa") == "A");
}

TEST_CASE("engine times out a runaway top level") {
  engine_options o;
  o.load_timeout = 100ms;
  CHECK(load_error("while (true) {}\nfunction FindProxyForURL() { return 'DIRECT'; }", o)
            .is(errc::pac_timeout));
}

TEST_CASE("engine enforces its memory cap and keeps answering") {
  engine_options o;
  o.memory_limit = 8 * 1024 * 1024;
  o.call_timeout = 60s;
  auto e = load_ok(
      "function FindProxyForURL(u, h) {\n"
      "  var s = 'y'; while (s.length < 1000) s += s;\n"
      "  if (h == 'mem') { var a = []; for (var i = 0; ; i++) a.push(i + s); }\n"
      "  return 'DIRECT';\n"
      "}\n",
      o);
  CHECK(call_error(e, "http://a/", "mem").is(errc::pac_memory));
  CHECK(call(e, "http://a/", "a") == "DIRECT");
  CHECK(call_error(e, "http://a/", "mem").is(errc::pac_memory));
  CHECK(call(e, "http://a/", "a") == "DIRECT");
}

TEST_CASE("engine refuses PAC text over the size limit unless raised") {
  std::string big = "function FindProxyForURL(u, h) { return 'DIRECT'; }\n//" + std::string(2000, 'x');
  engine_options o;
  o.max_pac_bytes = 1000;
  auto err = load_error(big, o);
  CHECK(err.is(errc::pac_too_large));
  CHECK_THAT(err.message, Catch::Contains("1000"));
  o.max_pac_bytes = 4000;
  auto e = load_ok(big, o);
  CHECK(call(e, "http://a/", "a") == "DIRECT");
}

TEST_CASE("engine honours FindProxyForURLEx only under the winhttp profile") {
  const char* both =
      "function FindProxyForURL(u, h) { return 'PROXY classic:80'; }\n"
      "function FindProxyForURLEx(u, h) { return 'PROXY ex:80'; }\n";
  auto chrome = load_ok(both);
  CHECK(call(chrome, "http://a/", "a") == "PROXY classic:80");
  engine_options w;
  w.compat = profile::winhttp;
  auto win = load_ok(both, w);
  CHECK(call(win, "http://a/", "a") == "PROXY ex:80");

  const char* ex_only = "function FindProxyForURLEx(u, h) { return 'PROXY ex:80'; }\n";
  CHECK(load_error(ex_only).is(errc::pac_no_entrypoint));
  auto win_ex = load_ok(ex_only, w);
  CHECK(call(win_ex, "http://a/", "a") == "PROXY ex:80");
}

TEST_CASE("engine collects alert() messages per call through String()") {
  auto e = load_ok(
      "function FindProxyForURL(u, h) {\n"
      "  alert('a'); alert(1, 2); alert(); alert({toString: function () { return 'obj'; }});\n"
      "  alert(null);\n"
      "  return 'DIRECT';\n"
      "}\n");
  auto r = e.find_proxy("http://a/", "a");
  REQUIRE(r.has_value());
  CHECK(r->alerts == std::vector<std::string>{"a", "1", "undefined", "obj", "null"});
  auto r2 = e.find_proxy("http://a/", "a");
  REQUIRE(r2.has_value());
  CHECK(r2->alerts.size() == 5);
}

TEST_CASE("engine evaluates expressions as JSON") {
  auto e = load_ok("var answer = 42; function FindProxyForURL(u, h) { return 'DIRECT'; }");
  auto v = [&](std::string_view x) {
    auto r = e.evaluate_expression(x);
    if (!r) FAIL(r.error().to_string());
    return *r;
  };
  CHECK(v("answer + 1") == "43");
  CHECK(v("isInNet('10.1.2.3', '10.0.0.0', '255.0.0.0')") == "true");
  CHECK(v("dnsResolve('nope.test')") == "null");
  CHECK(v("dnsResolve('proxy.corp.test')") == "\"10.1.2.3\"");
  CHECK(v("undefined") == "undefined");
  CHECK(v("({a: [1, 'x']})") == "{\"a\":[1,\"x\"]}");
  CHECK(v("new Date().getTime()") == "1700000000000");
  CHECK(v("FindProxyForURL('http://x/', 'x')") == "\"DIRECT\"");
  auto thrown = e.evaluate_expression("(function () { throw new RangeError('r'); })()");
  REQUIRE_FALSE(thrown.has_value());
  CHECK(thrown.error().is(errc::pac_exception));
  CHECK(thrown.error().message == "RangeError: r");
  auto bad = e.evaluate_expression("1 +");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().is(errc::pac_syntax));
  engine_options o;
  o.call_timeout = 50ms;
  auto e2 = load_ok("function FindProxyForURL(u, h) { return 'DIRECT'; }", o);
  auto loop = e2.evaluate_expression("while (true) {}");
  REQUIRE_FALSE(loop.has_value());
  CHECK(loop.error().is(errc::pac_timeout));
}

TEST_CASE("engine traces helper calls when asked") {
  auto e = load_ok(
      "function FindProxyForURL(u, h) {\n"
      "  if (isInNet(h, '10.0.0.0', '255.0.0.0') && shExpMatch(u, '*corp*')) return 'PROXY p:1';\n"
      "  return 'DIRECT';\n"
      "}\n");
  auto untraced = e.find_proxy("http://proxy.corp.test/", "proxy.corp.test");
  REQUIRE(untraced.has_value());
  CHECK(untraced->trace.empty());
  e.set_tracing(true);
  auto r = e.find_proxy("http://proxy.corp.test/", "proxy.corp.test");
  REQUIRE(r.has_value());
  CHECK(r->result == "PROXY p:1");
  REQUIRE(r->trace.size() == 3);
  CHECK(r->trace[0].function == "isInNet");
  CHECK(r->trace[0].arguments ==
        std::vector<std::string>{"\"proxy.corp.test\"", "\"10.0.0.0\"", "\"255.0.0.0\""});
  CHECK(r->trace[0].result == "true");
  CHECK(r->trace[1].function == "dnsResolve");
  CHECK(r->trace[1].result == "\"10.1.2.3\"");
  CHECK(r->trace[2].function == "shExpMatch");
  CHECK(r->trace[2].result == "true");

  auto e2 = load_ok("function FindProxyForURL(u, h) { alert('x', 2); dnsResolveEx(5); return 'DIRECT'; }");
  e2.set_tracing(true);
  auto r2 = e2.find_proxy("http://a/", "a");
  REQUIRE(r2.has_value());
  REQUIRE(r2->trace.size() == 2);
  CHECK(r2->trace[0].function == "alert");
  CHECK(r2->trace[0].arguments == std::vector<std::string>{"\"x\"", "2"});
  CHECK(r2->trace[0].result == "null");
  CHECK(r2->trace[1].result == "null");
}

TEST_CASE("engine caps DNS lookups per call, caching names within a call") {
  auto resolver = test_resolver();
  engine_options o;
  o.max_dns_lookups_per_call = 2;
  auto e = load_ok(
      "function FindProxyForURL(u, h) {\n"
      "  return [dnsResolve('a.test'), dnsResolve('a.test'), dnsResolve('b.test'),\n"
      "          dnsResolve('c.test'), isResolvable('c.test')].join(',');\n"
      "}\n",
      o, test_env(resolver));
  CHECK(call(e, "http://x/", "x") == "10.0.0.1,10.0.0.1,10.0.0.2,,false");
  CHECK(resolver->calls == 2);
  CHECK(call(e, "http://x/", "x") == "10.0.0.1,10.0.0.1,10.0.0.2,,false");
  CHECK(resolver->calls == 4);
}

TEST_CASE("engine says whether a script reads the clock or the local address") {
  CHECK_FALSE(load_ok("function FindProxyForURL(u, h) { return 'DIRECT'; }")
                  .reads_clock_or_local_address());
  CHECK(load_ok("function FindProxyForURL(u, h) { return timeRange(9, 17) ? 'DIRECT' : 'PROXY p:1'; }")
            .reads_clock_or_local_address());
  CHECK(load_ok("function FindProxyForURL(u, h) { return 'PROXY ' + myIpAddress() + ':1'; }")
            .reads_clock_or_local_address());
  CHECK(load_ok("function FindProxyForURL(u, h) { return new Date().getDay() ? 'DIRECT' : ''; }")
            .reads_clock_or_local_address());
}

TEST_CASE("engine is movable and engines are independent") {
  auto a = load_ok("var n = 'a'; function FindProxyForURL(u, h) { return 'PROXY ' + n + ':1'; }");
  auto b = load_ok("var n = 'b'; function FindProxyForURL(u, h) { return 'PROXY ' + n + ':1'; }");
  engine moved = std::move(a);
  CHECK(call(moved, "http://x/", "x") == "PROXY a:1");
  CHECK(call(b, "http://x/", "x") == "PROXY b:1");
}
