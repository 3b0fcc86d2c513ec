#include "proxycore/forward/socks_client.hpp"

#include <catch2/catch.hpp>

using namespace wpadkit;
using namespace wpadkit::forward::socks;
namespace asio = boost::asio;

TEST_CASE("SOCKS4 and SOCKS4a requests") {
  CHECK(*socks4_request(asio::ip::make_address_v4("10.1.2.3"), "ignored", 8080) ==
        bytes{4, 1, 0x1f, 0x90, 10, 1, 2, 3, 0});
  CHECK(*socks4_request(std::nullopt, "ab.c", 80) ==
        bytes{4, 1, 0, 80, 0, 0, 0, 1, 0, 'a', 'b', '.', 'c', 0});
  CHECK(socks4_request(std::nullopt, std::string(256, 'a'), 80).has_error());
}

TEST_CASE("SOCKS4 replies") {
  CHECK(parse_socks4_reply({0, 90, 0, 0, 0, 0, 0, 0}).has_value());
  auto rejected = parse_socks4_reply({0, 91, 0, 0, 0, 0, 0, 0});
  REQUIRE(rejected.has_error());
  CHECK_THAT(rejected.error().message, Catch::Contains("rejected"));
  CHECK(parse_socks4_reply({4, 90, 0, 0, 0, 0, 0, 0}).has_error());
}

TEST_CASE("SOCKS5 greeting, method and CONNECT") {
  CHECK(socks5_greeting() == bytes{5, 1, 0});
  CHECK(parse_socks5_method({5, 0}).has_value());
  CHECK_THAT(parse_socks5_method({5, 0xff}).error().message, Catch::Contains("authentication"));
  CHECK(parse_socks5_method({4, 0}).has_error());

  CHECK(*socks5_connect_request("127.0.0.1", 443) == bytes{5, 1, 0, 1, 127, 0, 0, 1, 1, 0xbb});
  CHECK(*socks5_connect_request("h.t", 80) == bytes{5, 1, 0, 3, 3, 'h', '.', 't', 0, 80});
  auto v6 = *socks5_connect_request("::1", 1);
  REQUIRE(v6.size() == 4 + 16 + 2);
  CHECK(v6[3] == 4);
  CHECK(v6[19] == 1);
}

TEST_CASE("SOCKS5 reply heads give the length or the refusal") {
  CHECK(*parse_socks5_reply_head({5, 0, 0, 1, 127}) == 10);
  CHECK(*parse_socks5_reply_head({5, 0, 0, 3, 7}) == 4 + 1 + 7 + 2);
  CHECK(*parse_socks5_reply_head({5, 0, 0, 4, 0}) == 22);
  auto refused = parse_socks5_reply_head({5, 5, 0, 1, 0});
  REQUIRE(refused.has_error());
  CHECK_THAT(refused.error().message, Catch::Contains("connection refused"));
  CHECK(parse_socks5_reply_head({5, 0, 0, 9, 0}).has_error());
}
