#pragma once
// pac_fetcher: fetches a PAC file the way browsers do, and reports every way the response would fail
// in Chromium, Firefox or WinHTTP. Shared by `pactool fetch`, WPAD discovery (each candidate URL),
// and the forwarding proxy's URL source (re-fetch with ETag/Last-Modified).
//
// Rules (the strictest common behaviour decides `usable`):
//   - http://, https:// and file:// (and a plain path) URLs; other schemes → errc::unsupported.
//   - Only a final 200 is usable (Chromium and WinHTTP reject every other status, 204 and 3xx included).
//   - At most `max_redirects` redirects (Chromium follows them for PAC fetches; WinHTTP too).
//   - Body at most `max_bytes` (1 MiB); larger → errc::limit, the rest is not read.
//   - Content-Type: Firefox requires application/x-ns-proxy-autoconfig (or
//     application/x-javascript-config); Chromium and WinHTTP ignore it → a finding, not a failure.
//   - charset: a declared charset other than ASCII-compatible ones, or a body that is not valid UTF-8,
//     → a finding (Chromium decodes as Latin-1 when no charset is given).
//   - A body that looks like HTML (starts with `<`) → a finding naming it (a captive portal or error page).
// Every fetch has a connect and a total deadline. Proxies are never used (a PAC fetch must not go
// through the proxy it configures).
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "proxycore/base/error.hpp"

namespace wpadkit::wpad {

struct fetch_options {
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds total_timeout{10000};
  std::size_t max_bytes = 1024 * 1024;
  int max_redirects = 10;
  // Conditional re-fetch: sent as If-None-Match / If-Modified-Since when set.
  std::optional<std::string> if_none_match;
  std::optional<std::string> if_modified_since;
};

struct fetch_finding {
  enum class severity { error, warning };
  severity level;
  std::string client;   // "chrome", "firefox", "winhttp", or "all"
  std::string message;  // one line: what is wrong and what it causes
};

struct fetch_result {
  std::string final_url;                 // after redirects
  int status = 0;                        // final HTTP status (200 for file://)
  std::string content_type;              // as received, may be empty
  std::string etag, last_modified;       // validators for the next conditional fetch
  bool not_modified = false;             // 304 to a conditional fetch: `body` is empty
  std::string body;                      // the PAC text (only when usable or not_modified)
  std::vector<std::string> redirects;    // each Location followed, in order
  std::vector<fetch_finding> findings;   // every issue found, errors and warnings
  std::chrono::milliseconds elapsed{0};
  bool usable() const;                   // no finding of severity error
};

// Fetches `url`. Returns an error only when no response could be had at all (bad URL, connection
// refused, timeout, unreadable file); an HTTP-level problem is a fetch_result with findings.
result<fetch_result> fetch_pac(const std::string& url, const fetch_options& options = {});

// The seam through which WPAD discovery fetches candidates (a test double returns canned results).
class pac_fetcher {
 public:
  virtual ~pac_fetcher() = default;
  virtual result<fetch_result> fetch(const std::string& url) = 0;
};

// fetch_pac with fixed options.
class http_pac_fetcher final : public pac_fetcher {
 public:
  explicit http_pac_fetcher(fetch_options options = {}) : options_(std::move(options)) {}
  result<fetch_result> fetch(const std::string& url) override { return fetch_pac(url, options_); }

 private:
  fetch_options options_;
};

}  // namespace wpadkit::wpad
