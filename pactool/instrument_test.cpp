#include "pactool/instrument.hpp"

#include <catch2/catch.hpp>

#include "pactool/js_tokens.hpp"

using namespace pactool;

TEST_CASE("tokenize_js tells strings, comments and regexes from code") {
  auto t = tokenize_js("return \"a/b\" / 2; // return x\n x = /a\\/b/g.test(h) /* return */");
  REQUIRE(t.size() == 13);
  CHECK(t[0].text == "return");
  CHECK(t[1].type == js_token::kind::string);
  CHECK(t[2].text == "/");
  CHECK(t[2].type == js_token::kind::punct);
  CHECK(t[5].text == "x");
  CHECK(t[5].line == 2);
  CHECK(t[5].newline_before);
  CHECK(t[7].type == js_token::kind::regex);
  CHECK(t[7].text == "/a\\/b/g");
}

TEST_CASE("tokenize_js handles template literals and division after a paren") {
  auto t = tokenize_js("var s = `x${ {a:1}.a }y`; var d = (a) / b / c;");
  CHECK(t[3].type == js_token::kind::template_string);
  CHECK(t[3].text == "`x${ {a:1}.a }y`");
  for (const auto& tok : t) CHECK(tok.type != js_token::kind::regex);
}

TEST_CASE("tokenize_js: a regex right after the head of if/while/for is a regex") {
  auto t = tokenize_js("if (h) /a\\/b(c)/.test(u); while (f(x)) /y/g.exec(s); z = (g(1)) / 2 / 3;");
  std::vector<std::string_view> regexes;
  for (const auto& tok : t) {
    if (tok.type == js_token::kind::regex) regexes.push_back(tok.text);
  }
  REQUIRE(regexes.size() == 2);
  CHECK(regexes[0] == "/a\\/b(c)/");
  CHECK(regexes[1] == "/y/g");
}

namespace {

// The regex literals tokenize_js finds in `src`, in order.
std::vector<std::string> regexes_in(std::string_view src) {
  std::vector<std::string> out;
  for (const auto& tok : tokenize_js(src)) {
    if (tok.type == js_token::kind::regex) out.emplace_back(tok.text);
  }
  return out;
}

}  // namespace

TEST_CASE("tokenize_js: after the head of for and with, a / starts a regex") {
  CHECK(regexes_in("for (i = 0; i < n; i++) /a'/.exec(s[i]); with (o) /b(/.test(u);") ==
        std::vector<std::string>{"/a'/", "/b(/"});
  CHECK(regexes_in("x = f(for_(1)) / 2 / 3;").empty());
}

TEST_CASE("tokenize_js: a / after a block's } starts a regex, after an object literal's divides") {
  using row = std::tuple<std::string, std::vector<std::string>>;
  auto [src, expected] = GENERATE(table<std::string, std::vector<std::string>>({
      row{"if (a) {} /x'/.test(h);", {"/x'/"}},
      row{"function f() {}\n/y/.exec(u);", {"/y/"}},
      row{"do {} while (a); if (b) {} else {} /z/.test(h);", {"/z/"}},
      row{"n = {valueOf: g} / 2 / 3;", {}},
      row{"n = f(a, {b: {c: 1}} / 2, 1 / 3);", {}},
      row{"n = (c ? {} / 2 : {d: 1} / 3) / 4;", {}},
      row{"n = {a: {b: 1} / 2 / 3};", {}},
      row{"return {a: 1} / 2 / 3;", {}},
      row{"case 1: {} /w/.test(h);", {"/w/"}},
  }));
  CHECK(regexes_in(src) == expected);
}

TEST_CASE("tokenize_js: a / after a postfix ++/-- divides, after a prefix one starts a regex") {
  using row = std::tuple<std::string, std::vector<std::string>>;
  auto [src, expected] = GENERATE(table<std::string, std::vector<std::string>>({
      row{"n = i++ / 2 / 3; m = a[0]-- / 2 / 3; k = (j)++ / 2 / 3;", {}},
      row{"n = ++/a/.lastIndex; m = x + --/b/g.lastIndex;", {"/a/", "/b/g"}},
      row{"i\n++/c/.lastIndex", {"/c/"}},
  }));
  CHECK(regexes_in(src) == expected);
}

