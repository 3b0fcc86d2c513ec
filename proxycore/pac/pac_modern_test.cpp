// Tests for modern JavaScript in PAC files (pac_downlevel.hpp, pac_polyfills.js): every ES2015–ES2021
// construct and built-in of the table below runs in our engine with node's (V8's) answer — each
// snippet is a FindProxyForURL run by both, node through node_answers() — ES5 scripts never reach the
// down-level compiler (its run counter), errors point at the user's line and column, a pool
// down-levels once for all its workers.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "proxycore/dns/fixed_resolver.hpp"
#include "proxycore/pac/pac_compiled.hpp"
#include "proxycore/pac/pac_downlevel.hpp"
#include "proxycore/pac/pac_engine.hpp"
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

struct snippet {
  const char* construct;
  const char* body;  // the body of FindProxyForURL(url, host), or a whole script when it defines it
};

// Each returns a string made of what the construct computed; host is "www.example.com".
const std::vector<snippet>& snippets() {
  static const std::vector<snippet> list = {
      {"template literals", "const n = 3; return `${host}:${n * 2}|${`in${'ner'}`}|multi\nline`;"},
      {"tagged templates", "const tag = (s, ...v) => s.raw.join('_') + v.join(','); return tag`a${1}b${2}c`;"},
      {"object destructuring", "const {a, b: {c = 5} = {}, ...rest} = {a: 1, b: {}, d: 4, e: 5}; return [a, c, JSON.stringify(rest)].join();"},
      {"array destructuring", "const [x, , y = 7, ...zs] = [1, 2, undefined, 4, 5]; let p = 1, q = 2; [p, q] = [q, p]; return [x, y, zs.join('+'), p, q].join();"},
      {"spread in arrays and calls", "const a = [1, 2]; const b = [...a, 3, ...'hi']; return Math.max(...b.filter(Number)) + ':' + b.join();"},
      {"rest parameters", "function f(first, ...more) { return first + '/' + more.length + '/' + more.join('.'); } return f('a', 'b', 'c');"},
      {"default parameters", "function f(x, y = x + 1, {z = 3} = {}) { return [x, y, z].join(); } return f(1) + '|' + f(1, 5, {z: 9});"},
      {"for-of over arrays, strings, Maps and Sets", "let out = []; for (const x of [1, 2]) out.push(x); for (const c of 'ab') out.push(c); for (const [k, v] of new Map([['m', 1]])) out.push(k + v); for (const s of new Set([3, 3, 4])) out.push(s); return out.join();"},
      {"shorthand properties and methods", "const a = 1; const o = {a, m() { return this.a + 1; }, get g() { return 'got'; }}; return [o.a, o.m(), o.g].join();"},
      {"computed keys", "const k = 'dyn'; const o = {[k + 1]: 'x', [`t${2}`]: 'y'}; return Object.keys(o).join() + o.dyn1 + o.t2;"},
      {"arrow functions, every form", "const a = x => x * 2; const b = (x, y) => x + y; const c = () => ({v: 1}); const d = async => async; const e = (...r) => r.length; const f = ({p}) => p; const g = x => { return x - 1; }; return [a(2), b(1, 2), c().v, d(4), e(1, 2, 3), f({p: 'p'}), g(1)].join();"},
      {"arrow this and arguments", "function T() { this.v = 'T'; this.f = () => this.v; } function A() { return (() => arguments.length)(); } return new T().f.call({v: 'other'}) + A(1, 2);"},
      {"classes", "class A { constructor(n) { this.n = n; } get twice() { return this.n * 2; } static make() { return new A(2); } hi() { return 'A' + this.n; } } class B extends A { hi() { return 'B' + super.hi(); } get twice() { return super.twice + 1; } } return [A.make().twice, new B(3).hi(), new B(1) instanceof A, new B(5).twice].join();"},
      {"optional catch binding", "try { null.x; } catch { return 'caught'; } return 'no';"},
      {"nullish coalescing", "const o = {z: 0, e: '', n: null}; return [o.z ?? 1, o.e ?? 'e', o.n ?? 'n', o.u ?? 'u', (null ?? false) || 'f'].join('|');"},
      {"optional chaining", "const o = {a: {b: [10, {c: () => 'called'}]}, m() { return this === o; }}; const n = null; return [o?.a?.b?.[0], o.a.b[1]?.c?.(), n?.x.y.z, o.missing?.(), o?.m(), o.m?.(), typeof n?.[0]].join();"},
      {"logical assignment", "let a = 0, b = 1, c = null; const o = {p: null, q: 'kept'}; a ||= 5; b &&= 6; c ?\?= 7; o.p ?\?= 'set'; o.q ||= 'lost'; return [a, b, c, o.p, o.q].join();"},
      {"exponent operator", "let x = 2; x **= 3; return [2 ** 10, (-2) ** 2, 2 ** -1, x].join();"},
      {"numeric separators", "return [1_000_000, 0xFF_FF, 1_0.5_0].join();"},
      {"let/const block scoping", "const fs = []; for (let i = 0; i < 3; i++) fs.push(() => i); let x = 'outer'; { let x = 'inner'; } if (true) { const x = 'block'; } return fs.map(f => f()).join() + x;"},
      {"let in a loop captured by a closure", "const fs = []; for (let i = 0; i < 3; i++) fs.push(() => i); const gs = []; for (const k of ['a', 'b']) gs.push(function () { return k; }); return fs.map(f => f()).join() + gs.map(g => g()).join();"},
      {"Map", "const m = new Map([[1, 'a'], ['1', 'b'], [NaN, 'nan']]); m.set(-0, 'zero'); m.delete('1'); const seen = []; m.forEach((v, k) => seen.push(String(k) + '=' + v)); return [m.size, m.get(NaN), m.get(0), m.has('1'), seen.join(), [...m.keys()].join(), JSON.stringify([...m.entries()]), Object.keys(m).length, String(m instanceof Map)].join('|');"},
      {"Set", "const s = new Set('hello'); s.add('z').add('h'); s.delete('e'); return [s.size, [...s].join(''), s.has('l'), [...s.entries()][0].join(), Array.from(s.values()).length].join('|');"},
      {"WeakMap", "const k1 = {}, k2 = function () {}; const w = new WeakMap([[k1, 1]]); w.set(k2, 2); let err = ''; try { w.set('str', 3); } catch (e) { err = e instanceof TypeError; } return [w.get(k1), w.get(k2), w.has({}), w.delete(k1), w.has(k1), err].join();"},
      {"Array.prototype.includes/find/findIndex/fill/flat", "const a = [1, 2, NaN, [3, [4, [5]]]]; return [a.includes(NaN), a.includes(2, 2), a.find(x => x > 1), a.findIndex(x => x !== x), [1, 2, 3, 4].fill(0, 1, -1).join(), a.flat().length, a.flat(Infinity).join(), [[1], [2]].flatMap(x => x).join()].join('|');"},
      {"Array.from/of", "return [Array.from('abc').join(), Array.from({length: 3}, (_, i) => i * i).join(), Array.from(new Set([1, 1, 2])).join(), Array.of(7, 8).join(), Array.of(3).length].join('|');"},
      {"Object.assign/entries/values/fromEntries", "const o = Object.assign({a: 1}, {b: 2}, null, {c: 3}); return [JSON.stringify(o), JSON.stringify(Object.entries(o)), Object.values(o).join(), JSON.stringify(Object.fromEntries([['x', 1], ['y', [2]]])), JSON.stringify(Object.fromEntries(new Map([['m', 1]])))].join('|');"},
      {"String.prototype.padStart/padEnd", "return ['5'.padStart(3, '0'), 'ab'.padEnd(7, 'xyz'), 'abc'.padStart(2), 'a'.padStart(4), 'a'.padEnd(3, '')].join('|');"},
      {"String.prototype.trimStart/trimEnd", "return escape('[' + '  a b \\t\\n'.trimStart() + '][' + ' \\u00a0x\\u2028 \\ufeff'.trimEnd() + '][' + '\\u3000y'.trimLeft() + ']');"},
      {"String.prototype.replaceAll", "return ['a.b.c'.replaceAll('.', '/'), 'aaa'.replaceAll('a', '$&$&'), 'xyx'.replaceAll('', '-'), 'a-b'.replaceAll(/-/g, '+'), 'abab'.replaceAll('b', (m, i) => i)].join('|');"},
      {"String.prototype.startsWith/endsWith/includes/repeat", "return [host.startsWith('www.'), host.endsWith('.com'), host.includes('example'), 'ab'.repeat(3), host.startsWith('example', 4)].join();"},
      {"Number.isInteger/isNaN", "return [Number.isInteger(5), Number.isInteger(5.5), Number.isInteger('5'), Number.isNaN(NaN), Number.isNaN('x')].join();"},
      {"globalThis", "globalThis.gv = 1; return typeof globalThis + gv;"},
      {"whole script: a gfwlist-style PAC",
       "const proxy = 'SOCKS5 127.0.0.1:1080; DIRECT';\n"
       "const rules = ['example.com', 'blocked.org'];\n"
       "const domains = new Set(rules);\n"
       "const match = (h) => h.split('.').some((_, i, parts) => domains.has(parts.slice(i).join('.')));\n"
       "function FindProxyForURL(url, host) {\n"
       "  return match(host) ? proxy : 'DIRECT';\n"
       "}\n"},
  };
  return list;
}

