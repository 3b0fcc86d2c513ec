#include "proxycore/forward/host_field.hpp"

#include <catch2/catch.hpp>

using namespace wpadkit;
using wpadkit::forward::host_field;
namespace http = boost::beast::http;

namespace {

http::request_header<> head(unsigned version, std::initializer_list<const char*> hosts) {
  http::request_header<> h;
  h.method(http::verb::get);
  h.target("/wpad.dat");
  h.version(version);
  h.insert(http::field::user_agent, "t");
  for (const char* v : hosts) h.insert(http::field::host, v);
  return h;
}

}  // namespace

TEST_CASE("host_field returns the one Host value") {
  auto [version, value] = GENERATE(table<unsigned, std::string>({
      {11, "wpad.corp.example"},
      {11, "wpad.corp.example:8080"},
      {11, "[::1]:8080"},
      {11, "10.1.2.3"},
      {11, ""},
      {10, "wpad"},
  }));
  const auto req = head(version, {value.c_str()});  // the result is a view into it
  auto h = host_field(req);
  REQUIRE(h.has_value());
  REQUIRE(h->has_value());
  CHECK(**h == value);
}

TEST_CASE("host_field: HTTP/1.0 needs no Host") {
  auto h = host_field(head(10, {}));
  REQUIRE(h.has_value());
  CHECK_FALSE(h->has_value());
}

TEST_CASE("host_field refuses what RFC 9112 section 3.2 says a server must answer 400 to") {
  struct row {
    unsigned version;
    std::vector<const char*> hosts;
    std::string says;
  };
  auto r = GENERATE(values<row>({
      {11, {}, "HTTP/1.1 request without a Host field"},
      {11, {"a.example", "b.example"}, "more than one Host field (2 lines"},
      {11, {"a.example", "a.example"}, "more than one Host field (2 lines"},
      {10, {"a.example", "b.example"}, "more than one Host field"},
      {11, {"a b"}, "invalid Host"},
      {11, {"user@h.example"}, "invalid Host"},
      {11, {"h.example:http"}, "invalid Host"},
      {11, {"[::1"}, "invalid Host"},
      {11, {"h.example/x"}, "invalid Host"},
  }));
  http::request_header<> h = head(r.version, {});
  for (const char* v : r.hosts) h.insert(http::field::host, v);
  auto result = host_field(h);
  REQUIRE(result.has_error());
  CHECK(result.error().is(errc::parse));
  CHECK(result.error().where == "Host");
  CHECK_THAT(result.error().message, Catch::Matchers::Contains(r.says));
}
