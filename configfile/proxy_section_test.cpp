#include "configfile/proxy_section.hpp"

#include <catch2/catch.hpp>

using namespace wpadkit;
using namespace wpadkit::configfile;
using namespace std::chrono_literals;

namespace {

// Reads `text`'s [proxy] table the way both programs do; `own` are the caller's extra keys.
result<proxy_section> read(const std::string& text, std::vector<std::string_view> own = {}) {
  WPADKIT_TRY(root, parse_toml(text, "p.toml"));
  const toml_reader r("p.toml");
  proxy_section out;
  const auto* t = root.get_as<toml::table>("proxy");
  REQUIRE(t);
  if (auto ok = read_proxy_section(r, *t, "proxy", "/etc/wpadkit", out, own); !ok)
    return ok.error();
  return out;
}

}  // namespace

TEST_CASE("proxy_section: every key lands in the proxy config") {
  auto s = read(R"([proxy]
listen = "0.0.0.0:8888"
admin = "[::1]:9090"
allowed_clients = ["10.0.0.0/8", "::1"]
via = "gw1"
trace = true
connect_ports = [443, 8443]
threads = 3
header_limit = 2048
body_limit = 1048576
relay_buffer = 65536
head_timeout_ms = 1500
idle_timeout_ms = 2500
connect_timeout_ms = 700
upstream_timeout_ms = 9000
response_head_timeout_ms = 2000
tunnel_idle_timeout_ms = 120000
shutdown_grace_ms = 3000
bad_proxy_retry_ms = 0
pool_max_idle_per_hop = 4
pool_idle_timeout_ms = 4000
access_log = "logs/access.log"
log_format = "json"
)");
  REQUIRE(s.has_value());
  const auto& c = s->config;
  CHECK(c.listen_address.to_string() == "0.0.0.0");
  CHECK(c.listen_port == 8888);
  CHECK(c.admin_enabled);
  CHECK(c.admin_address.to_string() == "::1");
  CHECK(c.admin_port == 9090);
  REQUIRE(c.allowed_clients.size() == 2);
  CHECK(c.allowed_clients[0].prefix() == 8);
  CHECK(c.allowed_clients[1].prefix() == 128);
  CHECK(c.via_name == "gw1");
  CHECK(c.trace_enabled);
  CHECK(c.connect_ports == std::vector<std::uint16_t>{443, 8443});
  CHECK(c.threads == 3);
  CHECK(c.header_limit == 2048);
  CHECK(c.body_limit == 1048576);
  CHECK(c.relay_buffer == 65536);
  CHECK(c.client_head_timeout == 1500ms);
  CHECK(c.client_idle_timeout == 2500ms);
  CHECK(c.connect_timeout == 700ms);
  CHECK(c.upstream_timeout == 9000ms);
  CHECK(c.response_head_timeout == 2000ms);
  CHECK(c.tunnel_idle_timeout == 120000ms);
  CHECK(c.shutdown_grace == 3000ms);
  CHECK(c.bad_proxy_retry == 0ms);
  CHECK(c.pool_max_idle_per_hop == 4);
  CHECK(c.pool_idle_timeout == 4000ms);
  CHECK(s->access_log == "/etc/wpadkit/logs/access.log");
  CHECK(s->log_format == forward::log_format::json);
}

TEST_CASE("proxy_section: absent keys keep the defaults; \"any\" opens every CONNECT port") {
  auto s = read(
      "[proxy]\nconnect_ports = \"any\"\naccess_log = \"-\"\nhttps_proxy_ca_file = "
      "\"/etc/hostname\"\n");
  REQUIRE(s.has_value());
  const forward::proxy_config defaults;
  CHECK(s->config.listen_port == defaults.listen_port);
  CHECK(s->config.connect_timeout == defaults.connect_timeout);
  CHECK(s->config.connect_ports.empty());
  CHECK(s->access_log == "-");
  CHECK(s->config.https_proxy_ca_file == "/etc/hostname");
}

