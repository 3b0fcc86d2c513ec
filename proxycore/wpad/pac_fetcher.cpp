#include "proxycore/wpad/pac_fetcher.hpp"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sys/stat.h>

namespace wpadkit::wpad {
namespace {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// scheme://authority/path?query, as much of RFC 3986 as PAC URLs use.
struct url_parts {
  std::string scheme;     // lower case
  std::string authority;  // host[:port], brackets kept for IPv6
  std::string target;     // path and query, at least "/"
};

result<url_parts> split_url(const std::string& url) {
  const auto colon = url.find("://");
  if (colon == std::string::npos || colon == 0) {
    return error(errc::parse, "not an absolute URL (expected scheme://host/path)").at(url);
  }
  url_parts p;
  p.scheme = lower(url.substr(0, colon));
  const auto rest = url.substr(colon + 3);
  const auto slash = rest.find_first_of("/?#");
  p.authority = rest.substr(0, slash);
  p.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (const auto hash = p.target.find('#'); hash != std::string::npos) p.target.resize(hash);
  if (p.target.empty() || p.target[0] == '?') p.target.insert(0, "/");
  if (p.authority.find('@') != std::string::npos) {
    // Chromium strips credentials from PAC URLs before fetching; we refuse them instead of guessing.
    return error(errc::unsupported, "credentials in a PAC URL are not supported").at(url);
  }
  if (p.authority.empty() && p.scheme != "file") {
    return error(errc::parse, "URL has no host").at(url);
  }
  return p;
}

// Resolves a Location header against the URL it came from (absolute, scheme-relative,
// absolute-path and relative-path forms).
std::string resolve_location(const url_parts& base, const std::string& location) {
  if (location.find("://") != std::string::npos) return location;
  if (location.rfind("//", 0) == 0) return base.scheme + ":" + location;
  const std::string origin = base.scheme + "://" + base.authority;
  if (!location.empty() && location[0] == '/') return origin + location;
  std::string dir = base.target.substr(0, base.target.find('?'));
  dir = dir.substr(0, dir.rfind('/') + 1);
  return origin + dir + location;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
    if (extra < 0) return false;
    for (int k = 1; k <= extra; ++k) {
      if (i + k >= s.size() || (static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    }
    i += static_cast<std::size_t>(extra) + 1;
  }
  return true;
}

void add(fetch_result& r, fetch_finding::severity level, std::string client, std::string message) {
  r.findings.push_back({level, std::move(client), std::move(message)});
}

// The checks every PAC body gets, whatever transport brought it.
void check_body(fetch_result& r, const std::string& body) {
  using sev = fetch_finding::severity;
  std::string_view text(body);
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.remove_prefix(3);
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    add(r, sev::error, "all", "the PAC file is empty: browsers fall back to a direct connection");
    return;
  }
  if (text[first] == '<') {
    add(r, sev::error, "all",
        "the body looks like HTML, not a PAC script (an error page or a captive portal?)");
  }
  // Chromium's PacFileDecider rejects an auto-detected script that does not mention
  // FindProxyForURL (LooksLikePacScript in net/proxy_resolution/pac_file_decider.cc).
  if (text.find("FindProxyForURL") == std::string_view::npos) {
    add(r, sev::error, "all", "the body does not define FindProxyForURL");
  }
  if (!valid_utf8(text)) {
    add(r, sev::warning, "chrome",
        "the body is not valid UTF-8: Chromium decodes it as Latin-1 when no charset is declared, "
        "so non-ASCII characters will differ between clients");
  }
}

void check_content_type(fetch_result& r) {
  using sev = fetch_finding::severity;
  const std::string ct = lower(r.content_type);
  const std::string mime = trim(ct.substr(0, ct.find(';')));
  if (mime != "application/x-ns-proxy-autoconfig" && mime != "application/x-javascript-config") {
    add(r, sev::warning, "firefox",
        "Content-Type is '" + (r.content_type.empty() ? std::string("(none)") : r.content_type) +
            "': Firefox expects application/x-ns-proxy-autoconfig (Chromium and WinHTTP ignore it)");
  }
  if (const auto cs = ct.find("charset="); cs != std::string::npos) {
    std::string charset = trim(ct.substr(cs + 8));
    charset = charset.substr(0, charset.find(';'));
    charset.erase(std::remove(charset.begin(), charset.end(), '"'), charset.end());
    static const char* const ascii_compatible[] = {"utf-8", "utf8", "us-ascii", "ascii",
                                                   "iso-8859-1", "latin1", "windows-1252"};
    if (std::none_of(std::begin(ascii_compatible), std::end(ascii_compatible),
                     [&](const char* c) { return charset == c; })) {
      add(r, sev::warning, "all",
          "declared charset '" + charset + "' is not ASCII-compatible: clients may decode it differently");
    }
  }
}

result<fetch_result> fetch_file(const std::string& url, const std::string& path,
                                const fetch_options& options, steady::time_point start) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return error(errc::io, "cannot read the PAC file (missing or not a regular file)").at(path);
  }
  if (static_cast<std::size_t>(st.st_size) > options.max_bytes) {
    return error(errc::limit, "PAC file is " + std::to_string(st.st_size) + " bytes, over the limit of " +
                                  std::to_string(options.max_bytes))
        .at(path);
  }
  std::ifstream in(path, std::ios::binary);
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) return error(errc::io, "cannot read the PAC file").at(path);
  fetch_result r;
  r.final_url = url;
  r.status = 200;
  check_body(r, body);
  if (r.usable()) r.body = std::move(body);
  r.elapsed = std::chrono::duration_cast<milliseconds>(steady::now() - start);
  return r;
}

