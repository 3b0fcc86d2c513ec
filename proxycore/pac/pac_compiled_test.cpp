// Tests for pac::compiled_pac: one compile, many engines; what survives Duktape's bytecode dump
// (line numbers of runtime errors inside FindProxyForURL and nested functions, fileName, function
// names, named function expressions); compile errors exactly as engine::load reports them; engines
// loaded from one script keep separate globals; a pool's workers all report the same lines; the
// helper library's bytecode is made once and shared; small and large deeply nested programs load.
#include "proxycore/pac/pac_compiled.hpp"

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "proxycore/dns/fixed_resolver.hpp"
#include "proxycore/pac/pac_builtins.hpp"
#include "proxycore/pac/pac_engine_pool.hpp"

using namespace wpadkit;
using namespace wpadkit::pac;

namespace {

environment env() {
  environment e;
  e.resolver = std::make_shared<dns::fixed_resolver>();
  e.local = fixed_local_addresses({});
  return e;
}

std::shared_ptr<const compiled_pac> compile_ok(std::string_view text) {
  auto c = compiled_pac::compile(text, "script.pac");
  if (!c) FAIL(c.error().to_string());
  return *c;
}

engine load_ok(const compiled_pac& c) {
  auto e = engine::load(c, env());
  if (!e) FAIL(e.error().to_string());
  return std::move(*e);
}

// Errors on line 3 (in FindProxyForURL), line 7 (in a function nested in it) and line 14 (in a
// function of the PAC's own, called from line 4). The pre-pass binds globals on line 2: lines stay.
const char* const throwing_pac =
    "var LIMIT = 3;\n"
    "function FindProxyForURL(url, host) {\n"
    "  if (host == 'null') return null.field;\n"
    "  if (host == 'helper') return pick(host);\n"
    "  if (host == 'nested') {\n"
    "    var inner = function () {\n"
    "      throw new Error('nested ' + LIMIT);\n"
    "    };\n"
    "    return inner();\n"
    "  }\n"
    "  return 'DIRECT';\n"
    "}\n"
    "function pick(h) {\n"
    "  return undefinedFunction(h);\n"
    "}\n";

}  // namespace

TEST_CASE("compiled_pac: runtime errors keep their message, file and line through the bytecode") {
  auto c = compile_ok(throwing_pac);
  CHECK(c->source_name() == "script.pac");
  auto e = load_ok(*c);
  struct expected {
    const char* host;
    int line;
    const char* starts;
  };
  for (auto x : {expected{"null", 3, "TypeError"}, expected{"nested", 7, "Error: nested 3"},
                 expected{"helper", 14, "ReferenceError"}}) {
    CAPTURE(x.host);
    auto r = e.find_proxy(std::string("http://") + x.host + "/", x.host);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().is(errc::pac_exception));
    CHECK(r.error().where == "script.pac");
    CHECK(r.error().line == x.line);
    CHECK_THAT(r.error().message, Catch::StartsWith(x.starts));
    // The same text loaded from source reports the same error.
    auto from_text = engine::load(throwing_pac, "script.pac", env());
    REQUIRE(from_text.has_value());
    auto r2 = from_text->find_proxy(std::string("http://") + x.host + "/", x.host);
    REQUIRE_FALSE(r2.has_value());
    CHECK(r2.error().to_string() == r.error().to_string());
  }
  auto ok = e.find_proxy("http://a/", "a");
  REQUIRE(ok.has_value());
  CHECK(ok->result == "DIRECT");
}

TEST_CASE("compiled_pac: top-level errors are load errors at their line, in every engine") {
  auto c = compile_ok("var a = 1;\n\nthrow new RangeError('at load ' + a);\n");
  for (int i = 0; i < 2; ++i) {
    auto e = engine::load(*c, env());
    REQUIRE_FALSE(e.has_value());
    CHECK(e.error().is(errc::pac_load));
    CHECK(e.error().message == "RangeError: at load 1");
    CHECK(e.error().line == 3);
    CHECK(e.error().where == "script.pac");
  }
}

