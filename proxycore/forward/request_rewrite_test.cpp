#include "proxycore/forward/request_rewrite.hpp"

#include <catch2/catch.hpp>

using namespace wpadkit;
using namespace wpadkit::forward;

namespace {

http::fields make_fields(std::initializer_list<std::pair<const char*, const char*>> list) {
  http::fields f;
  for (auto& [n, v] : list) f.insert(n, v);
  return f;
}

std::string dump(const http::fields& f) {
  std::string out;
  for (auto& field : f) out += std::string(field.name_string()) + "=" + std::string(field.value()) + "|";
  return out;
}

}  // namespace

TEST_CASE("resolve_target reads absolute-form, origin-form with Host, and authority-form") {
  using row = std::tuple<http::verb, std::string, const char*, std::string, int, std::string, std::string>;
  // method, target, Host (nullptr: absent) → host, port, origin_form, absolute_form
  auto [method, target, host_header, host, port, origin, absolute] = GENERATE(table<http::verb, std::string, const char*, std::string, int, std::string, std::string>({
      row{http::verb::get, "http://example.com/a?b=c", nullptr, "example.com", 80, "/a?b=c", "http://example.com/a?b=c"},
      row{http::verb::get, "http://example.com", nullptr, "example.com", 80, "/", "http://example.com/"},
      row{http::verb::get, "HTTP://Example.com:8080?q", nullptr, "Example.com", 8080, "/?q", "http://Example.com:8080/?q"},
      row{http::verb::get, "http://[::1]:81/x", nullptr, "::1", 81, "/x", "http://[::1]:81/x"},
      row{http::verb::get, "http://h:/x", nullptr, "h", 80, "/x", "http://h/x"},
      row{http::verb::get, "/path%20x?y", "origin.test:8081", "origin.test", 8081, "/path%20x?y", "http://origin.test:8081/path%20x?y"},
      row{http::verb::get, "http://a.test/p", "ignored.test", "a.test", 80, "/p", "http://a.test/p"},
      row{http::verb::options, "*", "h.test", "h.test", 80, "*", "http://h.test"},
      row{http::verb::connect, "secure.test:443", nullptr, "secure.test", 443, "", "secure.test:443"},
      row{http::verb::connect, "[2001:db8::1]:8443", nullptr, "2001:db8::1", 8443, "", "[2001:db8::1]:8443"},
  }));
  std::optional<std::string_view> h;
  if (host_header) h = host_header;
  auto t = resolve_target(method, target, h);
  INFO(target);
  REQUIRE(t.has_value());
  CHECK(t->host == host);
  CHECK(t->port == port);
  CHECK(t->origin_form == origin);
  CHECK(t->absolute_form() == absolute);
}

TEST_CASE("resolve_target refuses what it cannot route, saying why") {
  using row = std::tuple<http::verb, std::string, const char*, errc, std::string>;
  auto [method, target, host_header, code, words] = GENERATE(table<http::verb, std::string, const char*, errc, std::string>({
      row{http::verb::get, "/p", nullptr, errc::parse, "no Host header"},
      row{http::verb::get, "/p", "", errc::parse, "no Host header"},
      row{http::verb::get, "ftp://h/x", nullptr, errc::unsupported, "'ftp'"},
      row{http::verb::get, "http://user:pw@h/x", nullptr, errc::parse, "user information"},
      row{http::verb::get, "http://h:99999/", nullptr, errc::parse, "not a valid port"},
      row{http::verb::get, "http://h:8a/", nullptr, errc::parse, "not a valid port"},
      row{http::verb::get, "http:///x", nullptr, errc::parse, "not a valid host"},
      row{http::verb::get, "http://[::1/x", nullptr, errc::parse, "unterminated"},
      row{http::verb::get, "*", "h", errc::parse, "only allowed with OPTIONS"},
      row{http::verb::get, "example.com", nullptr, errc::parse, "not a valid request target"},
      row{http::verb::connect, "secure.test", nullptr, errc::parse, "has no port"},
      row{http::verb::connect, "/x", nullptr, errc::parse, "CONNECT needs host:port"},
  }));
  std::optional<std::string_view> h;
  if (host_header) h = host_header;
  auto t = resolve_target(method, target, h);
  INFO(target);
  REQUIRE(t.has_error());
  CHECK(t.error().is(code));
  CHECK_THAT(t.error().message, Catch::Contains(words));
}

