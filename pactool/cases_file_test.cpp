#include "pactool/cases_file.hpp"

#include <catch2/catch.hpp>

#include "pactool/url_list.hpp"

using namespace pactool;

TEST_CASE("parse_cases reads cases, hosts and the settings before them") {
  auto r = parse_cases("# a comment\n"
                       "http://a/\tDIRECT\n"
                       "# dns: x.corp=10.0.0.1\n"
                       "# dns: x.corp=10.0.0.2\r\n"
                       "# my-ip: none\n"
                       "# now: 2026-03-02T09:00:00Z\n"
                       "http://b/  PROXY p:1; DIRECT\n"
                       "\n"
                       "http://c/\tPROXY q:2\tc.example\n",
                       "t.cases");
  REQUIRE(r.has_value());
  REQUIRE(r->size() == 3);
  CHECK((*r)[0].url == "http://a/");
  CHECK((*r)[0].expected == "DIRECT");
  CHECK((*r)[0].settings.dns.empty());
  CHECK((*r)[1].line == 7);
  CHECK((*r)[1].expected == "PROXY p:1; DIRECT");
  CHECK((*r)[1].settings.dns == std::vector<std::string>{"x.corp=10.0.0.1", "x.corp=10.0.0.2"});
  CHECK((*r)[1].settings.my_ip == std::vector<std::string>{"none"});
  CHECK((*r)[1].settings.now == "2026-03-02T09:00:00Z");
  CHECK((*r)[2].host == "c.example");
}

TEST_CASE("parse_cases names the file and line of a bad line") {
  using row = std::tuple<std::string, int>;
  auto [text, line] = GENERATE(table<std::string, int>({
      row{"http://a/\tDIRECT\nhttp://b/\n", 2},
      row{"# dns: nonsense\n", 1},
      row{"\n\nnot-a-url\tDIRECT\n", 3},
      row{"# offline: maybe\n", 1},
  }));
  auto r = parse_cases(text, "t.cases");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().where == "t.cases");
  CHECK(r.error().line == line);
}

TEST_CASE("parse_url_list reads plain lists and access logs") {
  auto r = parse_url_list(
      "http://a.example/\n"
      "# comment\n"
      "http://b.example/\tb.example\n"
      "1700000000.123 42 10.0.0.5 TCP_MISS/200 512 GET http://c.example/x - HIER_DIRECT/1.2.3.4 text/html\n"
      "10.0.0.5 - - [01/Mar/2026:10:00:00 +0000] \"GET http://d.example/ HTTP/1.1\" 200 512\n"
      "1700000000.123 42 10.0.0.5 TCP_TUNNEL/200 512 CONNECT e.example:443 - HIER_DIRECT/1.2.3.4 -\n"
      "10.0.0.5 - - [01/Mar/2026:10:00:00 +0000] \"GET /local HTTP/1.1\" 200 512\n",
      "log");
  REQUIRE(r.has_value());
  REQUIRE(r->entries.size() == 5);
  CHECK(r->entries[1].host == "b.example");
  CHECK(r->entries[2].url == "http://c.example/x");
  CHECK(r->entries[3].url == "http://d.example/");
  CHECK(r->entries[4].url == "https://e.example/");
  CHECK(r->skipped == 1);
  auto bad = parse_url_list("http://a/\nwww.example.com\n", "urls");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().line == 2);
}