TEST_CASE("tokenize_js: after keywords that take an operand a / starts a regex") {
  auto word = GENERATE(as<std::string>{}, "return", "typeof", "case", "do", "else", "in",
                       "instanceof", "new", "delete", "void", "throw");
  CHECK(regexes_in(word + " /a'b/g.x") == std::vector<std::string>{"/a'b/g"});
  CHECK(regexes_in("x = this / 2 / 3; y = null / 2 / 3; z = true / 2 / 3;").empty());
}

// Each expectation below was checked against Duktape (`pactool expr 'eval("...")'`): a `'` in a
// regex read as division would be an unterminated string there.
TEST_CASE("tokenize_js: after break, continue and debugger a / on the next line starts a regex") {
  auto word = GENERATE(as<std::string>{}, "break", "continue", "debugger");
  CHECK(regexes_in("for (;;) { if (a) " + word + "\n/a'b/g.test(h) }") ==
        std::vector<std::string>{"/a'b/g"});
  // `break` + newline + `{` is `break;` and a block, after whose `}` a / starts a regex too
  CHECK(regexes_in("for (;;) { " + word + "\n{}\n/c'/.test(h) }") ==
        std::vector<std::string>{"/c'/"});
  // a jump's label is an identifier: Duktape divides after it, and so do we
  CHECK(regexes_in("l: for (;;) { break l\n/ 2 / 3 }").empty());
}

TEST_CASE("tokenize_js: of, yield and await are identifiers, so a / after them divides") {
  auto word = GENERATE(as<std::string>{}, "of", "yield", "await");
  auto tokens = tokenize_js("var " + word + " = 4; x = " + word + " / 2 / 1;");
  CHECK(tokens[1].type == js_token::kind::identifier);
  CHECK(regexes_in("var " + word + " = 4; x = " + word + " / 2 / 1;").empty());
  CHECK(regexes_in("for (k in " + word + ") /a'/.test(k);") == std::vector<std::string>{"/a'/"});
}

TEST_CASE("tokenize_js: a reserved word after . is a property name, and a / after it divides") {
  auto t = tokenize_js("x = o.return / 2 / 1; y = o.typeof / o.in / 3;");
  CHECK(t[4].type == js_token::kind::identifier);
  CHECK(t[4].text == "return");
  CHECK(regexes_in("x = o.return / 2 / 1; y = o.typeof / o.in / 3; z = o.if (a) / 2 / 1;").empty());
}

TEST_CASE("tokenize_js: a reserved word naming a property in an object literal is an identifier") {
  auto t = tokenize_js("o = {return: 1, default: c ? this : null}; switch (a) { default: x = 1 }");
  CHECK(t[3].type == js_token::kind::identifier);  // return
  CHECK(t[7].type == js_token::kind::identifier);  // default
  CHECK(t[11].type == js_token::kind::keyword);    // this
  CHECK(t[21].type == js_token::kind::keyword);    // the switch's default
  CHECK(t[21].text == "default");
  // explain instruments each `return` statement; the key is none
  CHECK(instrument_returns("function f() { var o = {return: 1}; return o; }").returns.size() == 1);
}

TEST_CASE("tokenize_js: return + newline + { is return; and a block (ASI)") {
  using row = std::tuple<std::string, std::vector<std::string>>;
  auto [src, expected] = GENERATE(table<std::string, std::vector<std::string>>({
      row{"function f(h) { return\n{\n}\n/a'/.test(h) }", {"/a'/"}},
      row{"function f(h) { return /* x\n */ {}\n/b'/.test(h) }", {"/b'/"}},
      row{"function f(h) { return {\n} / 2 / 1 }", {}},
      row{"function f(h) { return {a: 1}\n/ 2 / 1 }", {}},
  }));
  CHECK(regexes_in(src) == expected);
}

TEST_CASE("tokenize_js: a ternary's : is followed by an expression, a label's by a statement") {
  using row = std::tuple<std::string, std::vector<std::string>>;
  auto [src, expected] = GENERATE(table<std::string, std::vector<std::string>>({
      row{"n = c ? 1 : {a: 1} / 2 / 3;", {}},
      row{"n = c ? {} : function () {} / 2 / 1;", {}},
      row{"x: {} /a'/.test(h);", {"/a'/"}},
      row{"switch (n) { case c ? 1 : 2: {} /b'/.test(h) }", {"/b'/"}},
      row{"n = {a: c ? 1 : 2}; m: {} /d'/.test(h);", {"/d'/"}},
      row{"n = (c ? [1] : 2); k: {} /e'/.test(h);", {"/e'/"}},
  }));
  CHECK(regexes_in(src) == expected);
}

