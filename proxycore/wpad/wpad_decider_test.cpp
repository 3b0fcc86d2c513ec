// The decider with every seam replaced by a table: DHCP lookups, DNS answers, fetch results.
#include "proxycore/wpad/wpad_decider.hpp"

#include <catch2/catch.hpp>
#include <set>

using namespace wpadkit;
using namespace wpadkit::wpad;

namespace {

class fake_dhcp final : public dhcp_source {
 public:
  std::vector<dhcp_lookup> lookups;
  int queries = 0;
  std::vector<dhcp_lookup> query() override {
    ++queries;
    return lookups;
  }
};

dhcp_lookup dhcp_answer(std::optional<std::string> option) {
  dhcp_lookup l;
  l.source = "DHCPINFORM on eth0";
  l.server = "10.0.0.1";
  l.option252 = std::move(option);
  return l;
}

class fake_dns final : public wpad_dns {
 public:
  std::vector<std::string> search{"lab.corp.example"};
  std::map<std::string, std::string> table;  // fully-qualified name → address
  std::set<std::string> soa;
  std::vector<std::string> asked;

  std::vector<std::string> search_domains() override { return search; }
  result<std::vector<dns::address>> resolve_absolute(std::string_view name) override {
    asked.emplace_back(name);
    const auto it = table.find(std::string(name));
    if (it == table.end()) return error(errc::dns_not_found, "NXDOMAIN");
    return std::vector<dns::address>{boost::asio::ip::make_address(it->second)};
  }
  result<search_answer> resolve_in_search_list(std::string_view name) override {
    search_answer out;
    for (const auto& s : search) {
      const std::string fq = std::string(name) + "." + s;
      if (auto a = resolve_absolute(fq)) {
        out.name = fq;
        out.addresses = *a;
        return out;
      }
      out.tried.push_back(fq);
    }
    return error(errc::dns_not_found, "NXDOMAIN");
  }
  result<bool> has_soa(std::string_view name) override {
    asked.push_back("SOA " + std::string(name));
    return soa.count(std::string(name)) > 0;
  }
};

class fake_fetcher final : public pac_fetcher {
 public:
  std::map<std::string, int> status;  // url → HTTP status; missing: connection refused
  std::vector<std::string> fetched;
  result<fetch_result> fetch(const std::string& url) override {
    fetched.push_back(url);
    const auto it = status.find(url);
    if (it == status.end()) return error(errc::http, "connection refused").at(url);
    fetch_result r;
    r.final_url = url;
    r.status = it->second;
    if (r.status == 200) {
      r.body = "function FindProxyForURL(u, h) { return 'DIRECT'; }";
    } else {
      r.findings.push_back({fetch_finding::severity::error, "all", "HTTP status " + std::to_string(r.status)});
    }
    return r;
  }
};

bool no_public_suffix(std::string_view d) { return d == "example" || d == "co.uk" || d == "uk"; }

std::string outcomes(const discovery& d) {
  std::string out;
  for (const auto& s : d.steps) out += (out.empty() ? "" : " ") + s.method + ":" + s.outcome;
  return out;
}

}  // namespace

TEST_CASE("DHCP first: option 252 wins and DNS is not asked") {
  fake_dhcp dhcp;
  dhcp.lookups.push_back(dhcp_answer(std::string("http://10.0.0.1/wpad.dat\0", 25)));
  fake_dns dns;
  dns.table["wpad.lab.corp.example"] = "10.0.0.2";
  fake_fetcher fetcher;
  fetcher.status["http://10.0.0.1/wpad.dat"] = 200;
  wpad_decider decider(&dhcp, dns, fetcher, no_public_suffix);
  const auto d = decider.run({});
  REQUIRE(d.found.size() == 1);
  CHECK(d.found[0].url == "http://10.0.0.1/wpad.dat");
  CHECK(d.found[0].method == discovery_method::dhcp);
  CHECK_THAT(d.found[0].how, Catch::Contains("server 10.0.0.1"));
  CHECK(dns.asked.empty());
  CHECK(outcomes(d) == "dhcp:found fetch:ok");
}

TEST_CASE("DHCP without option 252 falls back to DNS devolution") {
  fake_dhcp dhcp;
  dhcp.lookups.push_back(dhcp_answer(std::nullopt));
  fake_dns dns;
  dns.table["wpad.corp.example"] = "10.0.0.2";
  fake_fetcher fetcher;
  fetcher.status["http://wpad.corp.example/wpad.dat"] = 200;
  wpad_decider decider(&dhcp, dns, fetcher, no_public_suffix);
  decider_options opt;
  opt.client = client_kind::windows;
  const auto d = decider.run(opt);
  REQUIRE(d.found.size() == 1);
  CHECK(d.found[0].method == discovery_method::dns);
  CHECK(d.found[0].url == "http://wpad.corp.example/wpad.dat");
  CHECK(outcomes(d) == "dhcp:none dns:none dns:found fetch:ok");
  CHECK(dns.asked == std::vector<std::string>{"wpad.lab.corp.example", "wpad.corp.example"});
}

TEST_CASE("a malformed option 252 is a warning and discovery goes on") {
  fake_dhcp dhcp;
  dhcp.lookups.push_back(dhcp_answer(std::string("file:///etc/x.pac")));
  fake_dns dns;
  fake_fetcher fetcher;
  wpad_decider decider(&dhcp, dns, fetcher, no_public_suffix);
  const auto d = decider.run({});
  CHECK(d.found.empty());
  CHECK(d.located_unusable);
  REQUIRE_FALSE(d.warnings.empty());
  CHECK_THAT(d.warnings[0], Catch::Contains("malformed") && Catch::Contains("'file'"));
  CHECK(outcomes(d) == "dhcp:rejected dns:none dns:none");
}

