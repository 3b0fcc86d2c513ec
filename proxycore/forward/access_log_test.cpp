#include "proxycore/forward/access_log.hpp"

#include <catch2/catch.hpp>

using namespace wpadkit::forward;

namespace {

access_record sample() {
  access_record r;
  r.start = std::chrono::system_clock::time_point(std::chrono::milliseconds(1700000000123));
  r.duration = std::chrono::milliseconds(42);
  r.client = "127.0.0.1:50312";
  r.method = "GET";
  r.url = "http://a.test/x";
  r.pac_result = "PROXY p:3128; DIRECT";
  r.hop = "PROXY p:3128";
  r.attempts = 1;
  r.status = 200;
  r.bytes_out = 512;
  return r;
}

}  // namespace

TEST_CASE("the access log's user column is Squid's: '-' when no one authenticated") {
  auto r = sample();
  CHECK(format_access_record(r, log_format::text) ==
        "1700000000.123 42 127.0.0.1:50312 TCP_MISS/200 512 GET http://a.test/x - PROXY_p:3128 - "
        "attempts=1 pac_us=0 pac=\"PROXY_p:3128;_DIRECT\"");
  r.user = "alice";
  CHECK_THAT(format_access_record(r, log_format::text),
             Catch::Contains(" GET http://a.test/x alice PROXY_p:3128 - "));
  // A user name cannot add a column or a line.
  r.user = "eve x\nforged";
  CHECK_THAT(format_access_record(r, log_format::text), Catch::Contains(" eve_x_forged "));
}

TEST_CASE("the JSON access log has a user key") {
  auto r = sample();
  CHECK_THAT(format_access_record(r, log_format::json), Catch::Contains(",\"user\":\"\","));
  r.user = "bob \"b\"";
  CHECK_THAT(format_access_record(r, log_format::json), Catch::Contains(",\"user\":\"bob \\\"b\\\"\","));
}