TEST_CASE("tokenize_js: a / after a function expression's } divides, after a declaration's not") {
  using row = std::tuple<std::string, std::vector<std::string>>;
  auto [src, expected] = GENERATE(table<std::string, std::vector<std::string>>({
      row{"f = function () {} / 2 / 1;", {}},
      row{"f = function g(a, b) { return a } / 2 / 1;", {}},
      row{"f(function () { if (a) {} /c'/.test(h) } / 2 / 1);", {"/c'/"}},
      row{"function g() {}\n/d'/.test(h);", {"/d'/"}},
      row{"if (a) function g() {} /e'/.test(h);", {"/e'/"}},
  }));
  CHECK(regexes_in(src) == expected);
}

TEST_CASE("instrument_returns wraps each return and keeps line numbers") {
  using row = std::tuple<std::string, std::string>;
  auto [src, expected] = GENERATE(table<std::string, std::string>({
      row{"return \"DIRECT\";", "return __wpadkit_ret(1, (\"DIRECT\"));"},
      row{"if (a) return;\nelse return x",
          "if (__wpadkit_br(1, (a))) return __wpadkit_ret(1, undefined);\nelse return __wpadkit_ret(2, (x))"},
      row{"{ return a ||\n b }", "{ return __wpadkit_ret(1, (a ||\n b)) }"},
      row{"return a\n || b;", "return __wpadkit_ret(1, (a\n || b));"},
      row{"return a\nfoo()", "return __wpadkit_ret(1, (a))\nfoo()"},
      row{"return\nx", "return __wpadkit_ret(1, undefined);\nx"},
      row{"return f(function(){ return 1; }, 2);",
          "return __wpadkit_ret(1, (f(function(){ return __wpadkit_ret(2, (1)); }, 2)));"},
      row{"return(x)", "return __wpadkit_ret(1, ((x)))"},
      row{"var s = 'return x'; // return y", "var s = 'return x'; // return y"},
  }));
  auto out = instrument_returns(src);
  CHECK(out.text.substr(0, out.text.find("\nfunction __wpadkit_ret")) == expected);
}

TEST_CASE("instrument_returns records each return's line and expression") {
  auto out = instrument_returns("function FindProxyForURL(url, host) {\n"
                                "  if (isPlainHostName(host)) return \"DIRECT\";\n"
                                "  return \"PROXY p:8080\";\n}\n");
  REQUIRE(out.returns.size() == 2);
  CHECK(out.returns[0].line == 2);
  CHECK(out.returns[0].column == 30);
  CHECK(out.returns[0].expression == "\"DIRECT\"");
  CHECK(out.returns[1].line == 3);
  CHECK(out.returns[1].expression == "\"PROXY p:8080\"");
}

TEST_CASE("the hit and sequence JSON readers") {
  CHECK(parse_sequence_json("[2,10,3]") == std::vector<int>{2, 10, 3});
  CHECK(parse_sequence_json("[]").empty());
  auto hits = parse_hits_json("{\"1\":3,\"12\":1}");
  CHECK(hits.size() == 2);
  CHECK(hits[1] == 3);
  CHECK(hits[12] == 1);
}

TEST_CASE("instrument_returns wraps if conditions as branches") {
  auto out = instrument_returns("if (f(a) && b) x(); else if ((c)) y();");
  CHECK(out.text.substr(0, out.text.find("\nfunction __wpadkit_ret")) ==
        "if (__wpadkit_br(1, (f(a) && b))) x(); else if (__wpadkit_br(2, ((c)))) y();");
  REQUIRE(out.branches.size() == 2);
  CHECK(out.branches[0].condition == "f(a) && b");
  auto hits = parse_branch_json("{\"1t\":5,\"1f\":2,\"2f\":7}");
  CHECK(hits[1].taken == 5);
  CHECK(hits[1].not_taken == 2);
  CHECK(hits[2].taken == 0);
  CHECK(hits[2].not_taken == 7);
}
