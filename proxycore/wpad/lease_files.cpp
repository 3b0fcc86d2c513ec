#include "proxycore/wpad/lease_files.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace wpadkit::wpad {
namespace {

namespace fs = std::filesystem;

std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// "687474" or "68:74:74" → bytes; nullopt when not hex.
std::optional<std::string> decode_hex(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == ':') {
      ++i;
      continue;
    }
    const int hi = hex_value(s[i]);
    // dhclient may print a single digit for bytes below 0x10 ("a:b").
    if (hi < 0) return std::nullopt;
    int lo = i + 1 < s.size() ? hex_value(s[i + 1]) : -1;
    if (lo < 0) {
      out.push_back(static_cast<char>(hi));
      i += 1;
    } else {
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    }
  }
  return out;
}

// A dhclient quoted string with C escapes (\" \\ \nnn octal).
std::string unquote(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out.push_back(s[i]);
      continue;
    }
    if (i + 3 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isdigit(static_cast<unsigned char>(s[i + 2])) &&
        std::isdigit(static_cast<unsigned char>(s[i + 3]))) {
      out.push_back(static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(s[++i]);
    }
  }
  return out;
}

bool is_wpad_option_name(std::string_view name) {
  static const char* const names[] = {"wpad",           "wpad-url",     "wpad-proxy-url",
                                      "auto-proxy-config", "proxy-auto-discovery", "unknown-252",
                                      "option-252"};
  return std::any_of(std::begin(names), std::end(names), [&](const char* n) { return name == n; });
}

}  // namespace

std::optional<lease_option> read_dhclient_lease(std::string_view text) {
  std::optional<lease_option> found;
  std::string interface;
  std::istringstream in{std::string(text)};
  std::string raw;
  while (std::getline(in, raw)) {
    std::string_view line = trim(raw);
    if (line.rfind("lease", 0) == 0 && line.find('{') != std::string_view::npos) interface.clear();
    if (line.rfind("interface ", 0) == 0) {
      auto v = trim(line.substr(10));
      if (!v.empty() && v.back() == ';') v = trim(v.substr(0, v.size() - 1));
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      interface = unquote(v);
      if (found && found->interface.empty()) found->interface = interface;
      continue;
    }
    if (line.rfind("option ", 0) != 0) continue;
    line = trim(line.substr(7));
    const auto space = line.find_first_of(" \t");
    if (space == std::string_view::npos) continue;
    if (!is_wpad_option_name(line.substr(0, space))) continue;
    auto value = trim(line.substr(space));
    if (!value.empty() && value.back() == ';') value = trim(value.substr(0, value.size() - 1));
    lease_option opt;
    opt.interface = interface;
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      opt.value = unquote(value.substr(1, value.size() - 2));
    } else if (auto bytes = decode_hex(value)) {
      opt.value = *bytes;
    } else {
      opt.value = std::string(value);
    }
    found = std::move(opt);  // a later lease replaces an earlier one
  }
  return found;
}

std::optional<lease_option> read_networkmanager_lease(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::string raw, section;
  while (std::getline(in, raw)) {
    const auto line = trim(raw);
    if (!line.empty() && line.front() == '[') {
      section = std::string(line);
      continue;
    }
    if (section != "[dhcp4]") continue;
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    const auto key = trim(line.substr(0, eq));
    if (key == "wpad" || key == "option_252" || key == "private_252") {
      return lease_option{{}, std::string(trim(line.substr(eq + 1)))};
    }
  }
  return std::nullopt;
}

std::optional<lease_option> read_networkd_lease(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::string raw;
  while (std::getline(in, raw)) {
    const auto line = trim(raw);
    if (line.rfind("OPTION_252=", 0) == 0) {
      if (auto bytes = decode_hex(line.substr(11))) return lease_option{{}, *bytes};
      return lease_option{{}, std::string(line.substr(11))};
    }
  }
  return std::nullopt;
}

std::vector<dhcp_lookup> dhcp_lease_source::query() {
  using reader = std::optional<lease_option> (*)(std::string_view);
  struct place {
    const char* dir;
    const char* kind;
    reader read;
    bool any_name;  // every file in the directory, or only *.lease / *.leases
  };
  static const place places[] = {
      {"var/lib/dhcp", "dhclient", read_dhclient_lease, false},
      {"var/lib/dhclient", "dhclient", read_dhclient_lease, false},
      {"var/lib/NetworkManager", "dhclient", read_dhclient_lease, false},
      {"run/NetworkManager/devices", "NetworkManager", read_networkmanager_lease, true},
      {"run/systemd/netif/leases", "systemd-networkd", read_networkd_lease, true},
  };
  std::vector<dhcp_lookup> out;
  for (const auto& p : places) {
    std::error_code ec;
    const fs::path dir = fs::path(root_) / p.dir;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      const auto name = e.path().filename().string();
      const bool lease_name = name.find(".lease") != std::string::npos;
      if (e.is_regular_file(ec) && (p.any_name || lease_name)) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      dhcp_lookup l;
      l.source = std::string(p.kind) + " lease file " + f.string();
      std::ifstream in(f, std::ios::binary);
      if (!in) {
        const bool denied = errno == EACCES;
        l.option252 = error(denied ? errc::permission : errc::io,
                            std::string("cannot read: ") + std::strerror(errno))
                          .at(f.string());
        out.push_back(std::move(l));
        continue;
      }
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (auto opt = p.read(text)) {
        if (!opt->interface.empty()) l.source += " (" + opt->interface + ")";
        l.option252 = std::optional<std::string>(opt->value);
      }
      out.push_back(std::move(l));
    }
  }
  if (out.empty()) {
    dhcp_lookup none;
    none.source = "lease files";
    none.option252 = error(errc::io, "no dhclient, NetworkManager or systemd-networkd lease file found")
                         .at(root_);
    out.push_back(std::move(none));
  }
  return out;
}

}  // namespace wpadkit::wpad
