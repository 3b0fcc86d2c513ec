#include "pacserver/http_service.hpp"

#include <catch2/catch.hpp>

using namespace wpadkit::pacserver;

TEST_CASE("http: Accept-Encoding gzip detection") {
  auto [header, yes] = GENERATE(table<std::string, bool>({
      {"gzip", true},
      {"deflate, gzip;q=1.0, *;q=0.5", true},
      {"GZIP", true},
      {"x-gzip", true},
      {"gzip;q=0", false},
      {"gzip; q=0.0", false},
      {"br, deflate", false},
      {"", false},
  }));
  CHECK(accepts_gzip(header) == yes);
}

TEST_CASE("http: If-None-Match lists") {
  CHECK(etag_listed("\"abc\"", "\"abc\""));
  CHECK(etag_listed("\"x\", W/\"abc\"", "\"abc\""));
  CHECK(etag_listed("*", "\"abc\""));
  CHECK_FALSE(etag_listed("\"abcd\"", "\"abc\""));
}

TEST_CASE("http: dates round-trip in IMF-fixdate") {
  const auto t = std::chrono::system_clock::from_time_t(784111777);
  CHECK(http_date(t) == "Sun, 06 Nov 1994 08:49:37 GMT");
  CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == t);
  CHECK_FALSE(parse_http_date("yesterday"));
}

TEST_CASE("http: gzip output is a gzip stream, hashes are stable") {
  const auto z = gzip("function FindProxyForURL(u, h) { return \"DIRECT\"; }");
  REQUIRE(z.size() > 10);
  CHECK(static_cast<unsigned char>(z[0]) == 0x1f);
  CHECK(static_cast<unsigned char>(z[1]) == 0x8b);
  CHECK(content_hash("abc", 16) == "ba7816bf8f01cfea");
}
