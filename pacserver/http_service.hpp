#pragma once
// http_service: what pacserver answers, given a request http_server has read and checked (no I/O
// here: http_server owns the sockets). Routes:
//   GET|HEAD /wpad.dat, /proxy.pac   the PAC of the variant chosen for this client (variant_selector)
//   GET|HEAD /<variant>.pac          that variant's PAC, by name
//   GET|HEAD /healthz                "ok" and the generation
//   GET|HEAD /metrics                Prometheus text (metrics.hpp)
//   anything else                    404; a method other than GET and HEAD: 405 with Allow
// Clients outside server.allowed_clients get 403 on every path. PAC responses carry Content-Type
// application/x-ns-proxy-autoconfig; charset=us-ascii, a strong ETag, Last-Modified, Cache-Control,
// Vary, and X-Pac-Variant; If-None-Match / If-Modified-Since give 304 (RFC 9110 section 13.2.2:
// when If-None-Match is present If-Modified-Since is ignored); Accept-Encoding: gzip gives the
// precompressed body. Every request writes one access log line and counts in the metrics (log()).
//
// The response always carries the body a GET would get; http_server drops it for HEAD and 304
// (keeping HEAD's Content-Length, and sending none with a 304: RFC 9110 section 8.6).
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "pacserver/access_log.hpp"
#include "pacserver/metrics.hpp"
#include "pacserver/publication.hpp"

namespace wpadkit::pacserver {

using http_response = boost::beast::http::response<boost::beast::http::string_body>;

// A request as the service sees it. Views into the caller's head; valid during the call.
struct service_request {
  std::string_view method;  // "-" when the request-line was not read (a refused head)
  std::string_view path;    // percent-decoded, without the query (request_checks.hpp)
  std::string_view host;    // the authority the request names (absolute-form target, else Host)
  std::string_view peer;    // the TCP peer's address
  const boost::beast::http::fields* fields = nullptr;  // null: none were read

  // The field's value; its lines joined with ", " when there are several (RFC 9110 section 5.3).
  // Empty when absent.
  std::string field(boost::beast::http::field name) const;
  std::string field(std::string_view name) const;
  bool has(boost::beast::http::field name) const;
};

// A text/plain answer: "text\n" with the status. (Every error page of pacserver.)
http_response plain_response(int status, const std::string& text);

class http_service {
 public:
  http_service(std::shared_ptr<const publication> initial, std::unique_ptr<access_log> log);

  // The answer to `req`. Thread-safe.
  http_response respond(const service_request& req) const;

  // One access-log line and one count in the metrics for an answered request (refused heads too).
  // Thread-safe.
  void log(const service_request& req, const http_response& res);

  // Swaps in a new publication: requests already running finish with the one they hold. With a
  // `log`, requests finishing from now on are logged there instead (the old log is closed once the
  // last request writing to it is done); without one the current log stays.
  void publish(std::shared_ptr<const publication> next, std::shared_ptr<access_log> log = nullptr);
  std::shared_ptr<const publication> current() const;

  // Reopens the current access log at its path (rotation; responder::reopen_logs). Thread-safe.
  // Errors: as access_log::reopen — the log keeps writing to the file open before.
  result<void> reopen_log();

  metrics& counters() { return metrics_; }

 private:
  http_response serve_pac(const service_request& req, const publication& pub,
                          const published_pac& pac) const;

  metrics metrics_;
  mutable std::mutex mutex_;
  std::shared_ptr<const publication> current_;  // current_ and log_ are guarded by mutex_
  std::shared_ptr<access_log> log_;
};

// True if an Accept-Encoding header value accepts gzip (a "gzip" or "x-gzip" token, q not 0).
bool accepts_gzip(std::string_view accept_encoding);

// True if an If-None-Match header value lists `etag` (weak comparison, RFC 9110 section 8.8.3.2) or
// "*".
bool etag_listed(std::string_view if_none_match, std::string_view etag);

}  // namespace wpadkit::pacserver
