#pragma once
// responder: a running pacserver — its listeners (http_server: every listen address, one set of I/O
// threads), the http_service they share, the bundled proxy, and reloading: reload()
// re-reads the config (and template files), builds a new publication and swaps it in only if every
// variant renders and validates (and a changed server.access_log opens); otherwise the last good one
// keeps serving, with its access log, and the reasons are logged. A watcher thread calls reload()
// when the config file or a template file changes. reopen_logs() reopens the access log files at
// their paths, for rotation (main calls it on SIGHUP, before reload()); the file watch does not.
#include <condition_variable>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "pacserver/bundled_proxy.hpp"
#include "pacserver/config.hpp"
#include "pacserver/http_server.hpp"
#include "pacserver/http_service.hpp"

namespace wpadkit::pacserver {

// Where the configuration comes from and what the command line overrides.
struct config_source {
  std::optional<std::filesystem::path> file;   // none: the embedded default
  std::vector<listen_address> listen;          // non-empty: replaces server.listen
  std::optional<listen_address> proxy_listen;  // replaces proxy.listen
};

// Loads and validates the configuration (not the PACs). Errors: as load_config / parse_config.
result<std::shared_ptr<const server_config>> load_effective_config(const config_source& src);

// Loads the config and builds its publication. Errors: every problem found, each naming its place.
struct loaded {
  std::shared_ptr<const publication> pub;
  std::vector<error> errors;
};
loaded load_publication(const config_source& src, const publication* previous);

// Why responder::start failed, so that main can give each its own exit code: a value the bundled
// proxy refuses (config), a file the config names that cannot be opened (file: server.access_log or
// the bundled proxy's access log), an address that cannot be bound (listen).
enum class start_failure { config, file, listen };

struct start_error {
  start_failure kind;
  error cause;
};

// Found by boost::system::result through ADL, should a caller use value().
[[noreturn]] inline void throw_exception_from_error(const start_error& e,
                                                    const boost::source_location&) {
  throw error_exception(e.cause);
}

class responder {
 public:
  // Binds every listener (printing "pacserver: listening on ADDR:PORT" for each), starts serving,
  // the bundled proxy and the watcher. Errors: a start_error saying which kind of failure, with
  // its cause (errc::io naming the address or the file, errc::config naming the value).
  static boost::system::result<std::unique_ptr<responder>, start_error> start(
      config_source src, std::shared_ptr<const publication> pub, std::ostream& out);
  ~responder();  // stops everything

  // Re-reads the configuration; thread-safe. Returns true if a new publication went live.
  bool reload(const std::string& why);

  // Reopens server.access_log and the bundled proxy's access log, each a file, at its path: after
  // logrotate renamed them, the next lines go to new files there. Thread-safe, also against the
  // requests being logged. A log that cannot be reopened (its folder gone, permission denied) keeps
  // writing to the file open before, and that is reported on stderr naming the file, the reason and
  // the entry; serving goes on. Returns true if every log was reopened (or had nothing to reopen).
  bool reopen_logs(const std::string& why);

  const std::vector<std::string>& bound_addresses() const { return bound_; }

 private:
  responder(config_source src, std::shared_ptr<const publication> pub,
            std::unique_ptr<access_log> log);
  void watch_loop();
  std::vector<std::filesystem::path> watched_files() const;

  config_source src_;
  std::unique_ptr<http_service> service_;
  std::unique_ptr<http_server> server_;  // after service_, which it uses: destroyed first
  std::vector<std::string> bound_;
  std::unique_ptr<bundled_proxy> proxy_;
  std::mutex reload_mutex_;
  std::mutex watch_mutex_;
  std::condition_variable watch_cv_;
  bool stopping_ = false;
  std::thread watcher_;
};

}  // namespace wpadkit::pacserver
