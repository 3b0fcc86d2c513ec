#include "pactool/engine_flags.hpp"

#include <cctype>
#include <charconv>
#include <ctime>

#include "proxycore/dns/ares_resolver.hpp"
#include "proxycore/dns/cached_resolver.hpp"
#include "proxycore/dns/fixed_resolver.hpp"

namespace pactool {

using wpadkit::errc;
using wpadkit::error;
using wpadkit::result;

void add_engine_flags(CLI::App& cmd, engine_flags& flags) {
  auto* g = "Environment (what the PAC sees)";
  cmd.add_flag("--offline", flags.offline, "No real DNS: only --dns names and IP literals resolve")
      ->group(g);
  cmd.add_option("--dns", flags.dns, "NAME=IP answer for DNS lookups (repeatable; IPv4 or IPv6)")
      ->type_name("NAME=IP")
      ->allow_extra_args(false)
      ->group(g);
  cmd.add_option("--my-ip", flags.my_ip, "Local address myIpAddress sees (repeatable; 'none')")
      ->type_name("IP")
      ->allow_extra_args(false)
      ->group(g);
  cmd.add_option("--now", flags.now, "The instant the script sees as now (ISO-8601)")
      ->type_name("TIME")
      ->group(g);
  cmd.add_option("--timeout", flags.timeout_ms, "Time limit of one FindProxyForURL call, ms")
      ->type_name("MS")
      ->check(CLI::Range(1L, 3600L * 1000))
      ->group(g);
  cmd.add_option("--profile", flags.profile, "Compatibility profile: chrome (default) or winhttp")
      ->check(CLI::IsMember({"chrome", "winhttp"}))
      ->group(g);
  cmd.add_option("--max-size", flags.max_size, "Largest PAC file accepted (default 1M)")
      ->type_name("BYTES")
      ->group(g);
}

result<wpadkit::dns::address> parse_address(std::string_view text) {
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(std::string(text), ec);
  if (ec) return error(errc::parse, "'" + std::string(text) + "' is not an IPv4 or IPv6 address");
  return addr;
}

result<std::pair<std::string, wpadkit::dns::address>> parse_dns_mapping(std::string_view text) {
  auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == text.size()) {
    return error(errc::parse, "--dns '" + std::string(text) + "': expected NAME=IP");
  }
  auto name = text.substr(0, eq);
  for (char c : name) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      return error(errc::parse, "--dns '" + std::string(text) + "': the name contains a space");
    }
  }
  auto addr = parse_address(text.substr(eq + 1));
  if (!addr) {
    return error(errc::parse, "--dns '" + std::string(text) + "': " + addr.error().message);
  }
  return std::pair{std::string(name), *addr};
}

namespace {

// Reads exactly `n` digits at `pos`.
bool digits(std::string_view s, std::size_t& pos, int n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  pos += n;
  return true;
}

bool days_valid(int y, int m, int d) {
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int limit = mdays[m - 1] + (m == 2 && leap ? 1 : 0);
  return d <= limit;
}

}  // namespace

result<std::chrono::system_clock::time_point> parse_instant(std::string_view text) {
  auto bad = [&](std::string why) {
    return error(errc::parse, "--now '" + std::string(text) + "': " + why +
                                  " (expected e.g. 2026-03-01T09:30:00Z)");
  };
  std::size_t p = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!digits(text, p, 4, y) || p >= text.size() || text[p++] != '-' || !digits(text, p, 2, mo) ||
      p >= text.size() || text[p++] != '-' || !digits(text, p, 2, d)) {
    return bad("not a date YYYY-MM-DD");
  }
  if (!days_valid(y, mo, d)) return bad("no such date");
  bool has_offset = false;
  int offset_minutes = 0;
  if (p < text.size()) {
    if (text[p] != 'T' && text[p] != 't' && text[p] != ' ') return bad("expected 'T' after the date");
    ++p;
    if (!digits(text, p, 2, h) || p >= text.size() || text[p++] != ':' || !digits(text, p, 2, mi)) {
      return bad("not a time HH:MM[:SS]");
    }
    if (p < text.size() && text[p] == ':') {
      ++p;
      if (!digits(text, p, 2, s)) return bad("bad seconds");
      if (p < text.size() && (text[p] == '.' || text[p] == ',')) {
        ++p;
        std::size_t start = p;
        while (p < text.size() && std::isdigit(static_cast<unsigned char>(text[p]))) ++p;
        if (p == start) return bad("bad fraction of a second");
      }
    }
    if (h > 23 || mi > 59 || s > 60) return bad("time out of range");
    if (p < text.size()) {
      char z = text[p];
      if (z == 'Z' || z == 'z') {
        has_offset = true;
        ++p;
      } else if (z == '+' || z == '-') {
        ++p;
        int oh = 0, om = 0;
        if (!digits(text, p, 2, oh)) return bad("bad UTC offset");
        if (p < text.size() && text[p] == ':') ++p;
        if (p < text.size() && !digits(text, p, 2, om)) return bad("bad UTC offset");
        if (oh > 23 || om > 59) return bad("UTC offset out of range");
        offset_minutes = (z == '+' ? 1 : -1) * (oh * 60 + om);
        has_offset = true;
      }
    }
    if (p != text.size()) return bad("unexpected '" + std::string(text.substr(p)) + "'");
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  std::time_t t;
  if (has_offset) {
    t = ::timegm(&tm) - static_cast<std::time_t>(offset_minutes) * 60;
  } else {
    tm.tm_isdst = -1;
    t = std::mktime(&tm);
  }
  return std::chrono::system_clock::from_time_t(t);
}