std::string script_of(const snippet& s) {
  std::string body = s.body;
  if (body.find("function FindProxyForURL") != std::string::npos) return body;
  return "function FindProxyForURL(url, host) {\n" + body + "\n}\n";
}

std::string temp_path(const char* name) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/wpadkit-modern-" + std::to_string(::getpid()) +
         "-" + name;
}

// Every snippet's answer in node (V8), run in a fresh context each, as one node process.
const std::vector<std::string>& node_answers() {
  static const std::vector<std::string> answers = [] {
    std::string in = temp_path("in.txt");
    std::string harness = temp_path("harness.js");
    {
      std::ofstream f(in, std::ios::binary);
      for (const auto& s : snippets()) f << script_of(s) << '\0';
    }
    {
      std::ofstream f(harness, std::ios::binary);
      f << "const vm = require('vm'); const fs = require('fs');\n"
           "const scripts = fs.readFileSync(process.argv[2], 'utf8').split('\\0').slice(0, -1);\n"
           "for (const s of scripts) {\n"
           "  let r;\n"
           "  try { r = String(vm.runInNewContext(s + '\\n;FindProxyForURL(\"http://www.example.com/\", \"www.example.com\")')); }\n"
           "  catch (e) { r = 'node threw: ' + e; }\n"
           "  process.stdout.write(JSON.stringify(r) + '\\n');\n"
           "}\n";
    }
    std::string cmd = std::string(WPADKIT_NODE_PATH) + " " + harness + " " + in;
    std::vector<std::string> out;
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    std::string text;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) text.append(buf, n);
    REQUIRE(::pclose(p) == 0);
    std::remove(in.c_str());
    std::remove(harness.c_str());
    // One JSON string per line; the answers are ASCII, so unescaping \" \\ \n \t is enough.
    std::size_t at = 0;
    while (at < text.size()) {
      std::size_t nl = text.find('\n', at);
      std::string line = text.substr(at, nl - at);
      at = nl == std::string::npos ? text.size() : nl + 1;
      std::string v;
      for (std::size_t i = 1; i + 1 < line.size(); ++i) {
        if (line[i] == '\\') {
          char c = line[++i];
          v += c == 'n' ? '\n' : c == 't' ? '\t' : c;
        } else {
          v += line[i];
        }
      }
      out.push_back(v);
    }
    return out;
  }();
  return answers;
}

