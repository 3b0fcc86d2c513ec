#pragma once
// cases_file — the golden-test format of `pactool test`:
//
//   # a comment
//   # dns: intranet.corp=10.1.2.3        (settings apply to the case lines after them)
//   # my-ip: 10.0.0.5                    (`none` for no address; replaces the previous my-ip)
//   # now: 2026-03-02T09:00:00Z          (replaces the previous now)
//   # offline: yes|no
//   http://intranet.corp/<TAB>DIRECT
//   http://www.example.com/<TAB>PROXY proxy1:8080<TAB>www.example.com
//
// A case is URL<TAB>EXPECTED[<TAB>HOST]. Leniency: when a line has no tab, the URL is its first
// whitespace-separated word and EXPECTED the rest (URLs contain no spaces). `# dns:` settings add up
// (a name given twice gets both addresses in order). Other `#` lines, and blank lines, are comments.
//
// Examples (line → case or error):
//   "http://a/\tDIRECT"               → url "http://a/", expected "DIRECT"
//   "http://a/  PROXY p:1; DIRECT"    → url "http://a/", expected "PROXY p:1; DIRECT"
//   "http://a/\tDIRECT\ta.example"    → host "a.example"
//   "http://a/"                       → error: no EXPECTED
//   "# dns: x"                        → error: expected NAME=IP
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proxycore/base/error.hpp"

namespace pactool {

// Settings in force for a case, as raw text (validated by the caller with the engine flag parsers,
// which report the file:line).
struct case_settings {
  std::vector<std::string> dns;                // NAME=IP, in order
  std::optional<std::vector<std::string>> my_ip;
  std::optional<std::string> now;
  std::optional<bool> offline;
  friend bool operator==(const case_settings&, const case_settings&) = default;
};

struct test_case {
  int line;
  std::string url;
  std::string expected;
  std::string host;  // empty: derive from the URL
  case_settings settings;
};

// Parses a cases file's text. `name` is used in errors (errc::parse at name:line).
wpadkit::result<std::vector<test_case>> parse_cases(std::string_view text, const std::string& name);

// Whether `got` satisfies `expected`: the exact string; or the same list after canonicalisation
// (case, spaces, default ports); or, when `expected` names a single entry, the same first entry
// ("PROXY proxy1:8080" matches "PROXY proxy1:8080; DIRECT").
bool result_matches(std::string_view expected, std::string_view got);

}  // namespace pactool
