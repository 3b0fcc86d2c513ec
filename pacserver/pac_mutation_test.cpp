// Seeded mutations of real PACs (the examples/ files and every bundled template's output), each
// through the PAC engine: every one loads and answers, or fails with a classified PAC error, within
// the limits (a hang would hang this test; a crash ends it). Deterministic: a fixed seed and
// std::mt19937 (whose sequence the standard fixes), so a failing case number reproduces.
#include <catch2/catch.hpp>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "pacserver/pac_renderer.hpp"
#include "pacserver/pac_validator.hpp"
#include "pacserver/test_config_fixture.hpp"
#include "proxycore/dns/fixed_resolver.hpp"
#include "proxycore/pac/pac_engine.hpp"
#include "proxycore/pac/pac_request.hpp"
#include "proxycore/pac/pac_prepass_lexer.hpp"

using namespace wpadkit;
using namespace wpadkit::pacserver;
using namespace std::chrono_literals;

namespace {

std::string read_source_file(const std::string& relative) {
  std::ifstream f(std::string(WPADKIT_SOURCE_DIR) + "/" + relative, std::ios::binary);
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<std::string> seeds() {
  std::vector<std::string> out;
  for (const char* f : {"examples/corporate.pac", "examples/corporate-next.pac", "examples/lint-pitfalls.pac"}) {
    out.push_back(read_source_file(f));
  }
  const auto config = test::every_template_config();
  const template_store store;
  for (const auto& v : config.variants) out.push_back(render_pac(config, v, store).value());
  return out;
}

// Snippets a mutation splices in: the shapes of attack, and the tokens that unbalance a script.
const std::vector<std::string> hostile_snippets = {
    "while (1) {}",
    "throw {toString: function () { while (1) {} }};",
    "(function f() { return f(); })()",
    "(function f() { return [0].map(f); })()",
    "(function () { var s = 'x'; for (;;) s += s; })()",
    "/^(a+)+$/.test('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!')",
    "eval(Array(30001).join('(function () { return ') + 'host' + Array(30001).join('})'))",
    "Object.defineProperty(this, 'FindProxyForURL', {get: function () { while (1) {} }});",
    "alert({toString: function () { while (1) {} }})",
    "(", ")", "{", "}", "[", "]", "'", "\"", "`", "/", "=>", ";", ",", "?", ":", "function", "return",
    "FindProxyForURL", "null", "undefined", "this", "new", "delete", "1e308", "-0", "0x7fffffff",
};

const char random_bytes[] = "(){}[];,.+-*/%!=<>?:&|^~'\"`\\ \n\tabcxyz019$_";

// One mutation of `text`, chosen by `rng`: a byte replaced, inserted or deleted; a token deleted,
// duplicated or swapped with another; a hostile snippet in place of a token.
std::string mutate(const std::string& text, std::mt19937& rng) {
  auto pick = [&](std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng() % n); };
  std::string out = text;
  const auto tokens = pac::detail::tokenizer(text).run();
  auto tok = [&](std::size_t k) { return text.substr(tokens[k].begin, tokens[k].end - tokens[k].begin); };
  switch (rng() % 7) {
    case 0:
      if (!out.empty()) out[pick(out.size())] = random_bytes[pick(sizeof random_bytes - 1)];
      break;
    case 1:
      out.insert(pick(out.size() + 1), 1, random_bytes[pick(sizeof random_bytes - 1)]);
      break;
    case 2: {
      std::size_t at = pick(out.size());
      out.erase(at, 1 + pick(8));
      break;
    }
    case 3: {  // delete a token
      const auto& t = tokens[pick(tokens.size())];
      out = text.substr(0, t.begin) + text.substr(t.end);
      break;
    }
    case 4: {  // duplicate a run of up to 16 tokens
      std::size_t a = pick(tokens.size());
      std::size_t b = std::min(tokens.size() - 1, a + pick(16));
      out = text.substr(0, tokens[b].end) + text.substr(tokens[a].begin, tokens[b].end - tokens[a].begin) +
            text.substr(tokens[b].end);
      break;
    }
    case 5: {  // swap two tokens
      std::size_t a = pick(tokens.size());
      std::size_t b = pick(tokens.size());
      if (a > b) std::swap(a, b);
      if (a == b) break;
      out = text.substr(0, tokens[a].begin) + tok(b) +
            text.substr(tokens[a].end, tokens[b].begin - tokens[a].end) + tok(a) + text.substr(tokens[b].end);
      break;
    }
    default: {  // a hostile snippet in place of a token
      const auto& t = tokens[pick(tokens.size())];
      out = text.substr(0, t.begin) + hostile_snippets[pick(hostile_snippets.size())] + text.substr(t.end);
      break;
    }
  }
  return out;
}

bool one_of(const error& e, std::initializer_list<errc> codes) {
  for (errc c : codes) {
    if (e.is(c)) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("mutated PACs evaluate or fail with a classified error within their limits") {
  const auto originals = seeds();
  REQUIRE(originals.size() == 8);
  pac::environment env;
  auto resolver = std::make_shared<dns::fixed_resolver>();
  resolver->add("www.example.com", boost::asio::ip::make_address("93.184.216.34"));
  env.resolver = resolver;
  env.time = pac::fixed_clock(std::chrono::system_clock::from_time_t(1'767'268'800));
  env.local = pac::fixed_local_addresses({boost::asio::ip::make_address("10.0.0.10")});
  pac::engine_options o;
  o.call_timeout = 50ms;
  o.load_timeout = 200ms;
  o.memory_limit = 16u * 1024 * 1024;

  std::mt19937 rng(20261207);
  constexpr int per_seed = 40;
  int loaded = 0, refused = 0, answered = 0, failed = 0;
  for (std::size_t s = 0; s < originals.size(); ++s) {
    for (int i = 0; i < per_seed; ++i) {
      // One to three mutations on top of each other.
      std::string text = originals[s];
      for (unsigned n = 1 + rng() % 3; n > 0; --n) text = mutate(text, rng);
      INFO("seed file " << s << ", case " << i);
      auto eng = pac::engine::load(text, "mutated.pac", env, o);
      if (!eng) {
        ++refused;
        INFO(eng.error().to_string());
        CHECK(one_of(eng.error(), {errc::pac_syntax, errc::pac_load, errc::pac_no_entrypoint,
                                   errc::pac_timeout, errc::pac_memory}));
        CHECK_FALSE(eng.error().message.empty());
        continue;
      }
      ++loaded;
      for (const char* url : {"http://www.example.com/", "https://intranet/", "http://10.1.2.3/"}) {
        const auto req = pac::canonical_request(url).value();
        auto r = eng->find_proxy(req.url, req.host);
        if (r) {
          ++answered;
          continue;
        }
        ++failed;
        INFO(r.error().to_string());
        CHECK(one_of(r.error(), {errc::pac_exception, errc::pac_bad_return, errc::pac_timeout,
                                 errc::pac_memory}));
        CHECK_FALSE(r.error().message.empty());
      }
    }
  }
  INFO("loaded " << loaded << ", refused " << refused << ", answered " << answered << ", failed " << failed);
  // The mutations both break scripts and leave some working: each side of the classification runs.
  CHECK(refused > 0);
  CHECK(answered > 0);
  CHECK(failed > 0);
}
