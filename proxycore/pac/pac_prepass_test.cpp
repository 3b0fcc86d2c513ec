// Tests for pac::prepass: each transformation, what it must leave alone (strings, comments, regexes,
// templates, `let` as an identifier), line numbers kept, and generated gfwlist-style files loading.
#include "proxycore/pac/pac_prepass.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

#include "proxycore/dns/fixed_resolver.hpp"
#include "proxycore/pac/pac_engine.hpp"

using namespace wpadkit;
using namespace wpadkit::pac;

namespace {

int lines(std::string_view s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

environment env() {
  environment e;
  auto r = std::make_shared<dns::fixed_resolver>();
  e.resolver = r;
  e.local = fixed_local_addresses({});
  return e;
}

std::string eval_pac(std::string_view pac, std::string_view url, std::string_view host) {
  auto e = engine::load(pac, "gen.pac", env());
  if (!e) return "load error: " + e.error().to_string();
  auto r = e->find_proxy(url, host);
  if (!r) return "call error: " + r.error().to_string();
  return r->result;
}

}  // namespace

TEST_CASE("prepass normalises BOM and line ends") {
  CHECK(prepass("\xEF\xBB\xBFvar a=1;\r\nvar b;\rvar c;\n") == "var a=1;\nvar b;\nvar c;\n");
  CHECK(prepass("var s = '\xEF\xBB\xBF';") == "var s = '\xEF\xBB\xBF';");  // only a leading BOM
}

TEST_CASE("prepass turns let and const declarations into var") {
  auto row = GENERATE(table<std::string, std::string>({
      {"let x = 1; const y = 'let';", "var x = 1; var   y = 'let';"},
      {"for (let i = 0; i < 3; i++) {}", "for (var i = 0; i < 3; i++) {}"},
      {"if (a) {\n  const b = 2;\n}", "if (a) {\n  var   b = 2;\n}"},
      {"var let = 5; let = let + 1;", "var let = 5; let = let + 1;"},  // an identifier in ES5
      {"// let x = 1\nvar s = \"const y\";", "// let x = 1\nvar s = \"const y\";"},
      {"var r = /let x/; var t = `const ${a} x`;", "var r = /let x/; var t = `const ${a} x`;"},
      {"x = a.let; f(let);", "x = a.let; f(let);"},
  }));
  CHECK(prepass(std::get<0>(row)) == std::get<1>(row));
}

TEST_CASE("prepass tells a regex from a division after ), } and ++ as JavaScript does") {
  // A misread literal hides the `let` after it on the line; the rewritten `let` shows it was seen.
  auto row = GENERATE(table<std::string, std::string>({
      // after the head of if/while/for/with a / starts a regex, after other ) it divides
      {"if (h) /'/.test(u); let v = 1;", "if (h) /'/.test(u); var v = 1;"},
      {"while (f(x)) /\"/.exec(s); for (;;) /`/; with (o) /'/; let w;",
       "while (f(x)) /\"/.exec(s); for (;;) /`/; with (o) /'/; var w;"},
      {"var d = (a) / 2; let e = d / 3;", "var d = (a) / 2; var e = d / 3;"},
      // after a block's } a / starts a regex, after an object literal's } it divides
      {"if (h) {} /'/.test(u); let v;", "if (h) {} /'/.test(u); var v;"},
      {"var n = {a: 1} / 2; let m = n / 4;", "var n = {a: 1} / 2; var m = n / 4;"},
      {"f(c ? {} / 2 : 3); let m = n / 4;", "f(c ? {} / 2 : 3); var m = n / 4;"},
      // after a postfix ++/-- a / divides, after a prefix one or a lone + it starts a regex
      {"var j = i++ / 2; let k = j / 3;", "var j = i++ / 2; var k = j / 3;"},
      {"var j = a[i]-- / 2; let k = j / 3;", "var j = a[i]-- / 2; var k = j / 3;"},
      {"var j = ++/'/.lastIndex; let k;", "var j = ++/'/.lastIndex; var k;"},
      {"var j = i+++/'/.lastIndex; let k;", "var j = i+++/'/.lastIndex; var k;"},
      {"var j = i\n++/'/.lastIndex; let k;", "var j = i\n++/'/.lastIndex; var k;"},
  }));
  CHECK(prepass(std::get<0>(row)) == std::get<1>(row));
}

TEST_CASE("prepass tells a regex from a division after keywords, property names and ASI as Duktape") {
  // As above, a misread literal hides the `let` after it. For a division, `let v = '/'` follows: a
  // / read as a regex would end inside the quotes and the rest would be read as a string, hiding
  // `let w`. Each line was checked against Duktape (`pactool expr 'eval("...")'`).
  auto row = GENERATE(table<std::string, std::string>({
      // break/continue/debugger + newline + /: ASI ends the statement, a regex starts the next
      {"for (;;) { if (a) break\n/'/.test(h) } let v;",
       "for (;;) { if (a) break\n/'/.test(h) } var v;"},
      {"for (;;) { if (a) continue\n/'/.test(h) } let v;",
       "for (;;) { if (a) continue\n/'/.test(h) } var v;"},
      {"debugger\n/'/.test(h); let v;", "debugger\n/'/.test(h); var v;"},
      {"for (;;) { break\n{}\n/'/.test(h) } let v;", "for (;;) { break\n{}\n/'/.test(h) } var v;"},
      // of, yield and await are identifiers to Duktape: a / after them divides
      {"x = of / 2; let v = '/'; let w;", "x = of / 2; var v = '/'; var w;"},
      {"x = yield / 2; let v = '/'; let w;", "x = yield / 2; var v = '/'; var w;"},
      {"x = await / 2; let v = '/'; let w;", "x = await / 2; var v = '/'; var w;"},
      // a reserved word after . is a property name
      {"x = o.return / 2; let v = '/'; let w;", "x = o.return / 2; var v = '/'; var w;"},
      {"x = o.if (a) / 2; let v = '/'; let w;", "x = o.if (a) / 2; var v = '/'; var w;"},
      // return + newline + { is `return;` and a block; on one line, an object literal
      {"function f(h) { return\n{\n}\n/'/.test(h) } let v;",
       "function f(h) { return\n{\n}\n/'/.test(h) } var v;"},
      {"function f(h) { return /* \n */ {}\n/'/.test(h) } let v;",
       "function f(h) { return /* \n */ {}\n/'/.test(h) } var v;"},
      {"function f(h) { return {a: 1}\n/ 2; let v = '/'; let w; }",
       "function f(h) { return {a: 1}\n/ 2; var v = '/'; var w; }"},
      // a function expression's } is followed by a division, a declaration's by a regex
      {"f = function () {} / 2; let v = '/'; let w;", "f = function () {} / 2; var v = '/'; var w;"},
      {"f = function g(a) { if (a) {} /'/.test(a) } / 2; let v = '/'; let w;",
       "f = function g(a) { if (a) {} /'/.test(a) } / 2; var v = '/'; var w;"},
      {"function g() {}\n/'/.test(h); let v;", "function g() {}\n/'/.test(h); var v;"},
      // a ternary's : is followed by an expression, a label's or a case's by a statement
      {"n = c ? 1 : {a: 1} / 2; let v = '/'; let w;", "n = c ? 1 : {a: 1} / 2; var v = '/'; var w;"},
      {"n = c ? {} : function () {} / 2; let v = '/'; let w;",
       "n = c ? {} : function () {} / 2; var v = '/'; var w;"},
      {"x: {} /'/.test(h); let v;", "x: {} /'/.test(h); var v;"},
      {"switch (n) { case c ? 1 : 2: {} /'/.test(h) } let v;",
       "switch (n) { case c ? 1 : 2: {} /'/.test(h) } var v;"},
      {"n = {a: c ? 1 : 2}; m: {} /'/.test(h); let v;", "n = {a: c ? 1 : 2}; m: {} /'/.test(h); var v;"},
  }));
  CHECK(prepass(std::get<0>(row)) == std::get<1>(row));
}

TEST_CASE("prepass turns simple arrow functions into function expressions") {
  auto row = GENERATE(table<std::string, std::string>({
      {"var f = h => h + '.x';", "var f = function (h) { return h + '.x'; };"},
      {"var f = (a, b) => a + b;", "var f = function (a, b) { return a + b; };"},
      {"var f = () => 1;", "var f = function () { return 1; };"},
      {"l.some(d => dnsDomainIs(host, d))", "l.some(function (d) { return dnsDomainIs(host, d); })"},
      {"var f = (a) => { return a; };", "var f = function (a) { return a; };"},
      {"g(x => ({a: x}), 2)", "g(function (x) { return ({a: x}); }, 2)"},
      {"var s = '=>'; // a => b", "var s = '=>'; // a => b"},
      {"l.filter(d => d.length > 3\n  && d[0] == 'a')", "l.filter(function (d) { return d.length > 3\n  && d[0] == 'a'; })"},
      {"var f = x =>\n  x + 1\nvar g = 2;", "var f = function (x) { return x + 1; }\n\nvar g = 2;"},
  }));
  CHECK(prepass(std::get<0>(row)) == std::get<1>(row));
}

TEST_CASE("prepass keeps every line on its line") {
  std::string src =
      "let a = 1;\r\n"
      "var f = (x,\n y) =>\n  x + y;\n"
      "var big = [\n" +
      [] {
        std::string s;
        for (int i = 0; i < 500; ++i) s += "  'd" + std::to_string(i) + ".example.com',\n";
        return s;
      }() +
      "];\n"
      "throw new Error('here');\n";
  std::string out = prepass(src);
  CHECK(lines(out) == lines(src));
  CHECK_THAT(out, Catch::Contains("JSON.parse('["));
  auto e = engine::load(src + "function FindProxyForURL(){return 'DIRECT';}", "l.pac", env());
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().is(errc::pac_load));
  CHECK(e.error().line == lines(src));
}

