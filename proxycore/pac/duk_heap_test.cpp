// Tests for pac::duk_heap: the memory cap, the deadline, error mapping and stack balance.
#include "proxycore/pac/duk_heap.hpp"

#include <catch2/catch.hpp>

using namespace wpadkit;
using namespace wpadkit::pac;
using namespace std::chrono_literals;

namespace {

struct src {
  const char* text;
};

duk_ret_t eval_body(duk_context* ctx, void* p) {
  duk_eval_string(ctx, static_cast<src*>(p)->text);
  return 1;
}

bool run(duk_heap& h, const char* text, std::chrono::milliseconds limit = 1000ms) {
  src s{text};
  h.begin(limit);
  bool ok = h.safe_call(&eval_body, &s, 0, 1);
  h.end();
  return ok;
}

}  // namespace

TEST_CASE("duk_heap runs code and keeps the value stack balanced") {
  auto h = duk_heap::create(16 * 1024 * 1024);
  REQUIRE(h.has_value());
  duk_idx_t top = duk_get_top(h->ctx());
  REQUIRE(run(*h, "1 + 2"));
  CHECK(duk_get_int(h->ctx(), -1) == 3);
  duk_pop(h->ctx());
  REQUIRE_FALSE(run(*h, "throw new TypeError('boom')"));
  error e = h->take_error(errc::pac_exception, "eval");  // duk_eval_string's file name
  CHECK(e.is(errc::pac_exception));
  CHECK(e.message == "TypeError: boom");
  CHECK(e.line == 1);
  CHECK(duk_get_top(h->ctx()) == top);
}

TEST_CASE("duk_heap stops a runaway script at its deadline and recovers") {
  auto h = duk_heap::create(16 * 1024 * 1024);
  REQUIRE(h.has_value());
  REQUIRE_FALSE(run(*h, "while (true) {}", 50ms));
  CHECK(h->take_error(errc::pac_exception, "x").is(errc::pac_timeout));
  // A script that catches the timeout error is interrupted again.
  REQUIRE_FALSE(run(*h, "for (;;) { try { while (true) {} } catch (e) {} }", 50ms));
  CHECK(h->take_error(errc::pac_exception, "x").is(errc::pac_timeout));
  REQUIRE(run(*h, "'after'"));
  CHECK(std::string(duk_get_string(h->ctx(), -1)) == "after");
  duk_pop(h->ctx());
}

TEST_CASE("duk_heap refuses memory past its cap and recovers") {
  auto h = duk_heap::create(8 * 1024 * 1024);
  REQUIRE(h.has_value());
  REQUIRE_FALSE(run(*h, "(function () { var s = 'y'; while (s.length < 1000) s += s; var a = [];"
                       "for (var i = 0; ; i++) a.push(i + s); })()",
                    60000ms));
  error e = h->take_error(errc::pac_exception, "x");
  INFO(e.to_string());
  CHECK(e.is(errc::pac_memory));
  CHECK(h->udata().allocated <= h->udata().limit);
  duk_gc(h->ctx(), 0);
  REQUIRE(run(*h, "[1,2,3].join('-')"));
  CHECK(std::string(duk_get_string(h->ctx(), -1)) == "1-2-3");
  duk_pop(h->ctx());
}

TEST_CASE("duk_heap reads the injected clock for new Date()") {
  auto h = duk_heap::create(16 * 1024 * 1024);
  REQUIRE(h.has_value());
  auto c = fixed_clock(std::chrono::system_clock::time_point(1700000000123ms));
  h->set_clock(c.get());
  REQUIRE(run(*h, "new Date().getTime()"));
  CHECK(duk_get_number(h->ctx(), -1) == 1700000000123.0);
  duk_pop(h->ctx());
}

TEST_CASE("duk_heap creation fails cleanly under a tiny cap") {
  auto h = duk_heap::create(1024);
  REQUIRE_FALSE(h.has_value());
  CHECK(h.error().is(errc::pac_memory));
}