error map_http_error(httplib::Error e, const std::string& url, bool over_limit, bool over_deadline,
                     std::size_t max_bytes) {
  if (over_limit) {
    return error(errc::limit, "PAC body is larger than the limit of " + std::to_string(max_bytes) +
                                  " bytes")
        .at(url);
  }
  if (over_deadline) return error(errc::timeout, "the fetch ran past its total deadline").at(url);
  switch (e) {
    case httplib::Error::ConnectionTimeout:
      return error(errc::timeout, "connection timed out").at(url);
    case httplib::Error::Connection:
      return error(errc::http, "could not connect (name not resolved, or connection refused)").at(url);
    case httplib::Error::Read:
      return error(errc::http, "the connection failed while reading the response (or timed out)").at(url);
    case httplib::Error::SSLConnection:
    case httplib::Error::SSLServerVerification:
    case httplib::Error::SSLLoadingCerts:
      return error(errc::http, "TLS failed: " + httplib::to_string(e)).at(url);
    default:
      return error(errc::http, httplib::to_string(e)).at(url);
  }
}

struct hop_response {
  int status = 0;
  httplib::Headers headers;
  std::string body;
};

// One request, no redirects followed. Enforces the byte limit and the total deadline while reading.
result<hop_response> fetch_once(const url_parts& u, const std::string& url,
                                const fetch_options& options, steady::time_point deadline) {
  httplib::Client client(u.scheme + "://" + u.authority);
  if (!client.is_valid()) return error(errc::parse, "cannot use this URL's host and port").at(url);
  const auto remaining = std::max(milliseconds(1), std::chrono::duration_cast<milliseconds>(
                                                       deadline - steady::now()));
  client.set_connection_timeout(std::min(options.connect_timeout, remaining));
  client.set_read_timeout(remaining);
  client.set_write_timeout(remaining);
  client.set_follow_location(false);  // followed by hand, to count and record each hop
  client.set_keep_alive(false);

  httplib::Headers headers{{"Accept", "application/x-ns-proxy-autoconfig, */*"},
                           {"User-Agent", "wpadkit-pac-fetcher"}};
  if (options.if_none_match) headers.emplace("If-None-Match", *options.if_none_match);
  if (options.if_modified_since) headers.emplace("If-Modified-Since", *options.if_modified_since);

  hop_response out;
  bool over_limit = false, over_deadline = false;
  auto on_response = [&](const httplib::Response& res) {
    out.status = res.status;
    out.headers = res.headers;
    if (res.has_header("Content-Length")) {
      const auto len = std::strtoull(res.get_header_value("Content-Length").c_str(), nullptr, 10);
      if (res.status == 200 && len > options.max_bytes) {
        over_limit = true;
        return false;
      }
    }
    return true;
  };
  auto on_content = [&](const char* data, std::size_t n) {
    if (steady::now() > deadline) {
      over_deadline = true;
      return false;
    }
    if (out.body.size() + n > options.max_bytes) {
      over_limit = out.status == 200;
      if (over_limit) return false;
      return true;  // an error page: keep what fits, discard the rest
    }
    out.body.append(data, n);
    return true;
  };
  auto res = client.Get(u.target, headers, on_response, on_content);
  if (!res) return map_http_error(res.error(), url, over_limit, over_deadline, options.max_bytes);
  return out;
}

