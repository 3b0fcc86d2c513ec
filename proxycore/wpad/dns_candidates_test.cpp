#include "proxycore/wpad/dns_candidates.hpp"

#include <catch2/catch.hpp>

#include "proxycore/wpad/public_suffixes.hpp"

using namespace wpadkit;
using namespace wpadkit::wpad;

namespace {

std::string hosts(const candidate_plan& plan) {
  std::string out;
  for (const auto& c : plan.candidates) {
    if (!out.empty()) out += ' ';
    out += c.host;
    if (c.stop_if_soa) out += "[soa?" + *c.stop_if_soa + "]";
    if (c.under_public_suffix) out += "(public)";
  }
  return out;
}

const public_suffixes& psl() {
  static const public_suffixes list = public_suffixes::load().value();
  return list;
}

bool is_public(std::string_view d) { return psl().is_public_suffix(d); }

}  // namespace

TEST_CASE("the public suffix list knows multi-label suffixes and unknown TLDs") {
  CHECK(psl().is_public_suffix("co.uk"));
  CHECK(psl().is_public_suffix("com"));
  CHECK(psl().is_public_suffix("test"));  // the implicit * rule
  CHECK_FALSE(psl().is_public_suffix("example.co.uk"));
  CHECK(psl().registrable_domain("a.b.example.co.uk") == "example.co.uk");
}

TEST_CASE("DNS candidates per client (devolution table)") {
  auto [client, suffix, expected] = GENERATE(table<client_kind, std::string, std::string>({
      {client_kind::windows, "a.b.example.com",
       "wpad.a.b.example.com wpad.b.example.com wpad.example.com"},
      {client_kind::windows, "example.co.uk", "wpad.example.co.uk wpad.co.uk(public)"},
      {client_kind::windows, "corp", "wpad.corp(public)"},
      {client_kind::windows, "A.Example.COM.", "wpad.a.example.com wpad.example.com"},
      {client_kind::standard, "a.b.example.com",
       "wpad.a.b.example.com wpad.b.example.com wpad.example.com"},
      {client_kind::standard, "x.example.co.uk", "wpad.x.example.co.uk wpad.example.co.uk"},
      {client_kind::standard, "example.co.uk", "wpad.example.co.uk"},
      {client_kind::standard, "co.uk", ""},
      {client_kind::standard, "lab.corp.test", "wpad.lab.corp.test wpad.corp.test"},
      {client_kind::kde, "a.b.example.com",
       "wpad.a.b.example.com wpad.b.example.com[soa?b.example.com] "
       "wpad.example.com[soa?example.com]"},
      {client_kind::chrome, "a.b.example.com", "wpad"},
      {client_kind::firefox, "", "wpad"},
      {client_kind::libproxy, "example.co.uk", "wpad"},
      {client_kind::windows, "", ""},
  }));
  CAPTURE(client_name(client), suffix);
  CHECK(hosts(dns_candidates(client, suffix, is_public)) == expected);
}

TEST_CASE("the standard client says why it stopped") {
  const auto plan = dns_candidates(client_kind::standard, "example.co.uk", is_public);
  REQUIRE(plan.notes.size() == 1);
  CHECK_THAT(plan.notes[0], Catch::Contains("wpad.co.uk") && Catch::Contains("public suffix"));
}

TEST_CASE("browsers resolve the single label through the search list") {
  const auto plan = dns_candidates(client_kind::chrome, "corp.test", is_public);
  REQUIRE(plan.candidates.size() == 1);
  CHECK(plan.candidates[0].use_search_list);
  CHECK(plan.candidates[0].url == "http://wpad/wpad.dat");
}

TEST_CASE("client names parse, unknown ones are named in the error") {
  CHECK(parse_client_kind("Windows").value() == client_kind::windows);
  CHECK(parse_client_kind("default").value() == client_kind::standard);
  auto bad = parse_client_kind("netscape");
  REQUIRE(bad.has_error());
  CHECK_THAT(bad.error().message, Catch::Contains("netscape"));
  CHECK_FALSE(client_uses_dhcp(client_kind::kde));
  CHECK(client_uses_dhcp(client_kind::windows));
}