TEST_CASE("prepass turns large constant literals into JSON.parse and small ones not") {
  prepass_options o;
  o.json_literal_min_bytes = 5;
  CHECK(prepass("var a = ['x', \"y\\n\", 1.5, -2, true, null, {k: 'v', 'q': [0]}];", o) ==
        "var a = JSON.parse('[\"x\",\"y\\\\n\",1.5,-2,true,null,{\"k\":\"v\",\"q\":[0]}]');");
  CHECK(prepass("var a = ['it\\'s'];", o) == "var a = JSON.parse('[\"it\\'s\"]');");
  CHECK(prepass("var a = [1, 2, 3];") == "var a = [1, 2, 3];");                // small
  CHECK(prepass("var a = [x, 'yyyyyyyyyy'];", o) == "var a = [x, 'yyyyyyyyyy'];");  // not constant
  CHECK(prepass("var a = [0x10, 'yyyyyyyyyy'];", o) == "var a = [0x10, 'yyyyyyyyyy'];");
  CHECK(prepass("f(a[ 'yyyyyyyyyyyy' ]);", o) == "f(a[ 'yyyyyyyyyyyy' ]);");  // member access
}

TEST_CASE("prepass groups long || chains without changing them") {
  std::string chain;
  for (int i = 0; i < 40; ++i) chain += (i ? " || " : "") + std::string("f(") + std::to_string(i) + ")";
  std::string out = prepass("if (" + chain + ") x();");
  CHECK(out.starts_with("if ((function () { return f(0) || f(1)"));
  CHECK_THAT(out, Catch::Contains("f(31); })() || (function () { return f(32) ||"));
  CHECK_THAT(out, Catch::EndsWith("f(39); })()) x();"));
  // Anything of lower precedence at the top level leaves the chain alone.
  std::string assign = "if (a = " + chain + ") x();";
  CHECK(prepass(assign) == assign);
  std::string cond = "var v = (" + chain + " ? 1 : 2);";
  CHECK(prepass(cond) == cond);
  std::string uses_this = "if (this.a || " + chain + ") x();";
  CHECK(prepass(uses_this) == uses_this);
  std::string cmp = "if (a == 1 || " + chain + ") x();";
  CHECK(prepass(cmp) != cmp);
}