TEST_CASE("compiled_pac: compile errors are reported as engine::load reports them") {
  const char* const texts[] = {
      "function FindProxyForURL(u, h) {\n  var x = 1;\n  return 'DIRECT' + ;\n}\n",
      "function FindProxyForURL(u, h) {\n  var g = function* () {};\n}\n",  // a hint is added
      "function (",
  };
  for (const char* text : texts) {
    CAPTURE(text);
    auto c = compiled_pac::compile(text, "script.pac");
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().is(errc::pac_syntax));
    CHECK(c.error().line.has_value());
    auto e = engine::load(text, "script.pac", env());
    REQUIRE_FALSE(e.has_value());
    CHECK(e.error().to_string() == c.error().to_string());
  }
  auto hinted = compiled_pac::compile(texts[1], "script.pac");
  CHECK(hinted.error().line == 2);
  CHECK_THAT(hinted.error().message, Catch::Contains("generators"));
  CHECK_THAT(hinted.error().message, Catch::Contains("hint:"));

  engine_options small;
  small.max_pac_bytes = 10;
  auto big = compiled_pac::compile("function FindProxyForURL() {}", "big.pac", small);
  REQUIRE_FALSE(big.has_value());
  CHECK(big.error().is(errc::pac_too_large));
}

TEST_CASE("compiled_pac: function names, named function expressions and formals survive") {
  auto c = compile_ok(
      "var fact = function f(n) { return n <= 1 ? 1 : n * f(n - 1); };\n"
      "function FindProxyForURL(url, host) {\n"
      "  return 'PROXY ' + FindProxyForURL.name + '.' + FindProxyForURL.length + '.' + fact(5) +\n"
      "         '.' + fact.name + ':1';\n"
      "}\n");
  auto e = load_ok(*c);
  auto r = e.find_proxy("http://a/", "a");
  REQUIRE(r.has_value());
  CHECK(r->result == "PROXY FindProxyForURL.2.120.f:1");
}

TEST_CASE("compiled_pac: engines loaded from one script have their own globals") {
  auto c = compile_ok(
      "var calls = 0;\n"
      "function FindProxyForURL(url, host) { calls++; return 'PROXY p:' + calls; }\n");
  auto a = load_ok(*c);
  auto b = load_ok(*c);
  CHECK(a.find_proxy("http://x/", "x")->result == "PROXY p:1");
  CHECK(a.find_proxy("http://x/", "x")->result == "PROXY p:2");
  CHECK(b.find_proxy("http://x/", "x")->result == "PROXY p:1");
}

TEST_CASE("compiled_pac: whether the script reads the clock or the local address is kept") {
  CHECK(compile_ok("function FindProxyForURL(u, h) { return myIpAddress(); }")
            ->reads_clock_or_local_address());
  auto plain = compile_ok("function FindProxyForURL(u, h) { return 'DIRECT'; }");
  CHECK_FALSE(plain->reads_clock_or_local_address());
  CHECK_FALSE(load_ok(*plain).reads_clock_or_local_address());
}

TEST_CASE("engine_pool: every worker reports runtime errors at the script's line") {
  auto pool = engine_pool::create(throwing_pac, "script.pac", env(), {}, 3);
  REQUIRE(pool.has_value());
  // More calls than workers, so that each worker's engine answers some.
  for (int i = 0; i < 12; ++i) {
    auto r = (*pool)->find_proxy_sync("http://nested/", "nested");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().line == 7);
    CHECK(r.error().where == "script.pac");
    CHECK(r.error().message == "Error: nested 3");
  }
  auto bad =
      (*pool)->reload("function FindProxyForURL(u, h) {\n\n  return 'x' +;\n}\n", "next.pac");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().is(errc::pac_syntax));
  CHECK(bad.error().line == 3);
  CHECK(bad.error().where == "next.pac");
  CHECK((*pool)->version() == 1);
  auto good =
      (*pool)->reload("\nfunction FindProxyForURL(u, h) {\n  return h.x.y;\n}\n", "next.pac");
  REQUIRE(good.has_value());
  auto r = (*pool)->find_proxy_sync("http://a/", "a");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().line == 3);
  CHECK(r.error().where == "next.pac");
}