TEST_CASE("pac_request gives the (url, host) FindProxyForURL sees") {
  using row = std::tuple<http::verb, std::string, std::optional<std::string>, std::string, std::string>;
  auto [verb, target, host_header, url, host] =
      GENERATE(table<http::verb, std::string, std::optional<std::string>, std::string, std::string>({
          row{http::verb::connect, "h:443", std::nullopt, "https://h/", "h"},
          row{http::verb::connect, "Bank.Example:8443", std::nullopt, "https://bank.example:8443/", "bank.example"},
          row{http::verb::connect, "[2001:DB8::1]:443", std::nullopt, "https://[2001:db8::1]/", "2001:db8::1"},
          row{http::verb::get, "http://h:81/x?y", std::nullopt, "http://h:81/x?y", "h"},
          row{http::verb::get, "http://WWW.Corp.Example/Path", std::nullopt, "http://www.corp.example/Path",
              "www.corp.example"},
          row{http::verb::get, "/p?q", std::string("WWW.Corp.Example:8080"), "http://www.corp.example:8080/p?q",
              "www.corp.example"},
          row{http::verb::options, "*", std::string("h"), "http://h/", "h"},
      }));
  auto t = resolve_target(verb, target, host_header);
  REQUIRE(t.has_value());
  auto r = t->pac_request();
  INFO(target);
  REQUIRE(r.has_value());
  CHECK(r->url == url);
  CHECK(r->host == host);
  // What goes to an origin or a parent keeps the host as received.
  if (target.rfind("http://", 0) == 0) CHECK(t->absolute_form() == target);
}

TEST_CASE("pac_request refuses a host no browser would send") {
  auto t = resolve_target(http::verb::get, "http://1.2.3.999/", {});
  REQUIRE(t.has_value());
  auto r = t->pac_request();
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().is(errc::parse));
  CHECK_THAT(r.error().message, Catch::Contains("1.2.3.999"));
  CHECK(resolve_target(http::verb::get, "http://h/", {})->authority() == "h:80");
}

TEST_CASE("strip_hop_by_hop removes hop-by-hop fields and keeps the rest in order and case") {
  auto f = make_fields({{"X-First", "1"},
                        {"Connection", "keep-alive, X-Secret, content-length"},
                        {"X-Secret", "s"},
                        {"Proxy-Connection", "keep-alive"},
                        {"Keep-Alive", "timeout=5"},
                        {"x-custom", "a"},
                        {"TE", "trailers"},
                        {"Trailer", "X-T"},
                        {"Upgrade", "websocket"},
                        {"Content-Length", "3"},
                        {"Proxy-Authorization", "Basic eA=="},
                        {"X-CUSTOM", "b"},
                        {"Server", "kept"}});
  SECTION("request") {
    strip_hop_by_hop(f, true);
    // Beast keeps fields of one name together (in their relative order) when they are inserted.
    CHECK(dump(f) == "X-First=1|x-custom=a|X-CUSTOM=b|Content-Length=3|Server=kept|");
  }
  SECTION("response keeps Proxy-Authorization (it is a request field only)") {
    strip_hop_by_hop(f, false);
    CHECK(dump(f) ==
          "X-First=1|x-custom=a|X-CUSTOM=b|Content-Length=3|Proxy-Authorization=Basic eA==|Server=kept|");
  }
}

TEST_CASE("take_proxy_authorization removes every Proxy-Authorization and returns them in order") {
  auto f = make_fields({{"Host", "h"},
                        {"Proxy-Authorization", "Basic YTpi"},
                        {"X-Other", "x"},
                        {"proxy-authorization", "Basic YzpK"}});
  auto taken = take_proxy_authorization(f);
  CHECK(taken == std::vector<std::string>{"Basic YTpi", "Basic YzpK"});
  CHECK(dump(f) == "Host=h|X-Other=x|");
  CHECK(take_proxy_authorization(f).empty());
}

TEST_CASE("set_hop_proxy_authorization: ours to our proxy, the client's relayed, none elsewhere") {
  const std::string ours = "Basic b3Vyczpwdw==";
  const std::vector<std::string> client = {"Basic Y2xpZW50OnB3"};
  using row = std::tuple<bool, bool, bool, std::string>;
  // to_proxy, ours configured, client's relayed → fields after
  auto [to_proxy, with_ours, with_client, expected] = GENERATE_REF(table<bool, bool, bool, std::string>({
      row{true, true, true, "Host=h|Proxy-Authorization=Basic b3Vyczpwdw==|"},
      row{true, true, false, "Host=h|Proxy-Authorization=Basic b3Vyczpwdw==|"},
      row{true, false, true, "Host=h|Proxy-Authorization=Basic Y2xpZW50OnB3|"},
      row{true, false, false, "Host=h|"},
      row{false, true, true, "Host=h|"},   // DIRECT or SOCKS: never
      row{false, false, true, "Host=h|"},
  }));
  // A value left by the previous hop's attempt is replaced, not added to.
  auto f = make_fields({{"Host", "h"}, {"Proxy-Authorization", "Basic bGVmdDpvdmVy"}});
  set_hop_proxy_authorization(f, to_proxy, with_ours ? &ours : nullptr,
                              with_client ? client : std::vector<std::string>{});
  CHECK(dump(f) == expected);
}

