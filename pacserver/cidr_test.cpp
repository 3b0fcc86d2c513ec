#include "pacserver/cidr.hpp"

#include <catch2/catch.hpp>

using wpadkit::pacserver::cidr;
using wpadkit::pacserver::parse_ip;

TEST_CASE("cidr parses to its canonical form (header table)") {
  auto [in, out] = GENERATE(table<std::string, std::string>({
      {"10.0.0.0/8", "10.0.0.0/8"},
      {"10.1.2.3/8", "10.0.0.0/8"},
      {"192.168.1.7", "192.168.1.7/32"},
      {"fd00::/8", "fd00::/8"},
      {"::1", "::1/128"},
      {"0.0.0.0/0", "0.0.0.0/0"},
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
