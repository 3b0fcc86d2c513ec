#include "pacserver/config.hpp"

#include <catch2/catch.hpp>

using namespace wpadkit::pacserver;

namespace {

const char* good = R"(
[server]
listen = ["127.0.0.1:0", "[::1]:8080"]
trusted_proxies = ["127.0.0.9/32"]

[[proxies]]
name = "main"
address = "proxy1.corp.example:3128"

[[proxies]]
name = "socks"
address = "socks.corp.example:1080"
type = "socks5"

[rulesets.corp]
direct_domains = [".Corp.Example", "intranet"]
direct_networks = ["10.0.0.0/8", "fd00::/8"]
default = ["main", "DIRECT"]

[[rulesets.corp.routes]]
domains = [".partner.example"]
via = ["socks"]

[[variants]]
name = "lab"
template = "corporate"
ruleset = "corp"
match_clients = ["127.0.2.0/24"]

[[variants]]
name = "everyone"
template = "corporate"
ruleset = "corp"

[[variants.cases]]
url = "http://www.example.com/"
expect = "PROXY proxy1.corp.example:3128; DIRECT"
)";

wpadkit::result<server_config> parse(const std::string& text) {
  return parse_config(text, "test.toml", ".");
}

}  // namespace

TEST_CASE("config: a complete file parses with its places") {
  auto c = parse(good);
  REQUIRE(c.has_value());
  CHECK(c->listen.size() == 2);
  CHECK(c->listen[1].host == "::1");
  CHECK(c->listen[1].to_string() == "[::1]:8080");
  CHECK(c->find_proxy("socks")->pac() == "SOCKS5 socks.corp.example:1080");
  const auto& rs = c->rulesets.at("corp");
  CHECK(rs.direct_domains[0] == ".corp.example");
  CHECK(rs.routes.at(0).via == std::vector<std::string>{"socks"});
  CHECK(c->default_variant == "everyone");
  REQUIRE(c->variants.at(1).cases.size() == 1);
  CHECK(c->variants.at(1).cases[0].source.place() == "test.toml:35");
  CHECK(c->variants.at(0).source.line == 24);
}

TEST_CASE("config: every mistake names file:line and the entry") {
  using row = std::tuple<std::string, std::string, std::string>;
  auto [text, place, words] = GENERATE(table<std::string, std::string, std::string>({
      row{"[server]\nlisten = [\"nowhere\"]\n", "test.toml:2", "server.listen[0]"},
      row{"[server]\nlistn = []\n", "test.toml:2", "unknown key \"server.listn\""},
      row{"[[proxies]]\nname = \"a\"\naddress = \"p\"\n", "test.toml:3", "is not host:port"},
      row{"[rulesets.x]\ndefault = [\"nope\"]\n", "test.toml:2", "\"nope\" is not a proxy"},
      row{"[rulesets.x]\ndirect_networks = [\"10.0.0.0/40\"]\n", "test.toml:2",
          "prefix out of range"},
      row{"[[variants]]\nname = \"v\"\ntemplate = \"fancy\"\n", "test.toml:3", "unknown template"},
      row{"[[variants]]\nname = \"v\"\ntemplate = \"sinkhole\"\nruleset = \"x\"\n", "test.toml:4",
          "no [rulesets.x]"},
      row{"[[variants]]\nname = \"v\"\ntemplate = \"sinkhole\"\nmatch_hosts = [\"a\"]\n",
          "test.toml:1", "no variant matches every client"},
      row{"[server\n", "test.toml:1", ""},
  }));
  auto c = parse(text);
  REQUIRE_FALSE(c.has_value());
  const auto msg = c.error().to_string();
  INFO(msg);
  CHECK(msg.rfind(place + ":", 0) == 0);
  CHECK(msg.find(words) != std::string::npos);
}

TEST_CASE("config: listen addresses (v4, v6, port 0) parse, bad ones do not") {
  CHECK(parse_listen_address("0.0.0.0:80")->port == 80);
  CHECK(parse_listen_address("[::]:8080")->host == "::");
  CHECK(parse_listen_address("127.0.0.1:0")->port == 0);
  CHECK_FALSE(parse_listen_address("::1:80").has_value());
  CHECK_FALSE(parse_listen_address("host:99999").has_value());
  CHECK_FALSE(parse_listen_address(":80").has_value());
}

TEST_CASE("config: a missing file is an io error naming it") {
  auto c = load_config("/nonexistent/pacserver.toml");
  REQUIRE_FALSE(c.has_value());
  CHECK(c.error().is(wpadkit::errc::io));
  CHECK(c.error().where == "/nonexistent/pacserver.toml");
}