TEST_CASE("compiled_pac: the helper library is compiled once per process, then shared by every heap") {
  // Asked from several threads at once: one compile, the same immutable bytecode for all.
  std::vector<const std::vector<unsigned char>*> seen(4, nullptr);
  std::vector<std::thread> askers;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    askers.emplace_back([&seen, i] {
      auto code = detail::library_bytecode();
      if (code) seen[i] = *code;
    });
  }
  for (auto& t : askers) t.join();
  REQUIRE(seen[0] != nullptr);
  CHECK_FALSE(seen[0]->empty());
  for (auto* p : seen) CHECK(p == seen[0]);
  auto again = detail::library_bytecode();
  REQUIRE(again.has_value());
  CHECK(*again == seen[0]);

  // The library's functions, loaded from that bytecode, behave and report as compiled from source:
  // a JavaScript reference implementation (dnsDomainIs with a non-string) throws its TypeError at
  // the PAC's line; a JavaScript date helper answers from the injected clock.
  auto c = compile_ok(
      "function FindProxyForURL(u, h) {\n"
      "  if (h == 'lib') return dnsDomainIs(undefined, 'x');\n"
      "  return weekdayRange('SUN', 'SAT') ? 'DIRECT' : 'PROXY p:1';\n"
      "}\n");
  auto e = load_ok(*c);
  auto r = e.find_proxy("http://a/", "a");
  REQUIRE(r.has_value());
  CHECK(r->result == "DIRECT");
  auto thrown = e.find_proxy("http://lib/", "lib");
  REQUIRE_FALSE(thrown.has_value());
  CHECK(thrown.error().is(errc::pac_exception));
  CHECK_THAT(thrown.error().message, Catch::StartsWith("TypeError"));
  CHECK(thrown.error().line == 2);
}

namespace {

// A PAC whose FindProxyForURL nests `depth` function expressions, the innermost returning "DIRECT".
std::string nested_pac(int depth) {
  std::string s = "function FindProxyForURL(u, h) {\n  return ";
  for (int i = 0; i < depth; ++i) s += "(function () { return ";
  s += "'DIRECT'";
  for (int i = 0; i < depth; ++i) s += "; })()";
  s += ";\n}\n";
  return s;
}

}  // namespace

TEST_CASE("compiled_pac: deeply nested programs load, below and above the caller's-stack size") {
  // 500 levels (about 50 KB of bytecode) stay under the 64 KiB that load on the caller's stack
  // (pac_engine.cpp); 1,200 (about 120 KB) go over it and load on the big stack. Both answer, from
  // the compiled script and from the text, on a thread with the default stack. (Each level nests
  // twice, `(` and `{`: 1,200 levels are 2,401 deep, within pac_nesting.hpp's limit.)
  for (int depth : {500, 1200}) {
    CAPTURE(depth);
    std::string text = nested_pac(depth);
    std::optional<result<std::string>> from_compiled, from_text;
    std::thread t([&] {
      auto c = compiled_pac::compile(text, "script.pac");
      if (!c) {
        from_compiled.emplace(c.error());
        return;
      }
      auto e = engine::load(**c, env());
      if (!e) {
        from_compiled.emplace(e.error());
      } else {
        auto r = e->find_proxy("http://a/", "a");
        from_compiled.emplace(r ? result<std::string>(r->result) : result<std::string>(r.error()));
      }
      auto e2 = engine::load(text, "script.pac", env());
      if (!e2) {
        from_text.emplace(e2.error());
      } else {
        auto r = e2->find_proxy("http://a/", "a");
        from_text.emplace(r ? result<std::string>(r->result) : result<std::string>(r.error()));
      }
    });
    t.join();
    REQUIRE(from_compiled.has_value());
    REQUIRE(from_text.has_value());
    if (!*from_compiled) FAIL(from_compiled->error().to_string());
    if (!*from_text) FAIL(from_text->error().to_string());
    CHECK(**from_compiled == "DIRECT");
    CHECK(**from_text == "DIRECT");
  }
}
