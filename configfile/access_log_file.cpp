#include "configfile/access_log_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>

namespace wpadkit::configfile {
namespace {

struct file_closer {
  void operator()(std::FILE* f) const {
    if (f && f != stderr) std::fclose(f);
  }
};

}  // namespace

result<forward::access_log_sink> open_access_log(const std::string& path) {
  if (path.empty()) return forward::access_log_sink{};
  std::shared_ptr<std::FILE> file(path == "-" ? stderr : std::fopen(path.c_str(), "a"),
                                  file_closer{});
  if (!file)
    return error(errc::io, std::string("cannot open the access log: ") + std::strerror(errno))
        .at(path);
  auto lock = std::make_shared<std::mutex>();
  return forward::access_log_sink([file, lock](std::string_view line) {
    std::lock_guard guard(*lock);
    std::fwrite(line.data(), 1, line.size(), file.get());
    std::fputc('\n', file.get());
    std::fflush(file.get());
  });
}

}  // namespace wpadkit::configfile