TEST_CASE("proxy_section: every mistake names file:line and the key") {
  using row = std::tuple<std::string, std::string, std::string>;
  auto [text, place, words] = GENERATE(table<std::string, std::string, std::string>({
      row{"[proxy]\nlisten = \"nowhere:80\"\n", "p.toml:2", "proxy.listen: \"nowhere:80\""},
      row{"[proxy]\nlisten = \"127.0.0.1:70000\"\n", "p.toml:2", "proxy.listen"},
      row{"[proxy]\n\nadmin = 9090\n", "p.toml:3", "proxy.admin: expected a string"},
      row{"[proxy]\nlistn = \"127.0.0.1:1\"\n", "p.toml:2", "unknown key \"proxy.listn\""},
      row{"[proxy]\nallowed_clients = [\"10.0.0.0/8\", \"10.0.0.0/99\"]\n", "p.toml:2",
          "proxy.allowed_clients[1]"},
      row{"[proxy]\nallowed_clients = []\n", "p.toml:2",
          "proxy.allowed_clients: needs at least one"},
      row{"[proxy]\nvia = \"two words\"\n", "p.toml:2",
          "proxy.via: \"two words\" must be one token"},
      row{"[proxy]\ntrace = \"yes\"\n", "p.toml:2", "proxy.trace: expected true or false"},
      row{"[proxy]\nconnect_ports = [443, 0]\n", "p.toml:2",
          "proxy.connect_ports[1]: must be between 1"},
      row{"[proxy]\nconnect_ports = \"all\"\n", "p.toml:2",
          "proxy.connect_ports: \"all\" is not one of any"},
      row{"[proxy]\nthreads = -1\n", "p.toml:2", "proxy.threads: must be between 0 and 256"},
      row{"[proxy]\nheader_limit = 10\n", "p.toml:2",
          "proxy.header_limit: 10 is out of range: must be between 1 KiB and 1 MiB"},
      row{"[proxy]\nbody_limit = -1\n", "p.toml:2",
          "proxy.body_limit: -1 is out of range: must be between 0 bytes and 1 PiB"},
      row{"[proxy]\nbody_limit = \"64M\"\n", "p.toml:2", "proxy.body_limit: expected an integer"},
      row{"[proxy]\n\nrelay_buffer = 100\n", "p.toml:3",
          "proxy.relay_buffer: 100 is out of range: must be between 512 bytes and 16 MiB"},
      row{"[proxy]\nrelay_buffer = 16777217\n", "p.toml:2", "proxy.relay_buffer: 16777217 is out"},
      row{"[proxy]\nconnect_timeout_ms = 0\n", "p.toml:2",
          "proxy.connect_timeout_ms: must be between 1"},
      row{"[proxy]\nupstream_timeout_ms = 1.5\n", "p.toml:2",
          "proxy.upstream_timeout_ms: expected an integer"},
      row{"[proxy]\nlog_format = \"xml\"\n", "p.toml:2",
          "proxy.log_format: \"xml\" is not one of text, json"},
      row{"[proxy]\naccess_log = \"\"\n", "p.toml:2", "proxy.access_log: must not be empty"},
      row{"[proxy]\nhttps_proxy_ca_file = \"/nonexistent/ca.pem\"\n", "p.toml:2",
          "proxy.https_proxy_ca_file: \"/nonexistent/ca.pem\" is not a readable file"},
  }));
  auto s = read(text);
  REQUIRE_FALSE(s.has_value());
  const auto msg = s.error().to_string();
  INFO(msg);
  CHECK(s.error().is(errc::config));
  CHECK(msg.rfind(place + ":", 0) == 0);
  CHECK(msg.find(words) != std::string::npos);
}

TEST_CASE("proxy_section: body_limit 0 refuses every body; the bounds themselves are accepted") {
  auto s = read("[proxy]\nbody_limit = 0\nrelay_buffer = 512\n");
  REQUIRE(s.has_value());
  CHECK(s->config.body_limit == 0);
  CHECK(s->config.relay_buffer == 512);
  CHECK(forward::validate_config(s->config).has_value());
  s = read("[proxy]\nbody_limit = 1125899906842624\nrelay_buffer = 16777216\n");
  REQUIRE(s.has_value());
  CHECK(s->config.body_limit == (std::uint64_t{1} << 50));
  CHECK(s->config.relay_buffer == 16u * 1024 * 1024);
}

TEST_CASE("proxy_section: a caller's own keys pass, others are still refused") {
  CHECK(read("[proxy]\nenabled = true\n", {"enabled"}).has_value());
  auto s = read("[proxy]\nenabled = true\n");
  REQUIRE_FALSE(s.has_value());
  CHECK(s.error().message.find("unknown key \"proxy.enabled\"") != std::string::npos);
}

TEST_CASE("proxy_section: a TOML syntax error is a parse error at file:line:column") {
  auto t = parse_toml("[proxy\nlisten = 1\n", "p.toml");
  REQUIRE_FALSE(t.has_value());
  CHECK(t.error().is(errc::parse));
  CHECK(t.error().to_string().rfind("p.toml:1:", 0) == 0);
}

TEST_CASE("parse_endpoint: forms with and without a port") {
  using row = std::tuple<std::string, std::string, unsigned>;
  auto [text, address, port] = GENERATE(table<std::string, std::string, unsigned>({
      row{"127.0.0.1:3129", "127.0.0.1", 3129},
      row{"127.0.0.1", "127.0.0.1", 3128},
      row{"[::1]:0", "::1", 0},
      row{"[::1]", "::1", 3128},
      row{"::", "::", 3128},
  }));
  auto e = parse_endpoint(text, 3128);
  REQUIRE(e.has_value());
  CHECK(e->first.to_string() == address);
  CHECK(e->second == port);
  for (const char* bad : {"host:80", "127.0.0.1:", "127.0.0.1:x", "[::1", "[::1]x", ""}) {
    INFO(bad);
    CHECK_FALSE(parse_endpoint(bad, 3128).has_value());
  }
}
