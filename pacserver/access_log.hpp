#pragma once
// access_log: one line per request, the audit trail for "some users get the wrong proxy":
//   2026-11-27T10:40:00Z client=10.1.2.3 peer=10.1.2.3 method=GET path="/wpad.dat" variant=lab
//   version=3f2a... status=200 bytes=1234 ua="Mozilla/5.0 ..."
// Quoted values have '"', '\' and control characters escaped (no log injection). Writes are
// serialised; the destination is stdout ("-"), a file (appended), or nothing ("off").
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

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
  ~access_log();
  access_log(const access_log&) = delete;
  access_log& operator=(const access_log&) = delete;

  void write(const access_entry& e);
  // The line `write` would print, without the newline (for tests).
  static std::string format(const access_entry& e, std::chrono::system_clock::time_point at);

 private:
  access_log(std::FILE* f, bool owned) : file_(f), owned_(owned) {}
  std::mutex mutex_;
  std::FILE* file_ = nullptr;
  bool owned_ = false;
};

}  // namespace wpadkit::pacserver