TEST_CASE("Via is appended with the received version, and our own entry is a loop") {
  auto f = make_fields({{"Via", "1.0 fred, 1.1 p.example.net (Squid/6)"}, {"X", "y"}});
  CHECK_FALSE(has_our_via(f, "me:3128"));
  append_via(f, 11, "me:3128");
  CHECK(dump(f) == "Via=1.0 fred, 1.1 p.example.net (Squid/6)|Via=1.1 me:3128|X=y|");
  CHECK(has_our_via(f, "ME:3128"));
  CHECK(has_our_via(make_fields({{"Via", "HTTP/1.1 me:3128 (wpadkit)"}}), "me:3128"));
  CHECK(has_our_via(make_fields({{"Via", "1.0 x"}, {"Y", "z"}, {"Via", "1.1 me:3128"}}), "me:3128"));
  CHECK_FALSE(has_our_via(make_fields({{"Via", "1.1 me:31280"}}), "me:3128"));
  http::fields g;
  append_via(g, 10, "n");
  CHECK(dump(g) == "Via=1.0 n|");
  http::fields h;  // a pseudonym too long for the stack buffer
  append_via(h, 11, std::string(400, 'a'));
  CHECK(dump(h) == "Via=1.1 " + std::string(400, 'a') + "|");
}

TEST_CASE("Max-Forwards is honoured for TRACE and OPTIONS only") {
  using row = std::tuple<http::verb, const char*, bool, std::string>;
  auto [method, value, here, after] = GENERATE(table<http::verb, const char*, bool, std::string>({
      row{http::verb::trace, "0", true, "0"},
      row{http::verb::options, "0", true, "0"},
      row{http::verb::trace, "3", false, "2"},
      row{http::verb::options, " 1 ", false, "0"},
      row{http::verb::get, "0", false, "0"},
      row{http::verb::trace, nullptr, false, ""},
  }));
  http::fields f;
  if (value) f.insert(http::field::max_forwards, value);
  auto r = apply_max_forwards(method, f);
  REQUIRE(r.has_value());
  CHECK((*r == max_forwards_action::answer_here) == here);
  CHECK(std::string(f[http::field::max_forwards]) == after);
  http::fields bad;
  bad.insert(http::field::max_forwards, "many");
  auto e = apply_max_forwards(http::verb::trace, bad);
  REQUIRE(e.has_error());
  CHECK_THAT(e.error().message, Catch::Contains("not a number"));
}

TEST_CASE("trace_echo reflects the head without credentials") {
  auto f = make_fields({{"Host", "h"}, {"Cookie", "s=1"}, {"Authorization", "x"}, {"X-A", "b"}});
  CHECK(trace_echo("TRACE", "/t", 11, f) == "TRACE /t HTTP/1.1\r\nHost: h\r\nX-A: b\r\n\r\n");
}

TEST_CASE("parse_authority splits host and port") {
  CHECK(*parse_authority("h:1", 80) == std::pair<std::string, std::uint16_t>("h", 1));
  CHECK(*parse_authority("[::1]", 80) == std::pair<std::string, std::uint16_t>("::1", 80));
  CHECK(parse_authority("[zz]:1", 80).has_error());
  CHECK(parse_authority("[::1]x", 80).has_error());
}

TEST_CASE("is_idempotent follows RFC 9110 §9.2.2") {
  for (auto m : {http::verb::get, http::verb::head, http::verb::options, http::verb::trace,
                 http::verb::put, http::verb::delete_}) {
    CHECK(is_idempotent(m));
  }
  for (auto m : {http::verb::post, http::verb::patch, http::verb::connect})
    CHECK_FALSE(is_idempotent(m));
}

TEST_CASE("reframe replaces every framing line by ours") {
  using row = std::tuple<std::vector<std::pair<const char*, const char*>>, std::string>;
  auto [fields, after] =
      GENERATE(table<std::vector<std::pair<const char*, const char*>>, std::string>({
          row{{{"Content-Length", "5, 5"}, {"X", "1"}}, "X=1|Content-Length=5|"},
          row{{{"Content-Length", "5"}, {"Content-Length", "5"}}, "Content-Length=5|"},
          row{{{"Content-Length", "005"}}, "Content-Length=5|"},
          row{{{"Transfer-Encoding", "Chunked"}}, "Transfer-Encoding=chunked|"},
      }));
  http::fields f;
  for (auto& [n, v] : fields) f.insert(n, v);
  auto framing = framing_fields_of(f).request(11);
  REQUIRE(framing.has_value());
  CHECK_FALSE(framing->canonical);
  reframe(f, *framing);
  CHECK(dump(f) == after);
}