std::string ours(const std::string& script) {
  auto e = engine::load(script, "modern.pac", env());
  if (!e) return "load failed: " + e.error().to_string();
  auto r = e->find_proxy("http://www.example.com/", "www.example.com");
  if (!r) return "call failed: " + r.error().to_string();
  return r->result;
}

}  // namespace

TEST_CASE("modern JS: every construct and built-in answers as in node (V8)") {
  const auto& expected = node_answers();
  REQUIRE(expected.size() == snippets().size());
  for (std::size_t i = 0; i < snippets().size(); ++i) {
    const auto& s = snippets()[i];
    DYNAMIC_SECTION(s.construct) {
      std::string script = script_of(s);
      CAPTURE(script);
      CHECK_THAT(expected[i], !Catch::StartsWith("node threw"));
      CHECK(ours(script) == expected[i]);
    }
  }
}

TEST_CASE("modern JS: an ES5 script never reaches the down-level compiler or the polyfills") {
  const char* es5 =
      "var hosts = ['a.example', 'b.example'];\n"
      "function FindProxyForURL(url, host) {\n"
      "  for (var i = 0; i < hosts.length; i++) if (dnsDomainIs(host, hosts[i])) return 'DIRECT';\n"
      "  return shExpMatch(url, 'http://*') ? 'PROXY p:1' : 'DIRECT';\n"
      "}\n";
  auto before = downlevel_runs();
  auto c = compiled_pac::compile(es5, "es5.pac");
  REQUIRE(c.has_value());
  CHECK_FALSE((*c)->downlevelled());
  CHECK_FALSE((*c)->needs_polyfills());
  CHECK(downlevel_runs() == before);
  // What the pre-pass has always translated itself stays on this path too.
  auto simple = compiled_pac::compile("let p = 'PROXY a:1';\nconst f = h => h + '.x';\n"
                                      "function FindProxyForURL(u, h) { return p; }\n", "simple.pac");
  REQUIRE(simple.has_value());
  CHECK_FALSE((*simple)->downlevelled());
  CHECK(downlevel_runs() == before);

  auto modern = compiled_pac::compile("function FindProxyForURL(u, h) { return `PROXY ${h}:1`; }\n",
                                      "modern.pac");
  REQUIRE(modern.has_value());
  CHECK((*modern)->downlevelled());
  CHECK(downlevel_runs() == before + 1);
  // A default parameter has no telling token: Duktape's rejection sends it on.
  auto fallback = compiled_pac::compile("function f(a = 1) { return a; }\n"
                                        "function FindProxyForURL(u, h) { return 'DIRECT'; }\n", "d.pac");
  REQUIRE(fallback.has_value());
  CHECK((*fallback)->downlevelled());
  CHECK(downlevel_runs() == before + 2);
  // A built-in alone needs the polyfills, not the compiler.
  auto builtin = compiled_pac::compile(
      "function FindProxyForURL(u, h) { return ['a'].includes(h) ? 'DIRECT' : 'PROXY p:1'; }\n", "b.pac");
  REQUIRE(builtin.has_value());
  CHECK_FALSE((*builtin)->downlevelled());
  CHECK((*builtin)->needs_polyfills());
  CHECK(downlevel_runs() == before + 2);
}

