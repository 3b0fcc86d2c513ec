#pragma once
// access_log: one line per request, the audit trail for "some users get the wrong proxy":
//   2026-11-27T10:40:00Z client=10.1.2.3 peer=10.1.2.3 method=GET path="/wpad.dat" variant=lab
//   version=3f2a... status=200 bytes=1234 ua="Mozilla/5.0 ..."
// Quoted values have '"', '\' and control characters escaped (no log injection). Each line is
// written whole; the destination is stdout ("-"), a file (appended), or nothing ("off"). A file can
// be reopened at its path while requests are logged (rotation: configfile/log_file.hpp).
#include <chrono>
#include <memory>
#include <string>

#include "configfile/log_file.hpp"
#include "proxycore/base/error.hpp"

namespace wpadkit::pacserver {

struct access_entry {
  std::string client;
  std::string peer;
  std::string method;
  std::string path;
  std::string variant;  // "-" when none
  std::string version;  // content hash, "-" when none
  int status = 0;
  std::size_t bytes = 0;
  std::string user_agent;
};

class access_log {
 public:
  // Errors: errc::io when the file cannot be opened for appending.
  static result<std::unique_ptr<access_log>> open(const std::string& destination);

  void write(const access_entry& e);  // thread-safe, also against reopen
  // Opens the file again at its path, after logrotate renamed it (pacserver does on SIGHUP);
  // nothing to do for stdout or "off". Errors: errc::io naming the path and the reason; lines then
  // keep going to the file open before.
  result<void> reopen();
  // The line `write` would print, without the newline (for tests).
  static std::string format(const access_entry& e, std::chrono::system_clock::time_point at);

 private:
  explicit access_log(std::unique_ptr<configfile::log_file> file) : file_(std::move(file)) {}
  std::unique_ptr<configfile::log_file> file_;  // null: "off"
};

}  // namespace wpadkit::pacserver
