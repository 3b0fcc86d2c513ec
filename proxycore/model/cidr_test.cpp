#include "proxycore/model/cidr.hpp"

#include <catch2/catch.hpp>

using wpadkit::cidr;
using wpadkit::any_contains;
using wpadkit::parse_ip;

TEST_CASE("cidr parses to its canonical form (header table)") {
  auto [in, out] = GENERATE(table<std::string, std::string>({
      {"10.0.0.0/8", "10.0.0.0/8"},
      {"10.1.2.3/8", "10.0.0.0/8"},
      {"192.168.1.7", "192.168.1.7/32"},
      {"fd00::/8", "fd00::/8"},
      {"::1", "::1/128"},
      {"0.0.0.0/0", "0.0.0.0/0"},
      {"[::1]/64", "::/64"},
  }));
  auto c = cidr::parse(in);
  REQUIRE(c.has_value());
  CHECK(c->to_string() == out);
}

TEST_CASE("cidr rejects bad networks with a message naming them") {
  auto in = GENERATE(as<std::string>{}, "10.0.0.0/33", "intranet/8", "10.0.0.0/", "::/129", "");
  auto c = cidr::parse(in);
  REQUIRE_FALSE(c.has_value());
  CHECK(c.error().message.find('"' + in) != std::string::npos);
}

TEST_CASE("cidr matches v4, v6 and v4-mapped clients") {
  auto lab = cidr::parse("127.0.2.0/24").value();
  CHECK(lab.contains(parse_ip("127.0.2.9").value()));
  CHECK_FALSE(lab.contains(parse_ip("127.0.3.9").value()));
  CHECK(lab.contains(parse_ip("::ffff:127.0.2.1").value()));
  CHECK_FALSE(lab.contains(parse_ip("::1").value()));
  auto v6 = cidr::parse("fd00:20::/32").value();
  CHECK(v6.contains(parse_ip("[fd00:20::5]").value()));
  CHECK_FALSE(v6.contains(parse_ip("fd00:21::5").value()));
  CHECK(cidr::parse("10.0.0.0/8").value().v4_mask() == "255.0.0.0");
  CHECK(cidr::parse("0.0.0.0/0").value().v4_mask() == "0.0.0.0");
}

TEST_CASE("cidr mixes families as IPv4-mapped IPv6 (header table)") {
  auto [net, addr, in] = GENERATE(table<std::string, std::string, bool>({
      {"10.0.0.0/8", "10.1.2.3", true},
      {"10.0.0.0/8", "::ffff:10.1.2.3", true},
      {"10.0.0.0/8", "11.0.0.1", false},
      {"10.0.0.0/8", "2001::1", false},
      {"::ffff:0:0/96", "10.1.2.3", true},
      {"::ffff:10.0.0.0/104", "10.1.2.3", true},
      {"::ffff:10.0.0.0/104", "11.1.2.3", false},
      {"::/0", "1.2.3.4", true},
      {"0.0.0.0/0", "2001::1", false},
      {"0.0.0.0/0", "::ffff:1.2.3.4", true},
      {"fd00::/8", "fd12::1", true},
      {"fd00::/8", "fe00::1", false},
  }));
  INFO(net << " contains " << addr);
  CHECK(cidr::parse(net).value().contains(parse_ip(addr).value()) == in);
}

TEST_CASE("cidr::make clears host bits and rejects a prefix longer than the address") {
  CHECK(cidr::make(parse_ip("10.1.2.3").value(), 16).value().to_string() == "10.1.0.0/16");
  CHECK(cidr::make(parse_ip("2001:db8::1").value(), 32).value().to_string() == "2001:db8::/32");
  CHECK_FALSE(cidr::make(parse_ip("10.1.2.3").value(), 33).has_value());
  CHECK_FALSE(cidr::make(parse_ip("::1").value(), 129).has_value());
  CHECK_FALSE(cidr::make(parse_ip("::1").value(), -1).has_value());
}

TEST_CASE("any_contains is true when one network of the list matches") {
  std::vector<cidr> nets{cidr::parse("127.0.0.0/8").value(), cidr::parse("::1").value()};
  CHECK(any_contains(nets, parse_ip("127.9.9.9").value()));
  CHECK(any_contains(nets, parse_ip("::1").value()));
  CHECK_FALSE(any_contains(nets, parse_ip("10.0.0.1").value()));
  CHECK_FALSE(any_contains({}, parse_ip("127.0.0.1").value()));
}
