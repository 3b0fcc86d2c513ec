#pragma once
// configfile::log_file — a log file appended to one whole line at a time by any thread, that can be
// reopened at the same path while those threads write: logrotate renames the file, then tells the
// program (SIGHUP in pacserver and pactool proxy, as nginx takes USR1 and squid -k rotate), and the
// next lines go to a new file at the configured path. The access logs of pacserver and of the
// forwarding proxy are both written through it.
//
// Concurrency: each line is written with one writev(2) under a mutex, and reopen() swaps the file
// descriptor under the same mutex. A line therefore lands whole in either the old or the new file,
// never torn across both nor lost, and the old descriptor is closed only after the swap, when no
// writer can still be using it. The mutex is the one the access logs already took per line (to keep
// lines whole when writev returns short or the log is a pipe), so reopening adds no lock per line;
// an atomic shared_ptr swap would not be cheaper (libstdc++ takes a lock bit in each load) and
// would still need this lock for whole lines.
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "proxycore/base/error.hpp"

namespace wpadkit::configfile {

class log_file {
 public:
  // Opens `path` with O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC and mode 0666 less the umask (what
  // fopen's "a" gives, so logs keep the permissions they had). Errors: errc::io, "cannot open the
  // access log: <reason>" at `path`.
  static result<std::unique_ptr<log_file>> open(std::string path);
  // A standard stream (STDOUT_FILENO or STDERR_FILENO): written to, never closed nor reopened.
  static std::unique_ptr<log_file> stream(int fd);

  ~log_file();  // closes the file (not a standard stream)
  log_file(const log_file&) = delete;
  log_file& operator=(const log_file&) = delete;

  // Appends `line` and a newline, whole. Thread-safe. A failing write (disk full) is dropped: the
  // request it logs has been served, and a log must not stop the service.
  void write_line(std::string_view line);

  // Opens the path again (same flags and mode as open) and sends the lines from now on there; the
  // file open before is closed. Thread-safe, also against write_line. Nothing to do for a stream.
  // Errors: errc::io, "cannot reopen the access log: <reason>" at the path; lines then keep going
  // to the file open before, so nothing is lost while the caller reports it.
  result<void> reopen();

  // The configured path; "-" for a standard stream.
  const std::string& path() const { return path_; }

 private:
  log_file(std::string path, int fd, bool owned) : path_(std::move(path)), fd_(fd), owned_(owned) {}

  const std::string path_;
  std::mutex mutex_;  // guards fd_ and each line's write
  int fd_;
  const bool owned_;
};

}  // namespace wpadkit::configfile
