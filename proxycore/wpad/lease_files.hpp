#pragma once
// lease_files: option 252 as the host's own DHCP client recorded it — a source that needs no
// privileges. Each reader is a pure function over the file's text; dhcp_lease_source finds the files.
//
// Formats:
//   dhclient (ISC; also NetworkManager's dhclient backend, /var/lib/NetworkManager/dhclient-*.lease):
//     lease { interface "eth0"; ... option wpad "http://wpad.corp/wpad.dat\012"; ... }
//     The option name is whatever dhclient.conf declared for code 252 (`option wpad code 252 =
//     string;` is usual: wpad, wpad-url, auto-proxy-config, proxy-auto-discovery) or
//     `unknown-252`, whose value may be colon-separated hex (68:74:74:70...). Strings use C octal
//     escapes (\012). The last lease in the file wins (dhclient appends).
//   NetworkManager (internal client), /run/NetworkManager/devices/<ifindex>: a keyfile whose
//     [dhcp4] section holds the options by name: `wpad=http://...`.
//   systemd-networkd, /run/systemd/netif/leases/<ifindex>: KEY=VALUE; private options 224-254 are
//     saved as hex: `OPTION_252=687474703a2f2f...`.
//
// Examples (text → raw option value):
//   dhclient  `option wpad "http://a/w.dat";`               → "http://a/w.dat"
//   dhclient  `option unknown-252 68:74:74:70:3a:2f:2f:61;` → "http://a"
//   networkd  `OPTION_252=687474703a2f2f61`                → "http://a"
//   NM        `[dhcp4]\nwpad=http://a/w.dat`               → "http://a/w.dat"
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxycore/wpad/dhcp_source.hpp"

namespace wpadkit::wpad {

struct lease_option {
  std::string interface;  // when the file says (dhclient's `interface`), else empty
  std::string value;      // option 252's raw value
};

std::optional<lease_option> read_dhclient_lease(std::string_view text);
std::optional<lease_option> read_networkmanager_lease(std::string_view text);
std::optional<lease_option> read_networkd_lease(std::string_view text);

// Reads the lease files of dhclient, NetworkManager and systemd-networkd found under `root`
// (default "/": /var/lib/dhcp, /var/lib/dhclient, /var/lib/NetworkManager, /run/NetworkManager/devices,
// /run/systemd/netif/leases). One lookup per file that exists; a file without option 252 is a lookup
// with no value; an unreadable one an errc::io (or errc::permission) lookup. When no lease file
// exists, one lookup saying so (errc::io).
class dhcp_lease_source final : public dhcp_source {
 public:
  explicit dhcp_lease_source(std::string root = "/") : root_(std::move(root)) {}
  std::vector<dhcp_lookup> query() override;

 private:
  std::string root_;
};

}  // namespace wpadkit::wpad
