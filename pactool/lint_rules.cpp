#include "pactool/lint_rules.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <stdexcept>

#include "pactool/js_tokens.hpp"
#include "proxycore/base/limits.hpp"
#include "proxycore/model/proxy_list.hpp"

namespace pactool {
namespace {

using kind = js_token::kind;
constexpr auto E = lint_severity::error;
constexpr auto W = lint_severity::warning;

const std::vector<lint_rule> rules = {
    {"syntax", E, "the engine cannot compile the script; browsers then ignore the whole PAC",
     "fix the syntax at this line (Duktape takes ES5 plus let/const/arrow functions)"},
    {"load-error", E, "top-level code threw while loading; browsers then ignore the whole PAC",
     "make the top-level code run without throwing"},
    {"no-entrypoint", E, "FindProxyForURL is not defined as a function",
     "define function FindProxyForURL(url, host) { ... }"},
    {"call-error", E, "FindProxyForURL failed on a sample URL; Chromium then goes DIRECT silently",
     "make every path return a string; check the helper arguments"},
    {"too-large", E, "over 1 MiB: Chromium and WinHTTP refuse the file",
     "shrink the file (group domains, use shExpMatch patterns)"},
    {"hosted-size", W, "over 256 KiB: hosted PAC services refuse it", "shrink the file"},
    {"non-ascii", W, "non-ASCII characters: Chromium decodes a PAC without charset as Latin-1",
     "use ASCII only (punycode for IDN names, \\u escapes in strings)"},
    {"shexp-regex", W, "shExpMatch treats characters other than * ? . as regex syntax in browsers",
     "remove or avoid the metacharacter; use * and ? only"},
    {"domain-no-dot", W, "dnsDomainIs without a leading dot also matches 'evilexample.com'",
     "write the domain with a leading dot: \".example.com\""},
    {"dns-before-string", W,
     "a DNS helper on host before cheap string rules costs a lookup on every request",
     "put the shExpMatch/dnsDomainIs rules first, then resolve once"},
    {"repeated-dns", W, "the same name is resolved several times in one call",
     "resolve once: var ip = dnsResolve(host); then isInNet(ip, ...)"},
    {"my-ip-address", W, "myIpAddress is unreliable on multi-homed and VPN hosts (often 127.0.0.1)",
     "decide on the destination instead, or use myIpAddressEx"},
    {"timerange-args", W, "timeRange with 3 or 5 arguments is not a valid form; browsers disagree",
     "use 1, 2, 4 or 6 numeric arguments (optionally followed by \"GMT\")"},
    {"nonportable-token", W, "this result token is not understood the same way by every client",
     "use PROXY, SOCKS4 or SOCKS5 (with DIRECT) for results every client reads alike"},
    {"bad-result", E, "a returned proxy string that does not parse: the entry is dropped",
     "write entries as DIRECT, PROXY host:port, SOCKS5 host:port ... separated by ';'"},
};

bool is_call(const std::vector<js_token>& t, std::size_t i, std::string_view name) {
  if (t[i].type != kind::identifier || t[i].text != name) return false;
  if (i + 1 >= t.size() || !is_punct(t[i + 1], "(")) return false;
  if (i > 0 && (is_punct(t[i - 1], ".") || (t[i - 1].type == kind::keyword && t[i - 1].text == "function")))
    return false;
  return true;
}

struct arg_range {
  std::size_t begin, end;  // token indices [begin, end)
};

// The arguments of the call whose `(` is at `open`.
std::vector<arg_range> call_args(const std::vector<js_token>& t, std::size_t open) {
  std::vector<arg_range> out;
  int depth = 0;
  std::size_t start = open + 1;
  for (std::size_t k = open + 1; k < t.size(); ++k) {
    if (t[k].type != kind::punct) continue;
    auto x = t[k].text;
    if (x == "(" || x == "[" || x == "{") {
      ++depth;
    } else if (x == ")" || x == "]" || x == "}") {
      if (depth == 0) {
        if (k > start) out.push_back({start, k});
        return out;
      }
      --depth;
    } else if (x == "," && depth == 0) {
      out.push_back({start, k});
      start = k + 1;
    }
  }
  return out;
}

std::string arg_text(const std::vector<js_token>& t, const arg_range& a) {
  std::string out;
  for (std::size_t k = a.begin; k < a.end; ++k) out += t[k].text;
  return out;
}

bool single_string(const std::vector<js_token>& t, const arg_range& a) {
  return a.end == a.begin + 1 && t[a.begin].type == kind::string;
}

std::string upper(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return o;
}

// Splits a result string into its elements' type tokens; empty if it does not look like a result.
std::vector<std::string> result_types(std::string_view v) {
  static const std::vector<std::string> types = {"DIRECT", "PROXY",  "HTTP",   "HTTPS",
                                                 "SOCKS",  "SOCKS4", "SOCKS5", "QUIC"};
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= v.size()) {
    auto semi = v.find(';', pos);
    auto el = v.substr(pos, semi == std::string_view::npos ? v.npos : semi - pos);
    pos = semi == std::string_view::npos ? v.size() + 1 : semi + 1;
    while (!el.empty() && std::isspace(static_cast<unsigned char>(el.front()))) el.remove_prefix(1);
    if (el.empty()) continue;
    auto sp = el.find_first_of(" \t");
    std::string type = upper(el.substr(0, sp));
    if (std::find(types.begin(), types.end(), type) == types.end()) return {};
    if (type != "DIRECT" && sp == std::string_view::npos) return {};
    out.push_back(type);
  }
  return out;
}

void check_strings(const std::vector<js_token>& t, std::vector<lint_finding>& out) {
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i].type != kind::string) continue;
    bool concatenated = (i > 0 && is_punct(t[i - 1], "+")) || (i + 1 < t.size() && is_punct(t[i + 1], "+"));
    bool returned = i > 0 && t[i - 1].type == kind::keyword && t[i - 1].text == "return";
    std::string v = js_string_value(t[i]);
    auto types = result_types(v);
    for (const auto& ty : types) {
      std::string msg;
      if (ty == "SOCKS") msg = "\"SOCKS\" means SOCKS v4 in browsers but v5 in many other clients";
      else if (ty == "HTTP") msg = "\"HTTP\" is understood by Chromium and Firefox only; others drop it";
      else if (ty == "HTTPS") msg = "\"HTTPS\" proxies are not understood by WinHTTP or older clients";
      else if (ty == "QUIC") msg = "\"QUIC\" is Chromium-only (and deprecated there)";
      if (!msg.empty()) {
        out.push_back(make_finding("nonportable-token", t[i].line, t[i].column, msg + " in " + std::string(t[i].text)));
      }
    }
    if (concatenated || (types.empty() && !returned)) continue;
    auto parsed = wpadkit::parse_proxy_list(v);
    if (parsed.warnings.empty()) continue;
    std::string why;
    for (const auto& w : parsed.warnings) why += (why.empty() ? "" : "; ") + w;
    out.push_back(make_finding("bad-result", t[i].line, t[i].column,
                               "result " + std::string(t[i].text) + ": " + why));
  }
}

