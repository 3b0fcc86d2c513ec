#include "pacserver/access_log.hpp"

#include <unistd.h>

#include <cstdio>
#include <ctime>

namespace wpadkit::pacserver {

namespace {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

}  // namespace

result<std::unique_ptr<access_log>> access_log::open(const std::string& destination) {
  if (destination == "off") return std::unique_ptr<access_log>(new access_log(nullptr));
  if (destination == "-" || destination.empty()) {
    return std::unique_ptr<access_log>(new access_log(configfile::log_file::stream(STDOUT_FILENO)));
  }
  auto file = configfile::log_file::open(destination);
  if (!file) return file.error();
  return std::unique_ptr<access_log>(new access_log(std::move(*file)));
}

result<void> access_log::reopen() {
  if (!file_) return {};
  return file_->reopen();
}

std::string access_log::format(const access_entry& e, std::chrono::system_clock::time_point at) {
  const std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(stamp) + " client=" + e.client + " peer=" + e.peer +
         " method=" + quoted(e.method) + " path=" + quoted(e.path) + " variant=" + e.variant +
         " version=" + e.version + " status=" + std::to_string(e.status) +
         " bytes=" + std::to_string(e.bytes) + " ua=" + quoted(e.user_agent);
}

void access_log::write(const access_entry& e) {
  if (!file_) return;
  file_->write_line(format(e, std::chrono::system_clock::now()));
}

}  // namespace wpadkit::pacserver
