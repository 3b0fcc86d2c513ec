#include "pactool/output.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "pactool/commands.hpp"

namespace pactool {

void print_error(std::string_view message) {
  std::cerr << "pactool: error: " << message << '\n';
}

void print_error(const wpadkit::error& e) { print_error(e.to_string()); }

int report_usage_error(const CLI::App& app, const CLI::ParseError& e) {
  // Name the deepest subcommand that was selected, so the hint points at the right --help.
  std::string path = "pactool";
  const CLI::App* at = &app;
  while (at != nullptr) {
    auto subs = at->get_subcommands();
    if (subs.empty()) break;
    at = subs.front();
    path += " " + at->get_name();
  }
  std::string what = e.what();
  while (!what.empty() && (what.back() == '\n' || what.back() == ' ')) what.pop_back();
  std::cerr << path << ": usage error: " << what << " (see '" << path << " --help')\n";
  return exit_usage;
}

std::string json_string(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          static const char* hex = "0123456789abcdef";
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

std::string json_string_array(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += json_string(items[i]);
  }
  return out + "]";
}

json_object& json_object::raw(std::string_view key, std::string_view json_value) {
  if (!body_.empty()) body_ += ',';
  body_ += json_string(key);
  body_ += ':';
  body_ += json_value;
  return *this;
}

json_object& json_object::str(std::string_view key, std::string_view value) {
  return raw(key, json_string(value));
}

json_object& json_object::num(std::string_view key, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", value);
  return raw(key, buf);
}

json_object& json_object::integer(std::string_view key, long long value) {
  return raw(key, std::to_string(value));
}

json_object& json_object::boolean(std::string_view key, bool value) {
  return raw(key, value ? "true" : "false");
}

painter::painter(std::FILE* stream)
    : enabled_(::isatty(::fileno(stream)) == 1 && std::getenv("NO_COLOR") == nullptr) {}

std::string painter::wrap(std::string_view code, std::string_view s) const {
  if (!enabled_) return std::string(s);
  return "\x1b[" + std::string(code) + "m" + std::string(s) + "\x1b[0m";
}

bool stderr_is_terminal() { return ::isatty(2) == 1; }

}  // namespace pactool
