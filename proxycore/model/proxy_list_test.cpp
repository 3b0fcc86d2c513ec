// The examples table of proxy_list.hpp, plus the variants its grammar implies.
#include "proxycore/model/proxy_list.hpp"

#include <catch2/catch.hpp>

using wpadkit::parse_proxy_list;
using wpadkit::proxy_server;

TEST_CASE("parse_proxy_list: the header's examples table") {
  auto [input, canonical, warning] = GENERATE(table<std::string, std::string, std::string>({
      {"PROXY p:8080; DIRECT", "PROXY p:8080; DIRECT", ""},
      {"proxy p", "PROXY p:80", ""},
      {"HTTPS [::1]:8443", "HTTPS [::1]:8443", ""},
      {"socks5 s ;; direct", "SOCKS5 s:1080; DIRECT", ""},
      {"BOGUS x; PROXY p:1", "PROXY p:1", "\"BOGUS x\": unknown type"},
      {"", "DIRECT", "empty result"},
  }));
  CAPTURE(input);
  auto list = parse_proxy_list(input);
  CHECK(list.to_pac_string() == canonical);
  if (warning.empty()) {
    CHECK(list.warnings.empty());
  } else {
    REQUIRE(list.warnings.size() == 1);
    CHECK_THAT(list.warnings[0], Catch::Contains(warning));
  }
}

TEST_CASE("parse_proxy_list: types, default ports and canonical hosts") {
  auto [input, canonical] = GENERATE(table<std::string, std::string>({
      {"HTTP h:3128", "PROXY h:3128"},
      {"https h", "HTTPS h:443"},
      {"SOCKS s", "SOCKS s:1080"},  // bare SOCKS is v4
      {"SOCKS4 s:1", "SOCKS s:1"},
      {"Socks5 s:9050", "SOCKS5 s:9050"},
      {"QUIC q", "QUIC q:443"},
      {"PROXY P.Corp.EXAMPLE:8080", "PROXY p.corp.example:8080"},
      {"PROXY [::1]", "PROXY [::1]:80"},
      {"PROXY [0:0::1]:8080", "PROXY [::1]:8080"},
      {"PROXY [2001:DB8::A]:1", "PROXY [2001:db8::a]:1"},
      {"PROXY 10.0.0.1:65535", "PROXY 10.0.0.1:65535"},
      {"  PROXY   p:1  ;  DIRECT  ", "PROXY p:1; DIRECT"},
      {"\tproxy\tp:1;", "PROXY p:1"},
      {"DIRECT; DIRECT", "DIRECT; DIRECT"},
      {"PROXY a:1; PROXY b:2; SOCKS5 c:3; DIRECT", "PROXY a:1; PROXY b:2; SOCKS5 c:3; DIRECT"},
  }));
  CAPTURE(input);
  auto list = parse_proxy_list(input);
  CHECK(list.to_pac_string() == canonical);
  CHECK(list.warnings.empty());
}

TEST_CASE("parse_proxy_list: elements that cannot be used are dropped with a reason") {
  auto [element, reason] = GENERATE(table<std::string, std::string>({
      {"PROXY", "missing host"},
      {"DIRECT x", "DIRECT takes no host"},
      {"PROXY ::1:8080", "IPv6 address without brackets"},
      {"PROXY [::1", "unterminated '['"},
      {"PROXY [zz::1]:80", "invalid IPv6 address"},
      {"PROXY [fe80::1%eth0]:80", "invalid IPv6 address"},
      {"PROXY [::1]x", "unexpected text after ']'"},
      {"PROXY p:", "invalid port"},
      {"PROXY p:abc", "invalid port"},
      {"PROXY p:99999", "port out of range"},
      {"PROXY p:0", "port out of range"},
      {"PROXY a b", "invalid host"},
      {"PROXY p/x:1", "invalid host"},
      {"PROXY :80", "missing host"},
      {"FTP f:21", "unknown type"},
  }));
  CAPTURE(element);
  auto list = parse_proxy_list(element + "; PROXY ok:1");
  CHECK(list.to_pac_string() == "PROXY ok:1");
  REQUIRE(list.warnings.size() == 1);
  CHECK(list.warnings[0] == "\"" + element + "\": " + reason);
}

TEST_CASE("parse_proxy_list: an all-invalid or empty result means DIRECT, with a warning") {
  auto input = GENERATE(as<std::string>{}, "", " ", ";", " ; ;", "BOGUS", "PROXY; SOCKS");
  CAPTURE(input);
  auto list = parse_proxy_list(input);
  REQUIRE(list.servers.size() == 1);
  CHECK(list.servers[0].is_direct());
  REQUIRE_FALSE(list.warnings.empty());
  CHECK_THAT(list.warnings.back(), Catch::Contains("DIRECT"));
}

TEST_CASE("proxy_server: accessors") {
  auto list = parse_proxy_list("HTTPS [::1]:8443; SOCKS5 s; DIRECT");
  REQUIRE(list.servers.size() == 3);
  const auto& https = list.servers[0];
  CHECK(https.type() == proxy_server::scheme::https);
  CHECK(https.host() == "::1");
  CHECK(https.port() == 8443);
  CHECK(https.host_port() == "[::1]:8443");
  CHECK_FALSE(https.is_direct());
  CHECK(list.servers[1].host_port() == "s:1080");
  CHECK(list.servers[2].is_direct());
  CHECK(list.servers[2].host().empty());
  CHECK(list.servers[2].host_port().empty());
  CHECK(list.servers[1] == proxy_server(proxy_server::scheme::socks5, "s", 1080));
  CHECK_FALSE(list.servers[1] == list.servers[0]);
  CHECK(std::string(proxy_server::scheme_name(proxy_server::scheme::http)) == "http");
  CHECK(std::string(proxy_server::scheme_name(proxy_server::scheme::socks4)) == "socks4");
  CHECK(std::string(proxy_server::scheme_name(proxy_server::scheme::quic)) == "quic");
}