TEST_CASE("modern JS: the polyfills add nothing enumerable, and keep Duktape's own built-ins") {
  auto e = engine::load(
      "function FindProxyForURL(u, h) {\n"
      "  var seen = []; for (var k in []) seen.push(k); for (var k2 in '') seen.push(k2);\n"
      "  for (var k3 in {}) seen.push(k3);\n"
      "  return seen.length + ':' + ['x'].includes('x') + ':' + String(Object.assign).indexOf('native');\n"
      "}\n",
      "enum.pac", env());
  REQUIRE(e.has_value());
  auto r = e->find_proxy("http://a/", "a");
  REQUIRE(r.has_value());
  CHECK(r->result.substr(0, 7) == "0:true:");
  CHECK(r->result != "0:true:-1");  // Duktape's native Object.assign was kept
}

namespace {
// 1-based line and column of the first `needle` in `text`.
std::pair<int, int> position_of(const std::string& text, const std::string& needle) {
  std::size_t at = text.find(needle);
  REQUIRE(at != std::string::npos);
  int line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return {line, static_cast<int>(at - line_start) + 1};
}
}  // namespace

TEST_CASE("modern JS: a syntax error points at the user's line and column") {
  std::string text =
      "const list = [`a`, `b`];\n"
      "const f = ({a}) => a;\n"
      "function FindProxyForURL(url, host) {\n"
      "  return `${host}` + ;\n"
      "}\n";
  auto c = compiled_pac::compile(text, "broken.pac");
  REQUIRE_FALSE(c.has_value());
  CHECK(c.error().is(errc::pac_syntax));
  CHECK(c.error().where == "broken.pac");
  auto [line, column] = position_of(text, ";\n}");
  CHECK(c.error().line == line);
  CHECK(c.error().column == column);
  CHECK_THAT(c.error().message, Catch::StartsWith("SyntaxError: Unexpected token"));
  // The same through engine::load.
  auto e = engine::load(text, "broken.pac", env());
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().to_string() == c.error().to_string());
}

TEST_CASE("modern JS: a construct the compiler cannot translate is named, at its position") {
  std::string text =
      "const a = 1;\n"
      "function* gen() { yield 1; }\n"
      "function FindProxyForURL(url, host) { return 'DIRECT'; }\n";
  auto c = compiled_pac::compile(text, "gen.pac");
  REQUIRE_FALSE(c.has_value());
  CHECK(c.error().is(errc::pac_syntax));
  CHECK_THAT(c.error().message, Catch::Contains("generators"));
  CHECK_THAT(c.error().message, Catch::Contains("hint:"));
  CHECK(c.error().line == position_of(text, "function*").first);
}