const std::vector<std::string_view> dns_helpers = {"dnsResolve", "dnsResolveEx", "isResolvable",
                                                   "isResolvableEx", "isInNet", "isInNetEx"};
const std::vector<std::string_view> cheap_helpers = {"shExpMatch", "dnsDomainIs", "isPlainHostName",
                                                     "localHostOrDomainIs", "dnsDomainLevels"};

// The body [begin, end) of each function in the script (nested functions included in their parent).
std::vector<std::pair<std::size_t, std::size_t>> entry_bodies(const std::vector<js_token>& t) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (std::size_t i = 0; i + 1 < t.size(); ++i) {
    if (!(t[i].type == kind::keyword && t[i].text == "function")) continue;
    if (t[i + 1].text != "FindProxyForURL" && t[i + 1].text != "FindProxyForURLEx") continue;
    std::size_t k = i + 2;
    while (k < t.size() && !is_punct(t[k], "{")) ++k;
    int depth = 0;
    std::size_t start = k;
    for (; k < t.size(); ++k) {
      if (is_punct(t[k], "{")) ++depth;
      if (is_punct(t[k], "}") && --depth == 0) break;
    }
    out.emplace_back(start, k);
  }
  if (out.empty()) out.emplace_back(0, t.size());
  return out;
}

bool is_ip_literal_arg(const std::vector<js_token>& t, const arg_range& a) {
  if (!single_string(t, a)) return false;
  std::string v = js_string_value(t[a.begin]);
  return !v.empty() && std::all_of(v.begin(), v.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == ':';
  });
}

void check_dns_order(const std::vector<js_token>& t, std::vector<lint_finding>& out) {
  for (auto [begin, end] : entry_bodies(t)) {
    std::size_t first_dns = end;
    std::size_t last_cheap = begin;
    bool cheap_seen_after = false;
    std::map<std::string, std::vector<std::size_t>> lookups;  // argument text → call sites
    for (std::size_t i = begin; i < end; ++i) {
      for (auto h : dns_helpers) {
        if (!is_call(t, i, h)) continue;
        auto args = call_args(t, i + 1);
        if (args.empty() || is_ip_literal_arg(t, args[0])) continue;
        std::string a0 = arg_text(t, args[0]);
        // Only `host` and literal names are known to be names; a variable usually holds an address.
        if (a0 != "host" && !single_string(t, args[0])) continue;
        lookups[a0].push_back(i);
        if (a0 == "host" && first_dns == end) first_dns = i;
      }
      for (auto h : cheap_helpers) {
        if (is_call(t, i, h)) {
          last_cheap = i;
          if (first_dns != end) cheap_seen_after = true;
        }
      }
    }
    if (cheap_seen_after) {
      out.push_back(make_finding(
          "dns-before-string", t[first_dns].line, t[first_dns].column,
          std::string(t[first_dns].text) + "(host) runs before the string rule at line " +
              std::to_string(t[last_cheap].line) + ": every request pays a DNS lookup first"));
    }
    for (const auto& [arg, sites] : lookups) {
      if (sites.size() < 2) continue;
      std::string lines;
      for (auto s : sites) lines += (lines.empty() ? "" : ", ") + std::to_string(t[s].line);
      const auto& second = t[sites[1]];
      out.push_back(make_finding("repeated-dns", second.line, second.column,
                                 "'" + arg + "' is resolved " + std::to_string(sites.size()) +
                                     " times in one call (lines " + lines + ")"));
    }
  }
}

