#pragma once
// configfile::open_access_log — the forwarding proxy's access log as the [proxy] access_log key
// (or pactool's --access-log) names it: "-" for stderr, otherwise a file opened for appending, so
// that a restart or logrotate's copytruncate keeps one file. Lines from the I/O threads are
// serialised and flushed one by one (a crash loses no finished request).
#include <string>

#include "proxycore/base/error.hpp"
#include "proxycore/forward/access_log.hpp"

namespace wpadkit::configfile {

// An empty `path` gives a null sink (no access log). The file stays open for the life of the sink.
// Errors: errc::io naming the path and the reason.
result<forward::access_log_sink> open_access_log(const std::string& path);

}  // namespace wpadkit::configfile