TEST_CASE("an unusable answer is rejected and the next candidate tried") {
  fake_dns dns;
  dns.table["wpad.lab.corp.example"] = "10.0.0.3";
  dns.table["wpad.corp.example"] = "10.0.0.2";
  fake_fetcher fetcher;
  fetcher.status["http://wpad.lab.corp.example/wpad.dat"] = 404;
  fetcher.status["http://wpad.corp.example/wpad.dat"] = 200;
  wpad_decider decider(nullptr, dns, fetcher, no_public_suffix);
  const auto d = decider.run({});
  REQUIRE(d.found.size() == 1);
  CHECK(d.found[0].url == "http://wpad.corp.example/wpad.dat");
  CHECK(outcomes(d) == "dhcp:skipped dns:found fetch:rejected dns:found fetch:ok");
}

TEST_CASE("nothing found: every step is reported, nothing located") {
  fake_dhcp dhcp;
  dhcp_lookup timeout;
  timeout.source = "DHCPINFORM on eth0";
  timeout.option252 = error(errc::timeout, "no DHCPACK");
  dhcp.lookups.push_back(timeout);
  fake_dns dns;
  fake_fetcher fetcher;
  wpad_decider decider(&dhcp, dns, fetcher, no_public_suffix);
  const auto d = decider.run({});
  CHECK(d.found.empty());
  CHECK_FALSE(d.located_unusable);
  CHECK(outcomes(d) == "dhcp:error dns:none dns:none");
  CHECK(fetcher.fetched.empty());
}

TEST_CASE("KDE stops at the first parent that owns an SOA record") {
  fake_dns dns;
  dns.search = {"a.lab.corp.example"};
  dns.soa = {"corp.example"};
  dns.table["wpad.corp.example"] = "10.0.0.2";
  fake_fetcher fetcher;
  wpad_decider decider(nullptr, dns, fetcher, no_public_suffix);
  decider_options opt;
  opt.client = client_kind::kde;
  const auto d = decider.run(opt);
  CHECK(d.found.empty());
  CHECK(outcomes(d) == "dhcp:skipped dns:none soa:none dns:none soa:stop");
}

TEST_CASE("the standard client never asks wpad under a public suffix; windows does, with a warning") {
  fake_dns dns;
  dns.search = {"example.co.uk"};
  dns.table["wpad.co.uk"] = "203.0.113.7";
  fake_fetcher fetcher;
  fetcher.status["http://wpad.co.uk/wpad.dat"] = 200;
  wpad_decider decider(nullptr, dns, fetcher, no_public_suffix);
  decider_options opt;
  opt.methods = {discovery_method::dns};
  const auto standard = decider.run(opt);
  CHECK(standard.found.empty());
  CHECK(std::find(dns.asked.begin(), dns.asked.end(), "wpad.co.uk") == dns.asked.end());

  opt.client = client_kind::windows;
  const auto windows = decider.run(opt);
  REQUIRE(windows.found.size() == 1);
  std::string all;
  for (const auto& w : windows.warnings) all += w + "\n";
  CHECK_THAT(all, Catch::Contains("public suffix") && Catch::Contains("outside the organisation") &&
                      Catch::Contains("plain http"));
}

TEST_CASE("try_all reports every success; the browsers walk the search list") {
  fake_dhcp dhcp;
  dhcp.lookups.push_back(dhcp_answer(std::string("http://10.0.0.1/wpad.dat")));
  fake_dns dns;
  dns.search = {"other.example", "corp.example"};
  dns.table["wpad.corp.example"] = "10.0.0.2";
  fake_fetcher fetcher;
  fetcher.status["http://10.0.0.1/wpad.dat"] = 200;
  fetcher.status["http://wpad/wpad.dat"] = 200;
  wpad_decider decider(&dhcp, dns, fetcher, no_public_suffix);
  decider_options opt;
  opt.client = client_kind::chrome;
  opt.try_all = true;
  const auto d = decider.run(opt);
  REQUIRE(d.found.size() == 2);
  CHECK(d.found[1].url == "http://wpad/wpad.dat");
  CHECK_THAT(d.found[1].how, Catch::Contains("wpad.corp.example") && Catch::Contains("wpad.other.example"));
  // A second run (another client) asks DHCP and fetches nothing again.
  decider.run(opt);
  CHECK(dhcp.queries == 1);
  CHECK(fetcher.fetched.size() == 2);
}

TEST_CASE("a checker failure makes the PAC unusable") {
  fake_dns dns;
  dns.table["wpad.corp.example"] = "10.0.0.2";
  fake_fetcher fetcher;
  fetcher.status["http://wpad.corp.example/wpad.dat"] = 200;
  wpad_decider decider(nullptr, dns, fetcher, no_public_suffix,
                       [](const std::string&, const std::string&) -> result<void> {
                         return error(errc::pac_syntax, "unexpected token");
                       });
  const auto d = decider.run({});
  CHECK(d.found.empty());
  CHECK(d.located_unusable);
}

TEST_CASE("methods parse") {
  CHECK(parse_methods("dns").value() == std::vector<discovery_method>{discovery_method::dns});
  CHECK(parse_methods("dhcp,dns").value().size() == 2);
  auto bad = parse_methods("dhcp,mdns");
  REQUIRE(bad.has_error());
  CHECK_THAT(bad.error().message, Catch::Contains("'mdns'"));
}