TEST_CASE("syntax errors name the unsupported construct") {
  // Template literals, classes, ... run (pac_modern_test.cpp); generators have no ES5 translation.
  auto e = engine::load("function FindProxyForURL(u, h) {\n  return (function* () { yield 1; })().next().value;\n}\n",
                        "t.pac", env());
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().is(errc::pac_syntax));
  CHECK(e.error().line == 2);
  CHECK_THAT(e.error().message, Catch::Contains("generators"));
  CHECK(syntax_hint("a\nasync function f() {}\n", 2)->find("async") != std::string::npos);
  CHECK(syntax_hint("a\nb\n", 2) == std::nullopt);
}

TEST_CASE("modern and messy PAC files load and answer") {
  std::string pac =
      "\xEF\xBB\xBF// generated\r\n"
      "const proxy = 'PROXY p.example:8080';\r\n"
      "let direct = ['intranet.example', 'corp.example'];\r\n"
      "var octal = 010;\r\n"
      "function FindProxyForURL(url, host) {\r\n"
      "  if (direct.some(d => dnsDomainIs(host, d))) return 'DIRECT';\r\n"
      "  for (let i = 0; i < 2; i++) { const x = i; }\r\n"
      "  return octal == 8 ? proxy : 'DIRECT';\r\n"
      "}\r\n";
  CHECK(eval_pac(pac, "http://a.corp.example/", "a.corp.example") == "DIRECT");
  CHECK(eval_pac(pac, "http://www.other.test/", "www.other.test") == "PROXY p.example:8080");
}