void check_status(fetch_result& r, bool conditional) {
  using sev = fetch_finding::severity;
  if (r.status == 200) return;
  if (r.status == 304 && conditional) {
    r.not_modified = true;
    return;
  }
  add(r, sev::error, "all",
      "HTTP status " + std::to_string(r.status) +
          ": only 200 is accepted (Chromium, Firefox and WinHTTP treat anything else as no PAC)");
}

result<fetch_result> fetch_http(const std::string& url, const fetch_options& options,
                                steady::time_point start) {
  const auto deadline = start + options.total_timeout;
  fetch_result r;
  std::string current = url;
  for (int hop = 0;; ++hop) {
    auto parts = split_url(current);
    if (!parts) return parts.error();
    if (parts->scheme != "http" && parts->scheme != "https") {
      return error(errc::unsupported, "redirected to a non-HTTP URL, which browsers refuse for PAC")
          .at(current);
    }
    auto hop_res = fetch_once(*parts, current, options, deadline);
    if (!hop_res) return hop_res.error();
    r.status = hop_res->status;
    r.final_url = current;
    const auto header = [&](const char* name) {
      const auto it = hop_res->headers.find(name);
      return it == hop_res->headers.end() ? std::string() : it->second;
    };
    const bool redirect = r.status == 301 || r.status == 302 || r.status == 303 ||
                          r.status == 307 || r.status == 308;
    if (redirect && !header("Location").empty()) {
      if (hop >= options.max_redirects) {
        add(r, fetch_finding::severity::error, "all",
            "more than " + std::to_string(options.max_redirects) + " redirects");
        break;
      }
      current = resolve_location(*parts, header("Location"));
      r.redirects.push_back(current);
      continue;
    }
    r.content_type = header("Content-Type");
    r.etag = header("ETag");
    r.last_modified = header("Last-Modified");
    check_status(r, options.if_none_match || options.if_modified_since);
    if (r.status == 200) {
      check_content_type(r);
      check_body(r, hop_res->body);
      if (r.usable()) r.body = std::move(hop_res->body);
    }
    break;
  }
  if (!r.redirects.empty() && r.final_url.rfind("https://", 0) != 0 &&
      url.rfind("https://", 0) == 0) {
    add(r, fetch_finding::severity::warning, "all", "an https PAC URL redirected to plain http");
  }
  r.elapsed = std::chrono::duration_cast<milliseconds>(steady::now() - start);
  return r;
}

}  // namespace

bool fetch_result::usable() const {
  return std::none_of(findings.begin(), findings.end(), [](const fetch_finding& f) {
    return f.level == fetch_finding::severity::error;
  });
}

result<fetch_result> fetch_pac(const std::string& url, const fetch_options& options) {
  const auto start = steady::now();
  if (url.empty()) return error(errc::parse, "empty PAC URL");
  if (url.find("://") == std::string::npos) return fetch_file(url, url, options, start);
  auto parts = split_url(url);
  if (!parts) return parts.error();
  if (parts->scheme == "file") {
    if (!parts->authority.empty() && lower(parts->authority) != "localhost") {
      return error(errc::unsupported, "file:// URLs on another host are not supported").at(url);
    }
    return fetch_file(url, percent_decode(parts->target.substr(0, parts->target.find('?'))),
                      options, start);
  }
  if (parts->scheme != "http" && parts->scheme != "https") {
    return error(errc::unsupported,
                 "scheme '" + parts->scheme + "' is not supported (use http, https or file)")
        .at(url);
  }
  return fetch_http(url, options, start);
}

}  // namespace wpadkit::wpad
