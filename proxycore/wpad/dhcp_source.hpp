#pragma once
// dhcp_source: the seam through which WPAD discovery learns DHCP option 252. Two implementations:
//   - dhcp_inform_source: sends a DHCPINFORM on each chosen interface and reads the DHCPACK
//     (needs UDP port 68: root or CAP_NET_BIND_SERVICE, plus CAP_NET_RAW for SO_BINDTODEVICE);
//   - dhcp_lease_source (lease_files.hpp): what the host's DHCP client recorded — no privileges.
// A test double is a class returning canned lookups.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proxycore/base/error.hpp"

namespace wpadkit::wpad {

// One place DHCP was asked (an interface, a lease file) and what it said.
struct dhcp_lookup {
  std::string source;  // "DHCPINFORM on eth0", "lease file /var/lib/dhcp/dhclient.eth0.leases"
  std::string server;  // the DHCP server's identifier, when known
  // The raw option 252 value; nullopt when the answer had none. Errors: errc::timeout (no answer),
  // errc::permission (port 68), errc::io (socket trouble), errc::parse (a malformed reply).
  result<std::optional<std::string>> option252 = std::optional<std::string>();
  std::chrono::milliseconds elapsed{0};
};

class dhcp_source {
 public:
  virtual ~dhcp_source() = default;
  // Asks every place this source knows, in order; blocks for at most the source's own deadlines.
  virtual std::vector<dhcp_lookup> query() = 0;
};

struct dhcp_inform_options {
  std::vector<std::string> interfaces;  // empty: every interface that is up, with IPv4, not loopback
  int attempts = 3;                     // DHCPINFORMs per interface (RFC 2131 4.1 retransmission)
  std::chrono::milliseconds first_timeout{1000};  // doubled after each unanswered attempt
  std::chrono::milliseconds max_timeout{4000};
};

// Sends DHCPINFORM from 0.0.0.0:68 to 255.255.255.255:67 on each interface (SO_BINDTODEVICE),
// parameter request list {252}, and waits for the DHCPACK with the same xid. Not thread-safe.
class dhcp_inform_source final : public dhcp_source {
 public:
  explicit dhcp_inform_source(dhcp_inform_options options) : options_(std::move(options)) {}
  std::vector<dhcp_lookup> query() override;

 private:
  dhcp_lookup ask(const std::string& interface);
  dhcp_inform_options options_;
};

// Names of the interfaces a DHCPINFORM would go out on (up, IPv4, not loopback), for diagnostics.
std::vector<std::string> dhcp_capable_interfaces();

// Asks each source in turn and concatenates their lookups.
class dhcp_source_chain final : public dhcp_source {
 public:
  explicit dhcp_source_chain(std::vector<std::unique_ptr<dhcp_source>> sources)
      : sources_(std::move(sources)) {}
  std::vector<dhcp_lookup> query() override;

 private:
  std::vector<std::unique_ptr<dhcp_source>> sources_;
};

}  // namespace wpadkit::wpad
