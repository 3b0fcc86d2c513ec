#pragma once
// snippets: ready-to-paste WPAD configuration for the DHCP and DNS servers a LAN runs, filled with
// the configured PAC URL: dnsmasq (DHCP option 252 and a wpad host record), ISC dhcpd, BIND, and
// Windows DHCP/DNS (PowerShell), including removing "wpad" from the Windows DNS global query block
// list, which otherwise answers NXDOMAIN for wpad names.
#include <string>

#include "pacserver/config.hpp"

namespace wpadkit::pacserver {

// The PAC URL clients are told: server.public_url, else derived from the first listen address.
std::string pac_url(const server_config& config);

std::string render_snippets(const server_config& config);

}  // namespace wpadkit::pacserver
