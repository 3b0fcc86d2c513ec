#include "pactool/engine_flags.hpp"

#include <catch2/catch.hpp>

#include "pactool/pac_source.hpp"

using namespace pactool;

TEST_CASE("parse_instant reads ISO-8601 forms") {
  using row = std::tuple<std::string, long long>;
  auto [text, epoch] = GENERATE(table<std::string, long long>({
      row{"2026-03-02T09:30:00Z", 1772443800},
      row{"2026-03-02T09:30Z", 1772443800},
      row{"2026-03-02T11:30:00+02:00", 1772443800},
      row{"2026-03-02T04:30:00-0500", 1772443800},
      row{"2026-03-02T09:30:00.250Z", 1772443800},
  }));
  auto t = parse_instant(text);
  REQUIRE(t.has_value());
  CHECK(std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count() == epoch);
}

TEST_CASE("parse_instant refuses what is not a time") {
  auto text = GENERATE(as<std::string>{}, "yesterday", "2026-02-30", "2026-03-02T25:00Z",
                       "2026-03-02T09:30:00Q", "2026-3-2", "");
  auto t = parse_instant(text);
  REQUIRE_FALSE(t.has_value());
  CHECK(t.error().message.find("--now") != std::string::npos);
}

TEST_CASE("parse_dns_mapping takes NAME=IPv4 or IPv6") {
  auto a = parse_dns_mapping("intranet.corp=10.1.2.3");
  REQUIRE(a.has_value());
  CHECK(a->first == "intranet.corp");
  CHECK(a->second.to_string() == "10.1.2.3");
  auto b = parse_dns_mapping("v6.test=2001:db8::1");
  REQUIRE(b.has_value());
  CHECK(b->second.is_v6());
  for (auto bad : {"x", "=1.2.3.4", "x=", "x=1.2.3", "a b=1.2.3.4"}) {
    CHECK_FALSE(parse_dns_mapping(bad).has_value());
  }
}

TEST_CASE("parse_size and make_engine_setup") {
  CHECK(*parse_size("512") == 512);
  CHECK(*parse_size("2K") == 2048);
  CHECK(*parse_size("3M") == 3u * 1024 * 1024);
  CHECK_FALSE(parse_size("0").has_value());
  CHECK_FALSE(parse_size("12Q").has_value());
  engine_flags f;
  f.dns = {"a=1.1.1.1", "a=2.2.2.2"};
  f.my_ip = {"none"};
  f.timeout_ms = 250;
  f.profile = "winhttp";
  auto s = make_engine_setup(f);
  REQUIRE(s.has_value());
  CHECK(s->settings.dns.size() == 2);
  REQUIRE(s->settings.my_ip.has_value());
  CHECK(s->settings.my_ip->empty());
  CHECK(s->options.call_timeout == std::chrono::milliseconds(250));
  CHECK(s->options.compat == wpadkit::pac::profile::winhttp);
  f.my_ip = {"not-an-ip"};
  CHECK_FALSE(make_engine_setup(f).has_value());
}

TEST_CASE("pac_request_for: the canonical request, with an explicit host kept as written") {
  auto r = pac_request_for("https://user:pw@WWW.Example.com:8443/x?y");
  REQUIRE(r.has_value());
  CHECK(r->url == "https://www.example.com:8443/");
  CHECK(r->host == "www.example.com");
  r = pac_request_for("http://WWW.Example.com/x", "Other.Host");
  REQUIRE(r.has_value());
  CHECK(r->url == "http://www.example.com/x");
  CHECK(r->host == "Other.Host");
  CHECK_FALSE(pac_request_for("notaurl").has_value());
}
