// Every piece of script-controlled work runs under the deadline: a script whose thrown value, getter,
// alert() argument or entry-point look-up loops is cut off with a timeout, in a call, at load, in an
// expression and through the pool; and the engine or pool answers a good call afterwards. Before,
// the error was described with the deadline switched off, and these calls never returned.
#include <catch2/catch.hpp>
#include <string>

#include "proxycore/dns/fixed_resolver.hpp"
#include "proxycore/pac/pac_compiled.hpp"
#include "proxycore/pac/pac_engine.hpp"
#include "proxycore/pac/pac_engine_pool.hpp"

using namespace wpadkit;
using namespace wpadkit::pac;
using namespace std::chrono_literals;

namespace {

environment test_env() {
  environment env;
  env.resolver = std::make_shared<dns::fixed_resolver>();
  env.time = fixed_clock(std::chrono::system_clock::time_point(1700000000s));
  env.local = fixed_local_addresses({boost::asio::ip::make_address("192.168.1.20")});
  return env;
}

// A short limit for calls, which the hostile shapes run into; loads keep the real limit, so that a
// good script loads on a busy machine or under a sanitizer. load_loops() is for top levels that loop.
engine_options short_limits() {
  engine_options o;
  o.call_timeout = 50ms;
  return o;
}

engine_options load_loops() {
  engine_options o = short_limits();
  o.load_timeout = 200ms;
  return o;
}

constexpr const char* loop_fn = "function () { while (1) {} }";

std::string with_loop(std::string text) {
  for (auto at = text.find("LOOP"); at != std::string::npos; at = text.find("LOOP", at)) {
    text.replace(at, 4, loop_fn);
  }
  return text;
}

// A PAC whose FindProxyForURL answers "DIRECT" for host "good" and runs `body` for any other host,
// after `prelude` at the top level. LOOP in either stands for a function that never returns.
std::string pac_with(const std::string& body, const std::string& prelude = "") {
  return with_loop(prelude + "\nfunction FindProxyForURL(url, host) {\n  if (host == 'good') return 'DIRECT';\n  " +
                   body + "\n}\n");
}

struct shape {
  const char* name;
  const char* body;
  const char* prelude = "";
};

// What the script throws or hands over is described or converted by script code of its own.
const shape call_shapes[] = {
    {"a thrown object's toString", "throw {toString: LOOP};"},
    {"a thrown object's valueOf, its toString not callable", "throw {toString: null, valueOf: LOOP};"},
    {"a thrown object's stack getter", "throw Object.defineProperty({}, 'stack', {get: LOOP});"},
    {"a thrown object's lineNumber getter", "throw Object.defineProperty({}, 'lineNumber', {get: LOOP});"},
    {"a thrown object's fileName getter", "throw Object.defineProperty({}, 'fileName', {get: LOOP});"},
    {"a thrown Error's own toString", "var e = new Error('x'); e.toString = LOOP; throw e;"},
    {"a thrown Proxy's get trap", "throw new Proxy({}, {get: LOOP});"},
    {"Duktape's own TypeError, Error.prototype.toString replaced", "null.x;",
     "Error.prototype.toString = LOOP;"},
    {"an alert() argument's toString", "alert({toString: LOOP}); return 'DIRECT';"},
    {"an alert() argument whose toString throws a looping object",
     "alert({toString: function () { throw {toString: LOOP}; }}); return 'DIRECT';"},
    {"a looping object thrown after the deadline fired",
     "try { while (1) {} } catch (e) {} throw {toString: LOOP};"},
};

void check_timeout(const result<evaluation>& r) {
  REQUIRE_FALSE(r.has_value());
  INFO(r.error().to_string());
  CHECK(r.error().is(errc::pac_timeout));
  CHECK(r.error().message.find("time limit") != std::string::npos);
}

}  // namespace

TEST_CASE("a call whose error description or conversion loops times out and the engine recovers") {
  for (const auto& s : call_shapes) {
    DYNAMIC_SECTION(s.name) {
      auto loaded = engine::load(pac_with(s.body, s.prelude), "hostile.pac", test_env(), short_limits());
      REQUIRE(loaded.has_value());
      check_timeout(loaded->find_proxy("http://bad/", "bad"));
      auto good = loaded->find_proxy("http://good/", "good");
      REQUIRE(good.has_value());
      CHECK(good->result == "DIRECT");
    }
  }
}

TEST_CASE("a returned object is not converted: its looping toString never runs") {
  // Chromium takes only a string from FindProxyForURL, unconverted.
  auto loaded = engine::load(pac_with("return {toString: LOOP};"), "hostile.pac", test_env());
  REQUIRE(loaded.has_value());
  auto r = loaded->find_proxy("http://bad/", "bad");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().is(errc::pac_bad_return));
  CHECK(r.error().message == "FindProxyForURL() did not return a string (it returned an object).");
}

TEST_CASE("a thrown value that cannot be described still gives a classified error") {
  auto loaded = engine::load(
      pac_with("throw {toString: function () { throw {toString: function () { return 'inner'; }}; }};"),
      "hostile.pac", test_env());
  REQUIRE(loaded.has_value());
  auto r = loaded->find_proxy("http://bad/", "bad");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().is(errc::pac_exception));
  CHECK(r.error().message == "an exception whose String() threw");
}

