#pragma once
// configfile::access_log_file — the forwarding proxy's access log as the [proxy] access_log key
// (or pactool's --access-log) names it: "-" for stderr, otherwise a file opened for appending, so
// that a restart keeps one file. Lines from the I/O threads are written whole and one by one (a
// crash loses no finished request). For rotation, reopen() opens the path again after logrotate
// renamed the file (pacserver and pactool proxy call it on SIGHUP); see log_file.hpp.
#include <memory>
#include <string>

#include "configfile/log_file.hpp"
#include "proxycore/base/error.hpp"
#include "proxycore/forward/access_log.hpp"

namespace wpadkit::configfile {

// An open access log, or none. A regular value: copies share the one file, which stays open while
// a copy or a sink() taken from one lives.
class access_log_file {
 public:
  access_log_file() = default;  // no access log
  explicit access_log_file(std::shared_ptr<log_file> file) : file_(std::move(file)) {}

  // What proxy_services::access_log takes: writes each line to the file. Null without a log.
  forward::access_log_sink sink() const;

  // Reopens the file at its path (thread-safe, also against the sink's writers). Nothing to do
  // without a log or for stderr. Errors: errc::io naming the path and the reason; the lines then
  // keep going to the file open before.
  result<void> reopen() const;

 private:
  std::shared_ptr<log_file> file_;
};

// An empty `path` gives no access log. Errors: errc::io naming the path and the reason.
result<access_log_file> open_access_log(const std::string& path);

}  // namespace wpadkit::configfile
