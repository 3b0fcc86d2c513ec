#include "pacserver/pac_renderer.hpp"

#include <catch2/catch.hpp>

#include "pacserver/test_config_fixture.hpp"

using namespace wpadkit::pacserver;

namespace {

server_config corp() { return test::every_template_config(); }

}  // namespace

TEST_CASE("renderer: every template renders ASCII with the config entries named") {
  const auto c = corp();
  const template_store store;
  for (const auto& v : c.variants) {
    auto pac = render_pac(c, v, store);
    REQUIRE(pac.has_value());
    INFO(*pac);
    CHECK(pac->find("function FindProxyForURL(url, host)") != std::string::npos);
    CHECK(pac->find("{{") == std::string::npos);
    CHECK(pac->find("template \"" + v.template_name + "\"") != std::string::npos);
    if (v.template_name != "sinkhole") {
      CHECK(pac->find("// rulesets.default.direct_domains[0] \".corp.example\"") !=
            std::string::npos);
      CHECK(pac->find("isV4 && isInNet(host, \"10.0.0.0\", \"255.0.0.0\")") != std::string::npos);
      CHECK(pac->find("isV6 && isInNetEx(host, \"fd00::/8\")") != std::string::npos);
      CHECK(pac->find("shExpMatch(host, \"*.local\")") != std::string::npos);
    }
  }
  auto corporate = render_pac(c, *c.find_variant("c"), store);
  CHECK(corporate->find(
            "return \"PROXY p1.corp.example:3128; PROXY p2.corp.example:3128; DIRECT\";") !=
        std::string::npos);
  auto lb = render_pac(c, *c.find_variant("lb"), store);
  CHECK(lb->find("var TAIL = \"DIRECT\";") != std::string::npos);
}

TEST_CASE("renderer: load-balanced without a pool names the variant's line") {
  auto c = corp();
  c.rulesets.at("default").pool.clear();
  auto pac = render_pac(c, *c.find_variant("lb"), template_store());
  REQUIRE_FALSE(pac.has_value());
  CHECK(pac.error().to_string().rfind("corp.toml:20:", 0) == 0);
  CHECK(pac.error().message.find("pool") != std::string::npos);
}

TEST_CASE("renderer: chains and domain tests") {
  const auto c = corp();
  CHECK(chain_result(c, {"p2", "DIRECT"}) == "PROXY p2.corp.example:3128; DIRECT");
  CHECK(chain_result(c, {"bundled"}) == "PROXY 127.0.0.1:3128");
  CHECK(domain_test(".a.example") == "dnsDomainIs(host, \".a.example\") || host == \"a.example\"");
  CHECK(domain_test("a.example") == "host == \"a.example\"");
}