TEST_CASE("a top level whose error description loops times out at load") {
  const char* preludes[] = {
      "throw {toString: LOOP};",
      "throw Object.defineProperty({}, 'stack', {get: LOOP});",
      "throw Object.defineProperty(new Error('x'), 'lineNumber', {get: LOOP});",
      "Object.defineProperty(this, 'FindProxyForURL', {get: LOOP});",
  };
  for (const char* prelude : preludes) {
    INFO(prelude);
    auto loaded = engine::load(with_loop(prelude), "hostile.pac", test_env(), load_loops());
    REQUIRE_FALSE(loaded.has_value());
    CHECK(loaded.error().is(errc::pac_timeout));
    auto compiled = compiled_pac::compile(with_loop(prelude), "hostile.pac", load_loops());
    REQUIRE(compiled.has_value());
    auto from_bytecode = engine::load(**compiled, test_env(), load_loops());
    REQUIRE_FALSE(from_bytecode.has_value());
    CHECK(from_bytecode.error().is(errc::pac_timeout));
  }
  auto good = engine::load(pac_with("return 'x';"), "good.pac", test_env(), short_limits());
  REQUIRE(good.has_value());
  CHECK(good->find_proxy("http://good/", "good")->result == "DIRECT");
}

TEST_CASE("an entry point behind a throwing getter is a load error and not a crash") {
  // The look-up ran outside any protected call: Duktape's fatal handler aborted the process.
  auto loaded = engine::load(
      "Object.defineProperty(this, 'FindProxyForURL', {get: function () { throw new Error('no'); }});",
      "getter.pac", test_env());
  REQUIRE_FALSE(loaded.has_value());
  CHECK(loaded.error().is(errc::pac_load));
  CHECK(loaded.error().message == "Error: no");
  engine_options winhttp = short_limits();
  winhttp.compat = profile::winhttp;
  // With the Windows profile, each call first reads FindProxyForURLEx: that look-up ran before the
  // call, without a deadline.
  auto ex = engine::load(
      with_loop("function FindProxyForURL(u, h) { return 'DIRECT'; }\n"
                "Object.defineProperty(this, 'FindProxyForURLEx', {get: LOOP});"),
      "ex.pac", test_env(), winhttp);
  REQUIRE(ex.has_value());
  check_timeout(ex->find_proxy("http://a/", "a"));
}

TEST_CASE("an expression whose error description loops times out") {
  auto loaded = engine::load(pac_with("return 'x';"), "good.pac", test_env(), short_limits());
  REQUIRE(loaded.has_value());
  auto r = loaded->evaluate_expression(with_loop("(function () { throw {toString: LOOP}; })()"));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().is(errc::pac_timeout));
  auto ok = loaded->evaluate_expression("1 + 1");
  REQUIRE(ok.has_value());
  CHECK(*ok == "2");
}

TEST_CASE("a compile at run time (eval) is bounded by the call's deadline") {
  // 786 KB of flat code, built by doubling, takes Duktape's compiler a good part of a second, during
  // which no bytecode runs to check the deadline. (No number literal in it: parsing one happens to
  // consult the native check.) Before, the call returned the compiled function: a bad return.
  auto loaded = engine::load(pac_with("var s = 'x = y;'; for (var i = 0; i < 17; i++) s += s;\n"
                                      "  return eval('(function () {' + s + '})');"),
                             "eval.pac", test_env(), short_limits());
  REQUIRE(loaded.has_value());
  check_timeout(loaded->find_proxy("http://bad/", "bad"));
  CHECK(loaded->find_proxy("http://good/", "good")->result == "DIRECT");
}

TEST_CASE("a compile at run time nested past the thread's stack is an exception and not a crash") {
  // The compiler's recursion limit is a count, set for the big compile stack: at run time eval()
  // compiles on the caller's stack, and 30,000 nested functions overflowed 8 MiB (a segfault). The
  // native check now also keeps 256 KiB of the stack free. The call gets 10 s: the stack, not the
  // clock, must be what stops it.
  engine_options o = short_limits();
  o.call_timeout = 10s;
  auto loaded = engine::load(
      pac_with("return eval(Array(30001).join('(function () { return ') + 'host' + Array(30001).join('})'));"),
      "eval.pac", test_env(), o);
  REQUIRE(loaded.has_value());
  auto r = loaded->find_proxy("http://bad/", "bad");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().is(errc::pac_exception));
  CHECK(r.error().message.find("C stack depth limit") != std::string::npos);
  CHECK(loaded->find_proxy("http://good/", "good")->result == "DIRECT");
}

TEST_CASE("the pool cuts off a looping description and keeps the good script on reload") {
  engine_options o = short_limits();
  o.load_timeout = 1000ms;  // the reload below runs into it
  auto pool = engine_pool::create(pac_with("throw {toString: LOOP};"), "pool.pac", test_env(), o, 2);
  REQUIRE(pool.has_value());
  check_timeout((*pool)->find_proxy_sync("http://bad/", "bad"));
  CHECK((*pool)->find_proxy_sync("http://good/", "good")->result == "DIRECT");
  auto reload = (*pool)->reload(with_loop("throw {toString: LOOP};"), "hostile.pac");
  REQUIRE_FALSE(reload.has_value());
  CHECK(reload.error().is(errc::pac_timeout));
  CHECK((*pool)->version() == 1);
  CHECK((*pool)->find_proxy_sync("http://good/", "good")->result == "DIRECT");
}
