#include "pactool/cases_file.hpp"

#include <algorithm>
#include <cctype>

#include "proxycore/pac/pac_request.hpp"

namespace pactool {
namespace {

using wpadkit::errc;
using wpadkit::error;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Applies a `# key: value` line; returns false if the comment is not a setting.
wpadkit::result<bool> apply_setting(std::string_view body, case_settings& s) {
  auto colon = body.find(':');
  if (colon == std::string_view::npos) return false;
  std::string key = lower(trim(body.substr(0, colon)));
  std::string_view value = trim(body.substr(colon + 1));
  if (key == "dns") {
    if (value.find('=') == std::string_view::npos) {
      return error(errc::parse, "'# dns:' expects NAME=IP, got '" + std::string(value) + "'");
    }
    s.dns.emplace_back(value);
  } else if (key == "my-ip" || key == "my_ip" || key == "myip") {
    std::vector<std::string> ips;
    std::size_t start = 0;
    std::string v(value);
    std::replace(v.begin(), v.end(), ',', ' ');
    while (start < v.size()) {
      auto end = v.find(' ', start);
      if (end == std::string::npos) end = v.size();
      if (end > start) ips.push_back(v.substr(start, end - start));
      start = end + 1;
    }
    if (ips.empty()) return error(errc::parse, "'# my-ip:' expects an address or 'none'");
    s.my_ip = std::move(ips);
  } else if (key == "now") {
    if (value.empty()) return error(errc::parse, "'# now:' expects an ISO-8601 time");
    s.now = std::string(value);
  } else if (key == "offline") {
    std::string v = lower(value);
    if (v == "yes" || v == "true" || v == "1" || v.empty()) s.offline = true;
    else if (v == "no" || v == "false" || v == "0") s.offline = false;
    else return error(errc::parse, "'# offline:' expects yes or no, got '" + std::string(value) + "'");
  } else {
    return false;
  }
  return true;
}

}  // namespace

wpadkit::result<std::vector<test_case>> parse_cases(std::string_view text, const std::string& name) {
  std::vector<test_case> out;
  case_settings settings;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto nl = text.find('\n', pos);
    std::string_view raw = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    std::string_view line = trim(raw);
    if (line.empty()) continue;
    if (line.front() == '#') {
      auto applied = apply_setting(line.substr(1), settings);
      if (!applied) return applied.error().at(name, line_no);
      continue;
    }
    test_case c;
    c.line = line_no;
    c.settings = settings;
    if (raw.find('\t') != std::string_view::npos) {
      std::string_view rest = trim(raw);
      auto t1 = rest.find('\t');
      c.url = std::string(trim(rest.substr(0, t1)));
      rest = t1 == std::string_view::npos ? std::string_view{} : rest.substr(t1 + 1);
      auto t2 = rest.find('\t');
      c.expected = std::string(trim(rest.substr(0, t2)));
      if (t2 != std::string_view::npos) c.host = std::string(trim(rest.substr(t2 + 1)));
    } else {
      auto sp = line.find_first_of(" \t");
      c.url = std::string(line.substr(0, sp));
      if (sp != std::string_view::npos) c.expected = std::string(trim(line.substr(sp)));
    }
    if (c.expected.empty()) {
      return error(errc::parse, "expected URL<TAB>EXPECTED[<TAB>HOST], got no EXPECTED after '" +
                                    c.url + "'")
          .at(name, line_no);
    }
    if (auto req = wpadkit::pac::canonical_request(c.url); !req) {
      return error(errc::parse, req.error().message).at(name, line_no);
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace pactool