TEST_CASE("gfwlist-style generated PAC files with tens of thousands of domains load") {
  const int n = 30000;
  SECTION("a huge array literal") {
    std::string pac = "var domains = [\n";
    for (int i = 0; i < n; ++i) pac += "  \"d" + std::to_string(i) + ".blocked.example\",\n";
    pac += "];\nvar set = {};\nfor (var i = 0; i < domains.length; i++) set[domains[i]] = 1;\n"
           "function FindProxyForURL(url, host) { return set[host] ? 'SOCKS5 s:1080' : 'DIRECT'; }\n";
    REQUIRE(pac.size() > 500 * 1024);
    CHECK(eval_pac(pac, "http://d29999.blocked.example/", "d29999.blocked.example") == "SOCKS5 s:1080");
    CHECK(eval_pac(pac, "http://ok.example/", "ok.example") == "DIRECT");
  }
  SECTION("a huge object literal") {
    std::string pac = "var domains = {\n";
    for (int i = 0; i < n; ++i) pac += "  \"d" + std::to_string(i) + ".blocked.example\": 1,\n";
    pac += "};\nfunction FindProxyForURL(url, host) { return domains.hasOwnProperty(host) ? "
           "'PROXY p:1' : 'DIRECT'; }\n";
    CHECK(eval_pac(pac, "http://d123.blocked.example/", "d123.blocked.example") == "PROXY p:1");
  }
  SECTION("a long || chain") {
    std::string pac = "function FindProxyForURL(url, host) {\n  if (";
    for (int i = 0; i < 20000; ++i) {
      if (i) pac += " ||\n      ";
      pac += "dnsDomainIs(host, '.d" + std::to_string(i) + ".ex')";
    }
    pac += ")\n    return 'PROXY p:1';\n  return 'DIRECT';\n}\n";
    CHECK(eval_pac(pac, "http://a.d19999.ex/", "a.d19999.ex") == "PROXY p:1");
    CHECK(eval_pac(pac, "http://a.other.ex/", "a.other.ex") == "DIRECT");
    CHECK(eval_pac(pac, "http://a.d0.ex/", "a.d0.ex") == "PROXY p:1");
  }
}

