#include "pacserver/variant_selector.hpp"

#include <catch2/catch.hpp>

using namespace wpadkit::pacserver;

namespace {

server_config sample() {
  auto c = parse_config(R"(
[server]
trusted_proxies = ["127.0.0.9/32", "127.0.0.10/32"]
[[variants]]
name = "lab"
template = "sinkhole"
match_clients = ["127.0.2.0/24", "fd00:20::/32"]
[[variants]]
name = "guest"
template = "sinkhole"
match_hosts = ["wpad.guest.example", ".guest2.example"]
[[variants]]
name = "winhttp"
template = "sinkhole"
match_user_agents = ["WinHttp"]
[[variants]]
name = "lab-winhttp"
template = "sinkhole"
match_clients = ["127.0.3.0/24"]
match_user_agents = ["WinHttp"]
[[variants]]
name = "default"
template = "sinkhole"
)",
                        "t.toml", ".");
  return c.value();
}

std::string pick(const server_config& c, request_facts f) {
  auto client = client_address(f, c.trusted_proxies);
  REQUIRE(client.has_value());
  return select_variant(c, *client, f).name;
}

}  // namespace

TEST_CASE("variants: first match wins, by client, Host, User-Agent") {
  const auto c = sample();
  CHECK(pick(c, {"127.0.2.5", "", "", ""}) == "lab");
  CHECK(pick(c, {"fd00:20::7", "", "", ""}) == "lab");
  CHECK(pick(c, {"127.0.0.1", "WPAD.guest.example:8080", "", ""}) == "guest");
  CHECK(pick(c, {"127.0.0.1", "wpad.guest2.example.", "", ""}) == "guest");
  CHECK(pick(c, {"127.0.0.1", "guest2.example", "", ""}) == "default");
  CHECK(pick(c, {"127.0.0.1", "", "WinHttp-Autoproxy-Service/5.1", ""}) == "winhttp");
  // lab is listed first, so a lab client with the WinHttp agent still gets lab.
  CHECK(pick(c, {"127.0.2.5", "", "WinHttp-Autoproxy-Service/5.1", ""}) == "lab");
  CHECK(pick(c, {"127.0.0.1", "", "Mozilla/5.0", ""}) == "default");
}

TEST_CASE("variants: X-Forwarded-For is believed only from trusted proxies") {
  const auto c = sample();
  CHECK(pick(c, {"127.0.0.9", "", "", "127.0.2.7"}) == "lab");
  CHECK(pick(c, {"127.0.0.1", "", "", "127.0.2.7"}) == "default");
  // Entries left of the first untrusted hop could be forged: the right-most untrusted one counts.
  CHECK(pick(c, {"127.0.0.9", "", "", "127.0.2.7, 127.0.0.5, 127.0.0.10"}) == "default");
  CHECK(pick(c, {"127.0.0.9", "", "", "1.2.3.4, 127.0.2.8, 127.0.0.10"}) == "lab");
  auto bad = client_address({"127.0.0.9", "", "", "not-an-ip"}, c.trusted_proxies);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().message.find("X-Forwarded-For") != std::string::npos);
}
