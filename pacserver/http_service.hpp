#pragma once
// http_service: the HTTP face of pacserver, installed on one or more cpp-httplib servers (one per
// listen address). Routes:
//   GET|HEAD /wpad.dat, /proxy.pac   the PAC of the variant chosen for this client
//   (variant_selector) GET|HEAD /<variant>.pac          that variant's PAC, by name GET /healthz
//   "ok" and the generation GET /metrics                     Prometheus text (metrics.hpp) anything
//   else                    404
// Clients outside server.allowed_clients get 403 on every path. PAC responses carry Content-Type
// application/x-ns-proxy-autoconfig; charset=us-ascii, a strong ETag, Last-Modified, Cache-Control,
// Vary, and X-Pac-Variant; If-None-Match / If-Modified-Since give 304 (RFC 9110 section 13.2.2:
// when If-None-Match is present If-Modified-Since is ignored); Accept-Encoding: gzip gives the
// precompressed body. Every request writes one access log line and counts in the metrics.
#include <httplib.h>

#include <memory>
#include <mutex>

#include "pacserver/access_log.hpp"
#include "pacserver/metrics.hpp"
#include "pacserver/publication.hpp"

namespace wpadkit::pacserver {

class http_service {
 public:
  http_service(std::shared_ptr<const publication> initial, std::unique_ptr<access_log> log);

  // Registers the routes, access control, logger and limits on `server`. `this` must outlive it.
  void install(httplib::Server& server);

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
  httplib::Server::HandlerResponse check_access(const httplib::Request& req,
                                                httplib::Response& res);
  void serve_pac(const httplib::Request& req, httplib::Response& res, const publication& pub,
                 const published_pac& pac) const;
  void serve_discovery(const httplib::Request& req, httplib::Response& res);
  void serve_named(const httplib::Request& req, httplib::Response& res);
  void log_request(const httplib::Request& req, const httplib::Response& res);

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