result<std::size_t> parse_size(std::string_view text) {
  std::size_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  std::string_view rest(ptr, text.data() + text.size() - ptr);
  std::size_t mult = 1;
  if (rest == "K" || rest == "k" || rest == "KiB") mult = 1024;
  else if (rest == "M" || rest == "m" || rest == "MiB") mult = 1024 * 1024;
  else if (!rest.empty()) ec = std::errc::invalid_argument;
  if (ec != std::errc() || text.empty() || value == 0) {
    return error(errc::parse, "--max-size '" + std::string(text) +
                                  "': expected a positive number of bytes (suffix K or M allowed)");
  }
  return value * mult;
}

result<engine_setup> make_engine_setup(const engine_flags& flags) {
  engine_setup out;
  out.settings.offline = flags.offline;
  for (const auto& m : flags.dns) {
    auto parsed = parse_dns_mapping(m);
    if (!parsed) return parsed.error();
    out.settings.dns.push_back(*parsed);
  }
  if (!flags.my_ip.empty()) {
    std::vector<wpadkit::dns::address> addrs;
    for (const auto& ip : flags.my_ip) {
      if (ip == "none") continue;
      auto a = parse_address(ip);
      if (!a) return error(errc::parse, "--my-ip: " + a.error().message + " (or 'none')");
      addrs.push_back(*a);
    }
    out.settings.my_ip = std::move(addrs);
  }
  if (!flags.now.empty()) {
    auto t = parse_instant(flags.now);
    if (!t) return t.error();
    out.settings.now = *t;
  }
  if (flags.timeout_ms) out.options.call_timeout = std::chrono::milliseconds(*flags.timeout_ms);
  out.options.compat =
      flags.profile == "winhttp" ? wpadkit::pac::profile::winhttp : wpadkit::pac::profile::chrome;
  if (!flags.max_size.empty()) {
    auto sz = parse_size(flags.max_size);
    if (!sz) return sz.error();
    out.options.max_pac_bytes = *sz;
  }
  return out;
}

wpadkit::result<wpadkit::pac::environment> make_environment(const environment_settings& settings) {
  std::shared_ptr<wpadkit::dns::host_resolver> fallback;
  if (!settings.offline) {
    auto ares = wpadkit::dns::ares_resolver::create();
    if (!ares) return ares.error();
    fallback = std::make_shared<wpadkit::dns::cached_resolver>(
        std::shared_ptr<wpadkit::dns::host_resolver>(std::move(*ares)));
  }
  auto table = std::make_shared<wpadkit::dns::fixed_resolver>(fallback);
  for (const auto& [name, addr] : settings.dns) table->add(name, addr);
  wpadkit::pac::environment env;
  env.resolver = table;
  env.time = settings.now ? wpadkit::pac::fixed_clock(*settings.now) : wpadkit::pac::system_clock();
  env.local = settings.my_ip ? wpadkit::pac::fixed_local_addresses(*settings.my_ip)
                             : wpadkit::pac::probed_local_addresses(table);
  return env;
}

}  // namespace pactool
