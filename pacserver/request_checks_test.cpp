#include "pacserver/request_checks.hpp"

#include <catch2/catch.hpp>

using namespace wpadkit::pacserver;
namespace http = boost::beast::http;

namespace {

http::request_header<> head(std::string target, std::vector<std::pair<std::string, std::string>> f,
                            unsigned version = 11, http::verb method = http::verb::get) {
  http::request_header<> h;
  h.method(method);
  h.target(target);
  h.version(version);
  for (auto& [n, v] : f) h.insert(n, v);
  return h;
}

const head_limits limits{256, 8};

}  // namespace

TEST_CASE("request_checks: the path and host of a good head") {
  auto [target, host_field, path, host] = GENERATE(table<std::string, std::string, std::string, std::string>({
      {"/wpad.dat", "w.example", "/wpad.dat", "w.example"},
      {"/wpad.dat?x=1", "w.example", "/wpad.dat", "w.example"},
      {"/wpad.dat#f", "w.example", "/wpad.dat", "w.example"},
      {"/wpad%2Edat", "w.example", "/wpad.dat", "w.example"},
      {"/a%20b.pac", "w.example", "/a b.pac", "w.example"},
      {"http://wpad.corp/proxy.pac?v=2", "w.example", "/proxy.pac", "wpad.corp"},
      {"HTTP://wpad.corp:8080", "w.example", "/", "wpad.corp:8080"},
      {"http://wpad.corp?q", "w.example", "/", "wpad.corp"},
      {"/wpad.dat", "[::1]:8080", "/wpad.dat", "[::1]:8080"},
  }));
  auto r = check_request_head(head(target, {{"Host", host_field}}), limits);
  REQUIRE(std::holds_alternative<checked_request>(r));
  CHECK(std::get<checked_request>(r).path == path);
  CHECK(std::get<checked_request>(r).host == host);
}

TEST_CASE("request_checks: HTTP/1.0 without Host, OPTIONS *") {
  auto r = check_request_head(head("/wpad.dat", {}, 10), limits);
  REQUIRE(std::holds_alternative<checked_request>(r));
  CHECK(std::get<checked_request>(r).host.empty());
  auto star = check_request_head(head("*", {{"Host", "h"}}, 11, http::verb::options), limits);
  REQUIRE(std::holds_alternative<checked_request>(star));
  CHECK(std::get<checked_request>(star).path == "*");
}

TEST_CASE("request_checks: refusals and their status") {
  using fields = std::vector<std::pair<std::string, std::string>>;
  const std::string long_value(250, 'a');
  fields many{{"Host", "h"}};
  for (int i = 0; i < 8; ++i) many.emplace_back("X-F" + std::to_string(i), "v");
  struct row {
    std::string target;
    fields f;
    unsigned version;
    int status;
    std::string says;
  };
  auto r = GENERATE_COPY(values<row>({
      {"/" + std::string(245, 'x'), {{"Host", "h"}}, 11, 414, "request-line is 261 bytes"},
      {"/wpad.dat", many, 11, 431, "more than 8 header fields"},
      {"/wpad.dat", {{"Host", "h"}, {"Cookie", long_value}}, 11, 431, "Cookie field line is 260"},
      {"/wpad.dat", {}, 11, 400, "without a Host field"},
      {"/wpad.dat", {{"Host", "a"}, {"Host", "b"}}, 11, 400, "more than one Host field"},
      {"/wpad.dat", {{"Host", "a b"}}, 11, 400, "invalid Host"},
      {"/wpad.dat", {{"Host", "h"}, {"Transfer-Encoding", "gzip"}}, 11, 501, "gzip"},
      {"/wpad.dat", {{"Host", "h"}, {"Transfer-Encoding", "chunked, chunked"}}, 11, 400, "chunked"},
      {"/wpad.dat", {{"Host", "h"}, {"Content-Length", "5, 6"}}, 11, 400, "Content-Length"},
      {"/wpad.dat", {{"Transfer-Encoding", "chunked"}}, 10, 400, "HTTP/1.0"},
      {"wpad.dat", {{"Host", "h"}}, 11, 400, "neither a path nor an http URI"},
      {"ftp://h/x", {{"Host", "h"}}, 11, 400, "neither a path nor an http URI"},
      {"http://u@h/x", {{"Host", "h"}}, 11, 400, "authority"},
      {"*", {{"Host", "h"}}, 11, 400, "only allowed with OPTIONS"},
      {"/a%zz", {{"Host", "h"}}, 11, 400, "percent-escape"},
      {"/a%0", {{"Host", "h"}}, 11, 400, "percent-escape"},
      {"/a%00b", {{"Host", "h"}}, 11, 400, "percent-escape"},
  }));
  auto result = check_request_head(head(r.target, r.f, r.version), limits);
  REQUIRE(std::holds_alternative<head_refusal>(result));
  CHECK(std::get<head_refusal>(result).status == r.status);
  CHECK_THAT(std::get<head_refusal>(result).reason, Catch::Matchers::Contains(r.says));
}

TEST_CASE("request_checks: a version Beast refuses is 505 when it is one, else 400") {
  auto [head, status] = GENERATE(table<std::string, int>({
      {"GET /wpad.dat HTTP/2.0\r\nHost: h\r\n\r\n", 505},
      {"GET /wpad.dat HTTP/1.2\r\n", 505},
      {"GET /wpad.dat HTTP/0.9\r\n", 505},
      {"GET /wpad.dat HTTP/2.0", 400},  // not a line (yet)
      {"GET /wpad .dat HTTP/1.1\r\n", 400},
      {"GET /wpad.dat HTTP/1.1\nHost: t\n\nGET / HTTP/1.1\r\n", 400},
      {"GET /wpad.dat HTTP/x\r\n", 400},
      {"GET /wpad.dat HTTP/10.0\r\n", 400},
      {"HELLO\r\n\r\n", 400},
      {"", 400},
  }));
  CHECK(status_for_bad_version(head) == status);
}
