#include "pactool/url_list.hpp"

#include <cctype>

namespace pactool {
namespace {

using wpadkit::errc;
using wpadkit::error;

bool looks_like_url(std::string_view w) {
  auto p = w.find("://");
  if (p == std::string_view::npos || p == 0) return false;
  for (std::size_t i = 0; i < p; ++i) {
    unsigned char c = static_cast<unsigned char>(w[i]);
    if (!(std::isalnum(c) || c == '+' || c == '-' || c == '.')) return false;
  }
  return std::isalpha(static_cast<unsigned char>(w[0])) && p + 3 < w.size();
}

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    std::size_t start = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

}  // namespace

wpadkit::result<url_list> parse_url_list(std::string_view text, const std::string& name) {
  url_list out;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    auto w = words(line);
    if (w.empty() || w.front().front() == '#') continue;
    if (w.size() == 1 || (w.size() == 2 && line.find('\t') != std::string_view::npos &&
                          looks_like_url(w[0]))) {
      if (!looks_like_url(w[0])) {
        return error(errc::parse, "'" + std::string(w[0]) + "' is not a URL (expected scheme://...)")
            .at(name, line_no);
      }
      out.entries.push_back({line_no, std::string(w[0]), w.size() == 2 ? std::string(w[1]) : ""});
      continue;
    }
    bool found = false;
    for (std::size_t i = 0; i < w.size() && !found; ++i) {
      std::string_view word = w[i];
      if (!word.empty() && word.front() == '"') word.remove_prefix(1);
      if (looks_like_url(word)) {
        out.entries.push_back({line_no, std::string(word), ""});
        found = true;
      } else if ((word == "CONNECT" || word == "\"CONNECT") && i + 1 < w.size()) {
        std::string_view target = w[i + 1];
        auto colon = target.rfind(':');
        std::string_view port = colon == std::string_view::npos ? "" : target.substr(colon + 1);
        std::string host(colon == std::string_view::npos ? target : target.substr(0, colon));
        std::string url = "https://" + host + (port.empty() || port == "443" ? "" : ":" + std::string(port)) + "/";
        out.entries.push_back({line_no, url, ""});
        found = true;
      }
    }
    if (!found) ++out.skipped;
  }
  return out;
}

}  // namespace pactool