TEST_CASE("modern JS: a parse error on an ES2022 construct names it") {
  std::string text =
      "class Counter {\n"
      "  #count = 0;\n"
      "}\n"
      "function FindProxyForURL(url, host) { return 'DIRECT'; }\n";
  auto c = compiled_pac::compile(text, "fields.pac");
  REQUIRE_FALSE(c.has_value());
  CHECK(c.error().is(errc::pac_syntax));
  CHECK(c.error().line == position_of(text, "#count").first);
  CHECK(c.error().column == position_of(text, "#count").second);
  CHECK_THAT(c.error().message, Catch::Contains("private class members"));
}

TEST_CASE("modern JS: a regular expression flag Duktape lacks is reported at its line, with a hint") {
  // Bublé's translation of /u drops the flag and changes the pattern's meaning: it is not used.
  std::string text =
      "const ok = `fine`;\n"
      "function FindProxyForURL(url, host) {\n"
      "  return /\\u{1F600}/u.test(host) ? 'PROXY a:1' : 'DIRECT';\n"
      "}\n";
  auto c = compiled_pac::compile(text, "flags.pac");
  REQUIRE_FALSE(c.has_value());
  CHECK(c.error().is(errc::pac_syntax));
  CHECK(c.error().line == position_of(text, "/u.test").first);
  CHECK_THAT(c.error().message, Catch::Contains("flags u, y and s"));
}

TEST_CASE("modern JS: run-time errors keep the user's line after multi-line templates and destructuring") {
  std::string text =
      "const {\n"
      "  proxy,\n"
      "  port = 8080,\n"
      "} = {proxy: 'p'};\n"
      "const banner = `first\n"
      "second\n"
      "third`;\n"
      "for (const [k, v] of Object.entries({a: 1})) {\n"
      "  var seen = k + v;\n"
      "}\n"
      "function FindProxyForURL(url, host) {\n"
      "  if (host === 'boom') throw new Error(`bad ${host}`);\n"
      "  return `PROXY ${proxy}:${port}`;\n"
      "}\n";
  auto e = engine::load(text, "lines.pac", env());
  REQUIRE(e.has_value());
  auto ok = e->find_proxy("http://a/", "a");
  REQUIRE(ok.has_value());
  CHECK(ok->result == "PROXY p:8080");
  auto r = e->find_proxy("http://boom/", "boom");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().is(errc::pac_exception));
  CHECK(r.error().line == position_of(text, "throw").first);
  CHECK_THAT(r.error().message, Catch::Contains("bad boom"));
}

TEST_CASE("modern JS: a pool down-levels once and every worker answers") {
  auto before = downlevel_runs();
  auto pool = engine_pool::create(
      "const proxies = new Map([['a', 'PROXY a:1']]);\n"
      "function FindProxyForURL(url, host) { return proxies.get(host) ?? 'DIRECT'; }\n",
      "pool.pac", env(), {}, 4);
  REQUIRE(pool.has_value());
  CHECK(downlevel_runs() == before + 1);
  for (int i = 0; i < 8; ++i) {
    auto r = (*pool)->find_proxy_sync("http://a/", i % 2 ? "a" : "b");
    REQUIRE(r.has_value());
    CHECK(r->result == (i % 2 ? "PROXY a:1" : "DIRECT"));
  }
}

TEST_CASE("modern JS: a large constant list is hidden from the compiler and put back") {
  std::string text = "const blocked = new Set([\n";
  for (int i = 0; i < 600; ++i) text += "  'host" + std::to_string(i) + ".example',\n";
  text += "]);\nconst f = h => `${blocked.has(h)}`;\n"
          "function FindProxyForURL(url, host) {\n  if (host === 'x') null.boom;\n  return f(host);\n}\n";
  auto e = engine::load(text, "big.pac", env());
  REQUIRE(e.has_value());
  CHECK(e->find_proxy("http://h/", "host599.example")->result == "true");
  CHECK(e->find_proxy("http://h/", "nope")->result == "false");
  auto r = e->find_proxy("http://x/", "x");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().line == position_of(text, "null.boom").first);
}