TEST_CASE("config: [proxy] takes the keys pactool proxy --config takes") {
  auto c = parse(R"([proxy]
listen = "127.0.0.1:0"
via = "lan-gw"
allowed_clients = ["192.168.1.0/24"]
connect_ports = [443, 8443]
upstream_timeout_ms = 2000
access_log = "proxy-access.log"

[[variants]]
name = "all"
template = "bundled-proxy"
)");
  REQUIRE(c.has_value());
  CHECK(c->proxy.enabled);
  CHECK(c->proxy.listen.to_string() == "127.0.0.1:0");
  const auto& pc = c->proxy.settings.config;
  CHECK(pc.via_name == "lan-gw");
  REQUIRE(pc.allowed_clients.size() == 1);
  CHECK(pc.allowed_clients[0].prefix() == 24);
  CHECK(pc.connect_ports == std::vector<std::uint16_t>{443, 8443});
  CHECK(pc.upstream_timeout == std::chrono::milliseconds(2000));
  CHECK(c->proxy.settings.access_log == "./proxy-access.log");
}

TEST_CASE("config: a relative server.access_log is taken from the config file's folder") {
  using row = std::tuple<std::string, std::string>;
  auto [given, resolved] = GENERATE(table<std::string, std::string>({
      row{"pacserver-access.log", "/etc/wpadkit/pacserver-access.log"},
      row{"logs/access.log", "/etc/wpadkit/logs/access.log"},
      row{"/var/log/wpadkit/access.log", "/var/log/wpadkit/access.log"},
      row{"-", "-"},
      row{"off", "off"},
  }));
  auto c = parse_config("[server]\naccess_log = \"" + given +
                            "\"\n[proxy]\naccess_log = \"proxy.log\"\n"
                            "[[variants]]\nname = \"all\"\ntemplate = \"bundled-proxy\"\n",
                        "/etc/wpadkit/pacserver.toml", "/etc/wpadkit");
  REQUIRE(c.has_value());
  CHECK(c->access_log == resolved);
  // The same rule as the bundled proxy's log.
  CHECK(c->proxy.settings.access_log == "/etc/wpadkit/proxy.log");
}

TEST_CASE("config: [proxy] mistakes name file:line and the key; PAC source keys are not pacserver's") {
  using row = std::tuple<std::string, std::string, std::string>;
  auto [text, place, words] = GENERATE(table<std::string, std::string, std::string>({
      row{"[proxy]\nvia = \"a b\"\n", "test.toml:2", "proxy.via"},
      row{"[proxy]\nenabled = 1\n", "test.toml:2", "proxy.enabled: expected true or false"},
      row{"[proxy]\n\nconnect_timeout_ms = 0\n", "test.toml:3", "proxy.connect_timeout_ms"},
      row{"[proxy]\npac = \"auto\"\n", "test.toml:2", "unknown key \"proxy.pac\""},
      row{"[pac]\nsource = \"auto\"\n", "test.toml:1", "unknown key \"pac\""},
  }));
  auto c = parse(text);
  REQUIRE_FALSE(c.has_value());
  const auto msg = c.error().to_string();
  INFO(msg);
  CHECK(msg.rfind(place + ":", 0) == 0);
  CHECK(msg.find(words) != std::string::npos);
}

TEST_CASE("config: [limits] bounds the request head and the connections") {
  auto d = parse(std::string(good));
  REQUIRE(d.has_value());
  CHECK(d->limits.max_head_bytes == 8192);
  CHECK(d->limits.max_header_fields == 64);
  CHECK(d->limits.max_line_bytes == 4096);
  CHECK(d->limits.max_connections == 512);
  auto c = parse(std::string(good) + R"(
[limits]
max_head_bytes = 4096
max_header_fields = 20
max_line_bytes = 1024
max_connections = 10
)");
  REQUIRE(c.has_value());
  CHECK(c->limits.max_head_bytes == 4096);
  CHECK(c->limits.max_header_fields == 20);
  CHECK(c->limits.max_line_bytes == 1024);
  CHECK(c->limits.max_connections == 10);
  auto bad = parse(std::string(good) + "\n[limits]\nmax_connections = 0\n");
  REQUIRE(bad.has_error());
  CHECK_THAT(bad.error().to_string(), Catch::Matchers::Contains("limits.max_connections"));
  CHECK_THAT(bad.error().to_string(), Catch::Matchers::Contains("test.toml:"));
}
