#include "pactool/lint_rules.hpp"

#include <catch2/catch.hpp>

#include "pactool/cases_file.hpp"

using namespace pactool;

namespace {

std::vector<std::string> rules_of(const std::string& src) {
  std::vector<std::string> out;
  for (const auto& f : lint_static(src)) out.push_back(f.rule);
  return out;
}

}  // namespace

TEST_CASE("every lint rule has a fix and a reason") {
  for (const auto& r : lint_rule_table()) {
    CHECK_FALSE(r.fix.empty());
    CHECK_FALSE(r.why.empty());
  }
}

TEST_CASE("lint_static finds each pitfall, and not in strings or comments") {
  using row = std::tuple<std::string, std::vector<std::string>>;
  auto [src, expected] = GENERATE(table<std::string, std::vector<std::string>>({
      row{"if (shExpMatch(host, \"(a|b).example\")) x();", {"shexp-regex"}},
      row{"if (shExpMatch(host, \"*.example.?om\")) x();", {}},
      row{"dnsDomainIs(host, \"example.com\")", {"domain-no-dot"}},
      row{"dnsDomainIs(host, \".example.com\")", {}},
      row{"timeRange(8, 0, 17)", {"timerange-args"}},
      row{"timeRange(8, 17, \"GMT\")", {}},
      row{"timeRange(8, 0, 17, 30, \"GMT\")", {}},
      row{"myIpAddress()", {"my-ip-address"}},
      row{"return \"SOCKS s:1080\";", {"nonportable-token"}},
      row{"return \"SOCKS5 s:1080; DIRECT\";", {}},
      row{"return \"PROXXY a:1\";", {"bad-result"}},
      row{"return \"PROXY \" + p;", {}},
      row{"// myIpAddress() and dnsDomainIs(host, \"x\")\nvar s = 'timeRange(1,2,3)';", {}},
      row{"function FindProxyForURL(url, host) { if (isInNet(host, \"10.0.0.0\", \"255.0.0.0\")) "
          "return \"DIRECT\"; if (shExpMatch(host, \"*.a\")) return \"DIRECT\"; }",
          {"dns-before-string"}},
      row{"function FindProxyForURL(url, host) { var a = dnsResolve(host); var b = isResolvable(host); }",
          {"repeated-dns"}},
      row{"function FindProxyForURL(url, host) { var ip = dnsResolve(host); "
          "return isInNet(ip, \"10.0.0.0\", \"255.0.0.0\") || isInNet(ip, \"1.0.0.0\", \"255.0.0.0\"); }",
          {}},
      row{"var s = \"caf\xC3\xA9\";", {"non-ascii"}},
  }));
  CHECK(rules_of(src) == expected);
}

TEST_CASE("lint findings carry line and column") {
  auto f = lint_static("function FindProxyForURL(url, host) {\n  return dnsDomainIs(host, \"corp\");\n}\n");
  REQUIRE(f.size() == 1);
  CHECK(f[0].rule == "domain-no-dot");
  CHECK(f[0].line == 2);
  CHECK(f[0].column == 28);
  CHECK(f[0].severity == lint_severity::warning);
}

TEST_CASE("lint_static checks the size limits") {
  std::string big(300 * 1024, ' ');
  CHECK(rules_of(big) == std::vector<std::string>{"hosted-size"});
  std::string huge(1024 * 1024 + 1, ' ');
  CHECK(rules_of(huge) == std::vector<std::string>{"too-large"});
}

TEST_CASE("result_matches: exact, canonical, or the first hop") {
  using row = std::tuple<std::string, std::string, bool>;
  auto [expected, got, match] = GENERATE(table<std::string, std::string, bool>({
      row{"DIRECT", "DIRECT", true},
      row{"PROXY p:8080", "PROXY p:8080; DIRECT", true},
      row{"proxy p", "PROXY p:80", true},
      row{"PROXY p:8080; DIRECT", "PROXY p:8080", false},
      row{"PROXY q:8080", "PROXY p:8080; PROXY q:8080", false},
      row{"DIRECT", "PROXY p:1", false},
      row{"PROXY p:1; DIRECT", "proxy p:1 ; direct", true},
  }));
  CHECK(result_matches(expected, got) == match);
}
