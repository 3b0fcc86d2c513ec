#include "pacserver/publication.hpp"

#include <catch2/catch.hpp>

#include "pacserver/pac_validator.hpp"

using namespace wpadkit::pacserver;

namespace {

std::shared_ptr<const server_config> config(const std::string& expect,
                                            const std::string& extra = "") {
  return std::make_shared<const server_config>(parse_config(R"(
[[proxies]]
name = "main"
address = "proxy1.corp.example:3128"
[rulesets.default]
default = ["main", "DIRECT"]
)" + extra + R"(
[[variants]]
name = "default"
template = "corporate"
[[variants.cases]]
url = "http://www.example.com/"
expect = ")" + expect + "\"\n",
                                                            "p.toml", ".")
                                                   .value());
}

const auto t0 = std::chrono::system_clock::from_time_t(1'700'000'000);

}  // namespace

TEST_CASE("publication: a valid config publishes hashed, gzipped, dated PACs") {
  auto out = build_publication(config("PROXY proxy1.corp.example:3128; DIRECT"), nullptr, t0);
  REQUIRE(out.errors.empty());
  const auto& p = out.pub->variants.at("default");
  CHECK(p.etag == "\"" + p.hash + "\"");
  CHECK(p.etag_gzip == "\"" + p.hash + "-gz\"");
  CHECK(p.last_modified == t0);
  CHECK(p.last_modified_http == "Tue, 14 Nov 2023 22:13:20 GMT");
  CHECK(out.pub->generation == 1);
}

TEST_CASE("publication: unchanged content keeps Last-Modified across a reload") {
  auto first = build_publication(config("PROXY proxy1.corp.example:3128; DIRECT"), nullptr, t0);
  auto second = build_publication(config("PROXY proxy1.corp.example:3128; DIRECT"), first.pub.get(),
                                  t0 + std::chrono::hours(1));
  REQUIRE(second.pub);
  CHECK(second.pub->generation == 2);
  CHECK(second.pub->variants.at("default").last_modified == t0);
}

TEST_CASE("publication: a failing golden case is refused, naming its line and both answers") {
  auto out = build_publication(config("DIRECT"), nullptr, t0);
  CHECK_FALSE(out.pub);
  REQUIRE(out.errors.size() == 1);
  const auto msg = out.errors[0].to_string();
  CHECK(msg.rfind("p.toml:11: variants.default.cases[0]: ", 0) == 0);
  CHECK(msg.find("returns \"PROXY proxy1.corp.example:3128; DIRECT\", expected \"DIRECT\"") !=
        std::string::npos);
}

TEST_CASE("publication: a PAC over limits.max_pac_bytes is refused") {
  auto out = build_publication(
      config("PROXY proxy1.corp.example:3128; DIRECT", "[limits]\nmax_pac_bytes = 100\n"), nullptr,
      t0);
  CHECK_FALSE(out.pub);
  REQUIRE_FALSE(out.errors.empty());
  CHECK(out.errors[0].message.find("over limits.max_pac_bytes") != std::string::npos);
}

TEST_CASE("validator: result grammar") {
  CHECK(well_formed_result("PROXY a:1; DIRECT"));
  CHECK(well_formed_result("SOCKS5 [::1]:1080"));
  CHECK_FALSE(well_formed_result(""));
  CHECK_FALSE(well_formed_result("PROXY a"));
  CHECK_FALSE(well_formed_result("BOGUS a:1"));
}
