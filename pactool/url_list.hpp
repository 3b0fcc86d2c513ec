#pragma once
// url_list — the URL lists diff, coverage and bench read: a plain list (one URL per line, optionally
// URL<TAB>HOST, `#` comments) or an access log from which the URLs are taken:
//
//   Squid native:  1700000000.123 42 10.0.0.5 TCP_MISS/200 512 GET http://a.example/x - HIER_DIRECT/...
//   common/combined: 10.0.0.5 - - [01/Mar/2026:10:00:00 +0000] "GET http://a.example/x HTTP/1.1" 200 512
//   CONNECT lines:   ... CONNECT a.example:443 ...  → https://a.example/ (what a browser asks the PAC)
//
// A one-word line that is not a URL is an error naming file:line; a log line with no URL (an
// origin-form request, a malformed line) is skipped and counted, and the caller reports the count.
#include <string>
#include <string_view>
#include <vector>

#include "proxycore/base/error.hpp"

namespace pactool {

struct url_entry {
  int line;
  std::string url;
  std::string host;  // empty: derive from the URL
};

struct url_list {
  std::vector<url_entry> entries;
  int skipped = 0;  // log lines without a URL
};

// Errors: errc::parse at name:line.
wpadkit::result<url_list> parse_url_list(std::string_view text, const std::string& name);

}  // namespace pactool