namespace {

std::string bound(std::string_view s) {
  return prepass(s, {.bind_globals = true});
}

}  // namespace

TEST_CASE("prepass binds helpers and literal globals to locals at function entry") {
  const std::string pac =
      "var L = ['*.a.com', 'b.*'];\n"
      "function FindProxyForURL(url, host) {\n"
      "  for (var i = 0; i < L.length; i++) if (shExpMatch(host, L[i])) return 'DIRECT';\n"
      "  return 'PROXY p:1';\n"
      "}\n";
  CHECK(bound(pac) ==
        "var __wpadkit_global__ = this; var L = ['*.a.com', 'b.*'];\n"
        "function FindProxyForURL(url, host) { var L = __wpadkit_global__.L, "
        "shExpMatch = __wpadkit_global__.shExpMatch;\n"
        "  for (var i = 0; i < L.length; i++) if (shExpMatch(host, L[i])) return 'DIRECT';\n"
        "  return 'PROXY p:1';\n"
        "}\n");
  CHECK(lines(bound(pac)) == lines(pac));
  CHECK(prepass(pac) == pac);  // off unless asked for
  CHECK(eval_pac(pac, "http://x.a.com/", "x.a.com") == "DIRECT");
  CHECK(eval_pac(pac, "http://c.com/", "c.com") == "PROXY p:1");
}

TEST_CASE("prepass leaves names alone that could change, and scripts it cannot reason about") {
  auto untouched = [](const std::string& pac) { CHECK(bound(pac) == prepass(pac)); };
  SECTION("a script that reassigns the helper") {
    const std::string pac =
        "function FindProxyForURL(u, h) { return shExpMatch(h, '*') ? 'A' : 'B'; }\n"
        "shExpMatch = function () { return false; };\n";
    untouched(pac);
    CHECK(eval_pac(pac, "http://x/", "x") == "B");
  }
  SECTION("a script that redeclares the helper") {
    untouched(
        "function shExpMatch(a, b) { return true; }\n"
        "function FindProxyForURL(u, h) { return shExpMatch(h, 'z') ? 'A' : 'B'; }\n");
    CHECK(eval_pac("function FindProxyForURL(u, h) { return shExpMatch(h, 'z') ? 'A' : 'B'; }\n"
                   "function shExpMatch(a, b) { return true; }\n",
                   "http://x/", "x") == "A");
  }
  SECTION("a parameter named like a helper") {
    const std::string pac =
        "function m(shExpMatch) { return shExpMatch('x', 'y'); }\n"
        "function FindProxyForURL(u, h) { return m(function () { return 'P'; }); }\n";
    untouched(pac);
    CHECK(eval_pac(pac, "http://x/", "x") == "P");
  }
  SECTION("eval, with, this") {
    untouched(
        "function FindProxyForURL(u, h) { eval('shExpMatch = 1'); return shExpMatch(h, 'x'); }");
    untouched(
        "function FindProxyForURL(u, h) { with (o) { return shExpMatch(h, 'x'); } }\nvar o = {};");
    untouched("function FindProxyForURL(u, h) { this.shExpMatch = 0; return shExpMatch(h, 'x'); }");
    untouched(
        "function FindProxyForURL(u, h) { return [].constructor.constructor('return this')()"
        ".shExpMatch(h, 'x') ? 'A' : shExpMatch(h, 'y'); }");
    untouched("'use strict';\nfunction FindProxyForURL(u, h) { return shExpMatch(h, 'x'); }");
  }
  SECTION("a global reassigned inside a function keeps its global lookups") {
    const std::string pac =
        "var L = ['a'];\n"
        "function swap() { L = ['b']; }\n"
        "function FindProxyForURL(u, h) { swap(); return L[0] + (isPlainHostName(h) ? 'p' : 'q'); "
        "}\n";
    std::string out = bound(pac);
    CHECK(out.find("L = __wpadkit_global__.L") == std::string::npos);
    CHECK(out.find("var isPlainHostName = __wpadkit_global__.isPlainHostName;") !=
          std::string::npos);
    CHECK(eval_pac(pac, "http://x/", "x") == "bp");
  }
  SECTION("a global declared twice, or used other than by call, index or member") {
    untouched("var L = [1];\nvar L = [2];\nfunction FindProxyForURL(u, h) { return L[0]; }");
    untouched("var S = 'DIRECT';\nfunction FindProxyForURL(u, h) { return S; }");
    untouched("var L = [1];\nfunction FindProxyForURL(u, h) { L++; return L[0]; }");
  }
}

