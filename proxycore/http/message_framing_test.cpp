#include "proxycore/http/message_framing.hpp"

#include <catch2/catch.hpp>
#include <vector>

using namespace wpadkit;
using namespace wpadkit::http1;

namespace {

using lines = std::vector<std::pair<std::string, std::string>>;

framing_fields fields_of(const lines& ls) {
  framing_fields f;
  for (const auto& [n, v] : ls) f.add(n, v);
  return f;
}

std::string show(const lines& ls) {
  std::string out;
  for (const auto& [n, v] : ls) out += n + ": " + v + " | ";
  return out;
}

}  // namespace

TEST_CASE("request framing: what is accepted, and whether it must be re-framed") {
  using row = std::tuple<lines, unsigned, body_kind, std::uint64_t, bool>;
  // fields, version → body, length, canonical
  auto [ls, version, body, length,
        canonical] = GENERATE(table<lines, unsigned, body_kind, std::uint64_t, bool>({
      row{{}, 11, body_kind::none, 0, true},
      row{{{"Host", "a"}, {"X-Other", "chunked"}}, 11, body_kind::none, 0, true},
      row{{{"Transfer-Encoding", "chunked"}}, 11, body_kind::chunked, 0, true},
      row{{{"transfer-encoding", "chunked"}}, 11, body_kind::chunked, 0, true},
      row{{{"Transfer-Encoding", "Chunked"}}, 11, body_kind::chunked, 0, false},
      row{{{"Content-Length", "5"}}, 11, body_kind::length, 5, true},
      row{{{"CONTENT-LENGTH", "0"}}, 10, body_kind::length, 0, true},
      row{{{"Content-Length", "5, 5"}}, 11, body_kind::length, 5, false},
      row{{{"Content-Length", "5,5"}}, 11, body_kind::length, 5, false},
      row{{{"Content-Length", "5"}, {"Content-Length", "5"}}, 11, body_kind::length, 5, false},
      row{{{"Content-Length", "005"}}, 11, body_kind::length, 5, false},
      row{{{"Content-Length", "18446744073709551615"}}, 11, body_kind::length, UINT64_MAX, true},
  }));
  INFO(show(ls));
  auto r = fields_of(ls).request(version);
  REQUIRE(r.has_value());
  CHECK(r->body == body);
  CHECK(r->declared == body);
  CHECK(r->length == length);
  CHECK(r->canonical == canonical);
}

TEST_CASE("request framing: refusals name the problem; unknown codings are 501's, the rest 400's") {
  using row = std::tuple<lines, unsigned, errc, std::string>;
  auto [ls, version, code, words] = GENERATE(table<lines, unsigned, errc, std::string>({
      // Content-Length variants
      row{{{"Content-Length", "5, 6"}}, 11, errc::parse, "differing values (5 and 6)"},
      row{{{"Content-Length", "5"}, {"Content-Length", "6"}}, 11, errc::parse, "differing values"},
      row{{{"Content-Length", "5"}, {"Content-Length", "5, 7"}},
          11,
          errc::parse,
          "differing values"},
      row{{{"Content-Length", "+5"}}, 11, errc::parse, "'+5' is not a decimal length"},
      row{{{"Content-Length", "-1"}}, 11, errc::parse, "not a decimal length"},
      row{{{"Content-Length", "5a"}}, 11, errc::parse, "not a decimal length"},
      row{{{"Content-Length", "0x5"}}, 11, errc::parse, "not a decimal length"},
      row{{{"Content-Length", "5 5"}}, 11, errc::parse, "not a decimal length"},
      row{{{"Content-Length", ""}}, 11, errc::parse, "not a decimal length"},
      row{{{"Content-Length", "5,"}}, 11, errc::parse, "not a decimal length"},
      row{{{"Content-Length", ",5"}}, 11, errc::parse, "not a decimal length"},
      row{{{"Content-Length", "5.0"}}, 11, errc::parse, "not a decimal length"},
      row{{{"Content-Length", "18446744073709551616"}}, 11, errc::parse, "too large"},
      row{{{"Content-Length", "99999999999999999999"}}, 11, errc::parse, "too large"},
      // transfer-coding obfuscations
      row{{{"Transfer-Encoding", "chunked, chunked"}}, 11, errc::parse, "chunked more than once"},
      row{{{"Transfer-Encoding", "chunked,chunked"}}, 11, errc::parse, "chunked more than once"},
      row{{{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}},
          11,
          errc::parse,
          "chunked more than once"},
      row{{{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "CHUNKED"}},
          11,
          errc::parse,
          "chunked more than once"},
      row{{{"Transfer-Encoding", "gzip"}}, 11, errc::unsupported, "'gzip' is not implemented"},
      row{{{"Transfer-Encoding", "xchunked"}}, 11, errc::unsupported, "'xchunked'"},
      row{{{"Transfer-Encoding", "chunkedx"}}, 11, errc::unsupported, "'chunkedx'"},
      row{{{"Transfer-Encoding", "identity"}}, 11, errc::unsupported, "'identity'"},
      row{{{"Transfer-Encoding", "chunked, identity"}}, 11, errc::unsupported, "'identity'"},
      row{{{"Transfer-Encoding", "gzip, chunked"}}, 11, errc::unsupported, "'gzip'"},
      row{{{"Transfer-Encoding", "gzip"}, {"Transfer-Encoding", "chunked"}},
          11,
          errc::unsupported,
          "'gzip'"},
      row{{{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "gzip"}},
          11,
          errc::unsupported,
          "'gzip'"},
      row{{{"Transfer-Encoding", ", chunked"}}, 11, errc::parse, "empty or malformed element"},
      row{{{"Transfer-Encoding", "chunked,"}}, 11, errc::parse, "empty or malformed element"},
      row{{{"Transfer-Encoding", "chunked;q=1"}}, 11, errc::parse, "empty or malformed element"},
      row{{{"Transfer-Encoding", "\"chunked\""}}, 11, errc::parse, "empty or malformed element"},
      row{{{"Transfer-Encoding", "chun ked"}}, 11, errc::parse, "empty or malformed element"},
      row{{{"Transfer-Encoding", ""}}, 11, errc::parse, "empty or malformed element"},
      row{{{"Transfer-Encoding", "chunked"}}, 10, errc::parse, "HTTP/1.0 request"},
      row{{{"Transfer-Encoding", "gzip"}}, 10, errc::parse, "HTTP/1.0"},
      // both
      row{{{"Transfer-Encoding", "chunked"}, {"Content-Length", "5"}},
          11,
          errc::parse,
          "both Transfer-Encoding and Content-Length"},
      row{{{"Content-Length", "5"}, {"Transfer-Encoding", "chunked"}}, 11, errc::parse, "both"},
      row{{{"Transfer-Encoding", "chunked, chunked"}, {"Content-Length", "5"}},
          11,
          errc::parse,
          "both"},
      row{{{"Transfer-Encoding", "gzip"}, {"Content-Length", "5"}}, 11, errc::parse, "both"},
  }));
  INFO(show(ls));
  auto r = fields_of(ls).request(version);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().is(code));
  CHECK_THAT(r.error().message, Catch::Contains(words));
}

