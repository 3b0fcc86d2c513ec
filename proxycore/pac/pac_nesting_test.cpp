// Tests for pac::check_nesting: the depth counted as the pre-pass lexer reads the text, the place
// named, and the engine refusing a too-deep script before Duktape compiles it.
#include "proxycore/pac/pac_nesting.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "proxycore/dns/fixed_resolver.hpp"
#include "proxycore/pac/pac_compiled.hpp"
#include "proxycore/pac/pac_engine.hpp"

using namespace wpadkit;
using namespace wpadkit::pac;

namespace {

std::string repeat(std::string_view s, int n) {
  std::string out;
  out.reserve(s.size() * static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

std::string parens(int depth) { return repeat("(", depth) + "1" + repeat(")", depth); }

}  // namespace

TEST_CASE("check_nesting accepts up to the limit and names the first bracket past it") {
  CHECK_FALSE(check_nesting("var x = " + parens(3) + ";", "a.pac", 3));
  auto e = check_nesting("var x = " + parens(4) + ";", "a.pac", 3);
  REQUIRE(e);
  CHECK(e->is(errc::pac_syntax));
  CHECK(e->where == "a.pac");
  CHECK(e->line == 1);
  CHECK(e->column == 12);  // "var x = (((" is 11 bytes: the 4th `(` is the 12th
  CHECK(e->message.find("deeper than 3 levels") != std::string::npos);
  CHECK(e->to_string().rfind("a.pac:1:12: ", 0) == 0);
  // Sequential groups do not add up; all three kinds of bracket count.
  CHECK_FALSE(check_nesting(repeat(parens(3), 100), "a.pac", 3));
  auto mixed = check_nesting("f([{a: (1)}]);", "a.pac", 3);
  REQUIRE(mixed);
  CHECK(mixed->column == 8);
  CHECK_FALSE(check_nesting("f([{a: 1}]);", "a.pac", 3));
}

TEST_CASE("check_nesting counts an arrow's expression body as a level until it ends") {
  auto e = check_nesting("f(a => b => 1)", "a.pac", 2);
  REQUIRE(e);
  CHECK(e->column == 10);
  // A block body nests by its brace only; a comma, a semicolon or the bracket around ends a body.
  CHECK_FALSE(check_nesting("f(a => { return 1; })", "a.pac", 2));
  CHECK_FALSE(check_nesting("f(a => 1, b => 2); g(c => 3); [d => 4]", "a.pac", 2));
  CHECK_FALSE(check_nesting("var f = a => 1; var g = b => c => 2;", "a.pac", 2));
  CHECK(check_nesting("var g = b => c => d => 2;", "a.pac", 2));
}

TEST_CASE("check_nesting counts lines as the pre-pass does and skips non-code") {
  auto e = check_nesting("// (((((\nvar s = '((((((';\r\nvar r = /(((((/;\rvar x = [[[1]]];\n", "b.pac", 2);
  REQUIRE(e);
  CHECK(e->line == 4);
  CHECK(e->column == 11);
  CHECK_FALSE(check_nesting("/* [[[[[ */ var t = \"{{{{{\"; var u = `((((`;", "b.pac", 1));
}

TEST_CASE("check_nesting bounds the default depth the engine enforces") {
  CHECK_FALSE(check_nesting("var x = " + parens(max_nesting_depth) + ";", "c.pac"));
  auto e = check_nesting("var x = " + parens(max_nesting_depth + 1) + ";", "c.pac");
  REQUIRE(e);
  CHECK(e->column == 9 + max_nesting_depth);
}

TEST_CASE("a script nested past the limit is refused before Duktape compiles it") {
  // 40,000 levels compiled for 8.7 s before this check, past the 5 s load limit.
  std::string text = "function FindProxyForURL(url, host) {\n  return " + parens(40000) + ";\n}\n";
  environment env;
  env.resolver = std::make_shared<dns::fixed_resolver>();
  auto loaded = engine::load(text, "deep.pac", env);
  REQUIRE_FALSE(loaded.has_value());
  CHECK(loaded.error().is(errc::pac_syntax));
  CHECK(loaded.error().line == 2);
  // The function's `{` is the first level: the 2,500th `(` after "  return " passes the limit.
  CHECK(loaded.error().column == 9 + max_nesting_depth);
  CHECK(loaded.error().to_string().find("deep.pac:2:") == 0);
  auto compiled = compiled_pac::compile(text, "deep.pac");
  REQUIRE_FALSE(compiled.has_value());
  CHECK(compiled.error().is(errc::pac_syntax));
}
