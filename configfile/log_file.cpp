#include "configfile/log_file.hpp"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace wpadkit::configfile {
namespace {

// fopen(path, "a") plus O_CLOEXEC; the first open and every reopen go through here, so a rotated
// log is created exactly as the first one was.
int open_for_append(const std::string& path) {
  return ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
}

}  // namespace

result<std::unique_ptr<log_file>> log_file::open(std::string path) {
  const int fd = open_for_append(path);
  if (fd < 0) {
    return error(errc::io, std::string("cannot open the access log: ") + std::strerror(errno))
        .at(std::move(path));
  }
  return std::unique_ptr<log_file>(new log_file(std::move(path), fd, true));
}

std::unique_ptr<log_file> log_file::stream(int fd) {
  return std::unique_ptr<log_file>(new log_file("-", fd, false));
}

log_file::~log_file() {
  if (owned_) ::close(fd_);
}

void log_file::write_line(std::string_view line) {
  char newline = '\n';
  iovec parts[2] = {{const_cast<char*>(line.data()), line.size()}, {&newline, 1}};
  iovec* next = parts;
  int count = 2;
  std::lock_guard lock(mutex_);
  while (count > 0) {
    const ssize_t n = ::writev(fd_, next, count);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    // A short write (a signal, a pipe): go on from where it stopped, still under the lock.
    auto left = static_cast<std::size_t>(n);
    while (count > 0 && left >= next->iov_len) {
      left -= next->iov_len;
      ++next;
      --count;
    }
    if (count > 0) {
      next->iov_base = static_cast<char*>(next->iov_base) + left;
      next->iov_len -= left;
    }
  }
}

result<void> log_file::reopen() {
  if (!owned_) return {};
  // Opened outside the lock: the writers wait only for the swap, not for the file system.
  const int fd = open_for_append(path_);
  if (fd < 0) {
    return error(errc::io, std::string("cannot reopen the access log: ") + std::strerror(errno))
        .at(path_);
  }
  int old = fd;
  {
    std::lock_guard lock(mutex_);
    std::swap(old, fd_);
  }
  // No writer holds `old` any more: each uses fd_ only under the lock.
  ::close(old);
  return {};
}

}  // namespace wpadkit::configfile