TEST_CASE("response framing: no length means until close; some responses carry no body") {
  using row = std::tuple<lines, unsigned, bool, body_kind, body_kind, std::uint64_t>;
  // fields, status, to HEAD → body, declared, length
  auto [ls, status, head, body, declared, length] =
      GENERATE(table<lines, unsigned, bool, body_kind, body_kind, std::uint64_t>({
          row{{}, 200, false, body_kind::until_close, body_kind::until_close, 0},
          row{{{"Content-Length", "5"}}, 200, false, body_kind::length, body_kind::length, 5},
          row{{{"Transfer-Encoding", "chunked"}},
              200,
              false,
              body_kind::chunked,
              body_kind::chunked,
              0},
          row{{{"Content-Length", "5"}}, 200, true, body_kind::none, body_kind::length, 5},
          row{{{"Content-Length", "5, 5"}}, 304, false, body_kind::none, body_kind::length, 5},
          row{{}, 304, false, body_kind::none, body_kind::none, 0},
          row{{}, 204, false, body_kind::none, body_kind::none, 0},
          row{{}, 100, false, body_kind::none, body_kind::none, 0},
          row{{}, 200, true, body_kind::none, body_kind::none, 0},
      }));
  INFO(show(ls) << status);
  auto r = fields_of(ls).response(11, status, head);
  REQUIRE(r.has_value());
  CHECK(r->body == body);
  CHECK(r->declared == declared);
  CHECK(r->length == length);
}

TEST_CASE("response framing: ambiguous responses are refused like requests") {
  using row = std::tuple<lines, unsigned, unsigned, errc, std::string>;
  auto [ls, version, status, code, words] =
      GENERATE(table<lines, unsigned, unsigned, errc, std::string>({
          row{{{"Transfer-Encoding", "chunked, chunked"}},
              11,
              200,
              errc::parse,
              "chunked more than once"},
          row{{{"Transfer-Encoding", "chunked"}, {"Content-Length", "5"}},
              11,
              200,
              errc::parse,
              "both"},
          row{{{"Content-Length", "5, 6"}}, 11, 200, errc::parse, "differing"},
          row{{{"Transfer-Encoding", "gzip"}}, 11, 200, errc::unsupported, "'gzip'"},
          row{{{"Transfer-Encoding", "chunked"}}, 10, 200, errc::parse, "HTTP/1.0 response"},
          // still checked where no body follows: the fields are passed on
          row{{{"Content-Length", "5, 6"}}, 11, 304, errc::parse, "differing"},
      }));
  INFO(show(ls));
  auto r = fields_of(ls).response(version, status, false);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().is(code));
  CHECK_THAT(r.error().message, Catch::Contains(words));
}

TEST_CASE("find_obs_fold finds a field line continued on the next line") {
  using row = std::tuple<std::string, unsigned>;
  auto [head, line] = GENERATE(table<std::string, unsigned>({
      row{"GET / HTTP/1.1\r\nHost: a\r\n\r\n", 0},
      row{"GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n c\r\n\r\n", 4},
      row{"GET / HTTP/1.1\r\nX: b\r\n\tc\r\n\r\n", 3},
      row{"GET / HTTP/1.1\r\n Host: a\r\n\r\n", 2},  // whitespace before the first field (§2.2)
      row{"GET / HTTP/1.1\r\nX: a b\t c\r\n\r\n", 0},
      row{"", 0},
      row{"\n", 0},
  }));
  INFO(head);
  CHECK(find_obs_fold(head) == line);
}
