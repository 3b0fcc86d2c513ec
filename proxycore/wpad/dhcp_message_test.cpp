#include "proxycore/wpad/dhcp_message.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace wpadkit;
using namespace wpadkit::wpad;
using namespace std::string_literals;

TEST_CASE("option 252 values that sanitize to a URL") {
  auto [raw, url, warns] = GENERATE(table<std::string, std::string, int>({
      {"http://wpad.corp/wpad.dat", "http://wpad.corp/wpad.dat", 0},
      {"http://wpad.corp/wpad.dat\0"s, "http://wpad.corp/wpad.dat", 0},
      {"http://wpad.corp/wpad.dat\0\0\0"s, "http://wpad.corp/wpad.dat", 0},
      {"http://wpad.corp/wpad.dat\n", "http://wpad.corp/wpad.dat", 1},
      {"http://wpad.corp/wpad.dat\r\n\0"s, "http://wpad.corp/wpad.dat", 1},
      {"http://a/p.pac\0garbage"s, "http://a/p.pac", 1},
      {"https://a/p.pac  \t", "https://a/p.pac", 0},
      {"HTTP://10.0.0.1:8080/proxy.pac", "http://10.0.0.1:8080/proxy.pac", 0},
  }));
  CAPTURE(raw);
  auto r = sanitize_wpad_option(raw);
  REQUIRE(r.has_value());
  CHECK(r->url == url);
  CHECK(static_cast<int>(r->warnings.size()) == warns);
}

TEST_CASE("option 252 values that are rejected") {
  auto [raw, code, needle] = GENERATE(table<std::string, errc, std::string>({
      {"", errc::parse, "empty"},
      {"\0"s, errc::parse, "empty"},
      {" \n", errc::parse, "empty"},
      {"file:///etc/proxy.pac", errc::unsupported, "'file'"},
      {"ftp://a/p.pac", errc::unsupported, "'ftp'"},
      {"http://a b/x", errc::parse, "0x20 at offset 8"},
      {"\x01\x02\x03", errc::parse, "non-printable byte 0x01"},
      {"http://caf\xc3\xa9/p.pac", errc::parse, "0xc3"},
      {"wpad.corp/wpad.dat", errc::parse, "not an absolute URL"},
      {"http:///wpad.dat", errc::parse, "no host"},
  }));
  CAPTURE(raw);
  auto r = sanitize_wpad_option(raw);
  REQUIRE(r.has_error());
  CHECK(r.error().is(code));
  CHECK_THAT(r.error().message, Catch::Contains(needle));
}

namespace {

// A DHCPACK as a server would send it, with `opts` appended after the message type.
std::vector<std::uint8_t> make_ack(std::uint32_t xid, const std::vector<std::uint8_t>& opts,
                                   std::uint8_t op = 2) {
  dhcp_inform_request req;
  req.xid = xid;
  auto b = build_dhcp_inform(req);
  b.resize(240);
  b[0] = op;
  b.insert(b.end(), {53, 1, 5, 54, 4, 10, 9, 0, 1});
  b.insert(b.end(), opts.begin(), opts.end());
  b.push_back(255);
  return b;
}

std::vector<std::uint8_t> option(std::uint8_t code, const std::string& value) {
  std::vector<std::uint8_t> o;
  o.reserve(value.size() + 2);
  o.push_back(code);
  o.push_back(static_cast<std::uint8_t>(value.size()));
  for (const char c : value) o.push_back(static_cast<std::uint8_t>(c));
  return o;
}

}  // namespace

TEST_CASE("a DHCPINFORM asks for option 252 from the interface's address") {
  dhcp_inform_request req;
  req.xid = 0x01020304;
  req.ciaddr = {10, 9, 0, 2};
  req.mac = {0x02, 0, 0, 0, 0, 0x42};
  const auto b = build_dhcp_inform(req);
  REQUIRE(b.size() >= 300);
  CHECK(b[0] == 1);
  CHECK(b[4] == 1);
  CHECK(b[7] == 4);
  CHECK(b[12] == 10);
  CHECK(b[15] == 2);
  CHECK(b[28 + 5] == 0x42);
  // Options: 53=8 (INFORM), and 252 in the parameter request list (55).
  const std::string opts(b.begin() + 240, b.end());
  CHECK(opts.find("\x35\x01\x08"s) != std::string::npos);
  CHECK(opts.find("\x37\x01\xfc"s) != std::string::npos);
}

TEST_CASE("a DHCPACK is parsed, option 252 included") {
  SECTION("plain") {
    const auto b = make_ack(77, option(252, "http://10.9.0.1/wpad.dat\0"s));
    auto r = parse_dhcp_reply(b.data(), b.size());
    REQUIRE(r.has_value());
    CHECK(r->xid == 77);
    CHECK(r->type == dhcp_message_type::ack);
    CHECK(r->server_id == "10.9.0.1");
    CHECK(r->options.at(252) == "http://10.9.0.1/wpad.dat\0"s);
  }
  SECTION("split across two instances (RFC 3396)") {
    auto opts = option(252, "http://10.9.0.1");
    const auto second = option(252, "/wpad.dat");
    opts.insert(opts.end(), second.begin(), second.end());
    const auto b = make_ack(1, opts);
    auto r = parse_dhcp_reply(b.data(), b.size());
    REQUIRE(r.has_value());
    CHECK(r->options.at(252) == "http://10.9.0.1/wpad.dat");
  }
  SECTION("overloaded into the file field") {
    auto b = make_ack(1, {52, 1, 1});
    const auto in_file = option(252, "http://x/y.pac");
    std::copy(in_file.begin(), in_file.end(), b.begin() + 108);
    b[108 + in_file.size()] = 255;
    auto r = parse_dhcp_reply(b.data(), b.size());
    REQUIRE(r.has_value());
    CHECK(r->options.at(252) == "http://x/y.pac");
  }
}

TEST_CASE("malformed DHCP replies are rejected with a reason") {
  SECTION("too short") {
    std::vector<std::uint8_t> b(100, 0);
    auto r = parse_dhcp_reply(b.data(), b.size());
    REQUIRE(r.has_error());
    CHECK_THAT(r.error().message, Catch::Contains("shorter"));
  }
  SECTION("a request, not a reply") {
    const auto b = make_ack(1, {}, 1);
    auto r = parse_dhcp_reply(b.data(), b.size());
    REQUIRE(r.has_error());
    CHECK_THAT(r.error().message, Catch::Contains("BOOTREPLY"));
  }
  SECTION("an option running past the end") {
    auto b = make_ack(1, {});
    b.pop_back();
    b.insert(b.end(), {252, 40, 'h', 't'});
    auto r = parse_dhcp_reply(b.data(), b.size());
    REQUIRE(r.has_error());
    CHECK_THAT(r.error().message, Catch::Contains("option 252 runs past"));
  }
  SECTION("no magic cookie") {
    auto b = make_ack(1, {});
    b[236] = 0;
    auto r = parse_dhcp_reply(b.data(), b.size());
    REQUIRE(r.has_error());
    CHECK_THAT(r.error().message, Catch::Contains("cookie"));
  }
}