TEST_CASE("prepass binding reads globals at call time, not at load") {
  SECTION("a function defined before the initialiser sees the value") {
    CHECK(eval_pac("function FindProxyForURL(u, h) { return L[0]; }\nvar L = ['late'];\n",
                   "http://x/", "x") == "late");
  }
  SECTION("a closure over a literal global is not bound") {
    const std::string pac =
        "function f() { return function () { return L[0]; }; }\n"
        "var g = f();\nvar L = ['later'];\n"
        "function FindProxyForURL(u, h) { return g(); }\n";
    CHECK(bound(pac).find("__wpadkit_global__.L") == std::string::npos);
    CHECK(eval_pac(pac, "http://x/", "x") == "later");
  }
  SECTION("a getter is a closure too") {
    const std::string pac =
        "function f() { if (1) { return { get x() { return L[0]; } }; } }\n"
        "var o = f();\nvar L = ['later'];\n"
        "function FindProxyForURL(u, h) { return o.x; }\n";
    CHECK(bound(pac) == prepass(pac));
    CHECK(eval_pac(pac, "http://x/", "x") == "later");
  }
  SECTION("a function containing a closure is left alone") {
    const std::string pac =
        "function FindProxyForURL(u, h) {\n"
        "  var t = function (p) { return shExpMatch(h, p); };\n"
        "  return t('*.b') ? 'B' : 'N';\n}\n";
    CHECK(bound(pac) == prepass(pac));
    CHECK(eval_pac(pac, "http://a.b/", "a.b") == "B");
  }
}

TEST_CASE("hide_large_literals keeps every later line and column, and restore puts the literal back") {
  std::string list = "[\n";
  for (int i = 0; i < 300; ++i) list += "  'host" + std::to_string(i) + ".example',\n";
  list += "]";
  std::string text = "const a = 1;\nconst l = " + list + "; const after = `x`;\nconst last = 2;\n";
  std::vector<std::string> hidden;
  std::string out = hide_large_literals(text, hidden);
  REQUIRE(hidden.size() == 1);
  CHECK(hidden[0].starts_with("JSON.parse('[\""));
  CHECK(out.find("__wpadkit_literal_0__") != std::string::npos);
  CHECK(std::count(out.begin(), out.end(), '\n') == std::count(text.begin(), text.end(), '\n'));
  // `const after` starts on the same line and column as in the original.
  auto line_col = [](const std::string& s, std::size_t at) {
    std::size_t nl = s.rfind('\n', at);
    return std::pair<long, std::size_t>(std::count(s.begin(), s.begin() + static_cast<long>(at), '\n'),
                                        nl == std::string::npos ? at : at - nl - 1);
  };
  CHECK(line_col(out, out.find("const after")) == line_col(text, text.find("const after")));
  std::string back = restore_large_literals(out, hidden);
  CHECK(back.find("__wpadkit_literal_") == std::string::npos);
  CHECK(back.find(hidden[0]) != std::string::npos);
  // A small literal stays where it is.
  std::vector<std::string> none;
  CHECK(hide_large_literals("var x = ['a'];", none) == "var x = ['a'];");
  CHECK(none.empty());
}
