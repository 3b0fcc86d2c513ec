#include "configfile/access_log_file.hpp"

#include <unistd.h>

namespace wpadkit::configfile {

forward::access_log_sink access_log_file::sink() const {
  if (!file_) return {};
  return [file = file_](std::string_view line) { file->write_line(line); };
}

result<void> access_log_file::reopen() const {
  if (!file_) return {};
  return file_->reopen();
}

result<access_log_file> open_access_log(const std::string& path) {
  if (path.empty()) return access_log_file{};
  if (path == "-") return access_log_file(log_file::stream(STDERR_FILENO));
  auto file = log_file::open(path);
  if (!file) return file.error();
  return access_log_file(std::move(*file));
}

}  // namespace wpadkit::configfile