void check_calls(const std::vector<js_token>& t, std::vector<lint_finding>& out) {
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (is_call(t, i, "shExpMatch")) {
      auto args = call_args(t, i + 1);
      if (args.size() >= 2 && single_string(t, args[1])) {
        std::string pat = js_string_value(t[args[1].begin]);
        auto bad = pat.find_first_of("[]()+^$|{}\\");
        if (bad != std::string::npos) {
          const auto& tok = t[args[1].begin];
          out.push_back(make_finding("shexp-regex", tok.line, tok.column,
                                     "shExpMatch pattern " + std::string(tok.text) + " contains '" +
                                         pat[bad] + "', which browsers treat as regex syntax"));
        }
      }
    } else if (is_call(t, i, "dnsDomainIs")) {
      auto args = call_args(t, i + 1);
      if (args.size() >= 2 && single_string(t, args[1])) {
        std::string dom = js_string_value(t[args[1].begin]);
        if (!dom.empty() && dom.front() != '.') {
          const auto& tok = t[args[1].begin];
          out.push_back(make_finding("domain-no-dot", tok.line, tok.column,
                                     "dnsDomainIs(..., " + std::string(tok.text) + ") also matches 'x" +
                                         dom + "'",
                                     "write \"." + dom + "\" (or compare host == \"" + dom + "\")"));
        }
      }
    } else if (is_call(t, i, "myIpAddress")) {
      out.push_back(make_finding("my-ip-address", t[i].line, t[i].column,
                                 "myIpAddress() depends on the client's interfaces"));
    } else if (is_call(t, i, "timeRange")) {
      auto args = call_args(t, i + 1);
      std::size_t n = args.size();
      if (n > 0 && single_string(t, args[n - 1]) && upper(js_string_value(t[args[n - 1].begin])) == "GMT") --n;
      if (n == 3 || n == 5) {
        out.push_back(make_finding("timerange-args", t[i].line, t[i].column,
                                   "timeRange with " + std::to_string(n) + " time arguments"));
      }
    }
  }
}

void check_text(std::string_view s, std::vector<lint_finding>& out) {
  if (s.size() > wpadkit::limits::pac_max_bytes) {
    out.push_back(make_finding("too-large", 1, 1, std::to_string(s.size()) + " bytes, over 1 MiB"));
  } else if (s.size() > wpadkit::limits::pac_hosted_max_bytes) {
    out.push_back(make_finding("hosted-size", 1, 1, std::to_string(s.size()) + " bytes, over 256 KiB"));
  }
  int line = 1;
  std::size_t line_start = 0;
  bool reported = false;
  std::size_t start = s.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;  // a BOM is fine
  for (std::size_t i = start; i < s.size(); ++i) {
    if (s[i] == '\n') {
      ++line;
      line_start = i + 1;
      reported = false;
    } else if (static_cast<unsigned char>(s[i]) >= 0x80 && !reported) {
      out.push_back(make_finding("non-ascii", line, static_cast<int>(i - line_start) + 1,
                                 "non-ASCII character on this line"));
      reported = true;
    }
  }
}

}  // namespace

const std::vector<lint_rule>& lint_rule_table() { return rules; }

const lint_rule& lint_rule_by_id(std::string_view id) {
  for (const auto& r : rules) {
    if (r.id == id) return r;
  }
  throw std::logic_error("unknown lint rule " + std::string(id));
}

lint_finding make_finding(std::string_view id, int line, int column, std::string message,
                          std::string fix) {
  const auto& r = lint_rule_by_id(id);
  return {std::string(id), r.severity, line, column,
          std::move(message) + " (" + std::string(r.why) + ")",
          fix.empty() ? std::string(r.fix) : std::move(fix)};
}

std::vector<lint_finding> lint_static(std::string_view source) {
  std::vector<lint_finding> out;
  auto tokens = tokenize_js(source);
  check_text(source, out);
  check_calls(tokens, out);
  check_dns_order(tokens, out);
  check_strings(tokens, out);
  std::stable_sort(out.begin(), out.end(), [](const lint_finding& a, const lint_finding& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  return out;
}

}  // namespace pactool
