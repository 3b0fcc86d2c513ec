// dhcp_inform_source: DHCPINFORM over a UDP socket bound to port 68 on one interface.
#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "proxycore/wpad/dhcp_message.hpp"
#include "proxycore/wpad/dhcp_source.hpp"

namespace wpadkit::wpad {
namespace {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::uint16_t client_port = 68, server_port = 67;

struct interface_info {
  std::string name;
  std::optional<std::array<std::uint8_t, 4>> ipv4;
  std::array<std::uint8_t, 6> mac{};
  bool up = false, loopback = false;
};

std::vector<interface_info> list_interfaces() {
  std::vector<interface_info> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  auto find = [&](const char* name) -> interface_info& {
    for (auto& i : out) {
      if (i.name == name) return i;
    }
    out.push_back(interface_info{name, std::nullopt, {}, false, false});
    return out.back();
  };
  for (ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
    auto& info = find(a->ifa_name);
    info.up = info.up || (a->ifa_flags & IFF_UP);
    info.loopback = info.loopback || (a->ifa_flags & IFF_LOOPBACK);
    if (a->ifa_addr == nullptr) continue;
    if (a->ifa_addr->sa_family == AF_INET && !info.ipv4) {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
      std::array<std::uint8_t, 4> ip{};
      std::memcpy(ip.data(), &sin->sin_addr, 4);
      info.ipv4 = ip;
    } else if (a->ifa_addr->sa_family == AF_PACKET) {
      const auto* ll = reinterpret_cast<const sockaddr_ll*>(a->ifa_addr);
      if (ll->sll_halen == 6) std::memcpy(info.mac.data(), ll->sll_addr, 6);
    }
  }
  ::freeifaddrs(list);
  return out;
}

// A socket closed on every path out.
class udp_socket {
 public:
  udp_socket() : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {}
  ~udp_socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  udp_socket(const udp_socket&) = delete;
  udp_socket& operator=(const udp_socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

error socket_error(const std::string& interface, const char* what, int err) {
  if (err == EACCES || err == EPERM) {
    return error(errc::permission,
                 std::string("cannot ") + what +
                     ": sending a DHCPINFORM needs UDP port 68 and SO_BINDTODEVICE — run as root, or "
                     "grant the program CAP_NET_BIND_SERVICE and CAP_NET_RAW (setcap "
                     "cap_net_bind_service,cap_net_raw+ep pactool); or rely on the lease files")
        .at(interface);
  }
  if (err == EADDRINUSE) {
    return error(errc::io, std::string("cannot ") + what +
                               ": UDP port 68 is in use (a DHCP client holds it without SO_REUSEADDR)")
        .at(interface);
  }
  return error(errc::io, std::string("cannot ") + what + ": " + std::strerror(err)).at(interface);
}

result<void> prepare(const udp_socket& s, const std::string& interface) {
  if (s.fd() < 0) return socket_error(interface, "open a UDP socket", errno);
  const int on = 1;
  ::setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (::setsockopt(s.fd(), SOL_SOCKET, SO_BROADCAST, &on, sizeof on) != 0) {
    return socket_error(interface, "enable broadcast", errno);
  }
  if (::setsockopt(s.fd(), SOL_SOCKET, SO_BINDTODEVICE, interface.c_str(),
                   static_cast<socklen_t>(interface.size())) != 0) {
    return socket_error(interface, "bind to the interface", errno);
  }
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_port = htons(client_port);
  local.sin_addr.s_addr = htonl(INADDR_ANY);
  if (::bind(s.fd(), reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
    return socket_error(interface, "bind UDP port 68", errno);
  }
  return {};
}

// Waits until `deadline` for a DHCPACK to `xid`; other datagrams are ignored.
result<std::optional<dhcp_reply>> await_ack(int fd, std::uint32_t xid, steady::time_point deadline,
                                            std::vector<std::string>& ignored) {
  std::uint8_t buf[1500];
  for (;;) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - steady::now()).count();
    if (left <= 0) return std::optional<dhcp_reply>();
    pollfd p{fd, POLLIN, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return error(errc::io, std::string("poll: ") + std::strerror(errno));
    if (n == 0) return std::optional<dhcp_reply>();
    const auto got = ::recv(fd, buf, sizeof buf, 0);
    if (got < 0) continue;
    auto reply = parse_dhcp_reply(buf, static_cast<std::size_t>(got));
    if (!reply) {
      ignored.push_back(reply.error().message);
      continue;
    }
    if (reply->xid != xid) continue;
    if (reply->type != dhcp_message_type::ack) {
      ignored.push_back("a DHCP message of type " + std::to_string(static_cast<int>(reply->type)) +
                        " instead of DHCPACK");
      continue;
    }
    return std::optional<dhcp_reply>(std::move(*reply));
  }
}

}  // namespace

std::vector<std::string> dhcp_capable_interfaces() {
  std::vector<std::string> out;
  for (const auto& i : list_interfaces()) {
    if (i.up && !i.loopback && i.ipv4) out.push_back(i.name);
  }
  return out;
}

std::vector<dhcp_lookup> dhcp_inform_source::query() {
  std::vector<dhcp_lookup> out;
  const auto names = options_.interfaces.empty() ? dhcp_capable_interfaces() : options_.interfaces;
  if (names.empty()) {
    dhcp_lookup none;
    none.source = "DHCPINFORM";
    none.option252 = error(errc::config, "no interface is up with an IPv4 address");
    out.push_back(std::move(none));
  }
  for (const auto& name : names) out.push_back(ask(name));
  return out;
}

dhcp_lookup dhcp_inform_source::ask(const std::string& interface) {
  const auto start = steady::now();
  dhcp_lookup out;
  out.source = "DHCPINFORM on " + interface;
  auto finish = [&](result<std::optional<std::string>> r) {
    out.option252 = std::move(r);
    out.elapsed = std::chrono::duration_cast<milliseconds>(steady::now() - start);
    return out;
  };
  interface_info info;
  bool known = false;
  for (auto& i : list_interfaces()) {
    if (i.name == interface) {
      info = i;
      known = true;
    }
  }
  if (!known) return finish(error(errc::config, "no such network interface").at(interface));
  if (!info.up) return finish(error(errc::config, "the interface is down").at(interface));
  if (!info.ipv4) {
    return finish(error(errc::config, "the interface has no IPv4 address (DHCPINFORM is for "
                                      "hosts that already have one)")
                      .at(interface));
  }
  udp_socket sock;
  if (auto ok = prepare(sock, interface); !ok) return finish(ok.error());

  std::random_device rd;
  dhcp_inform_request req;
  req.xid = static_cast<std::uint32_t>(rd());
  req.ciaddr = *info.ipv4;
  req.mac = info.mac;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(server_port);
  to.sin_addr.s_addr = htonl(INADDR_BROADCAST);
  std::vector<std::string> ignored;
  auto timeout = options_.first_timeout;
  for (int attempt = 0; attempt < options_.attempts; ++attempt) {
    req.secs = static_cast<std::uint16_t>(
        std::chrono::duration_cast<std::chrono::seconds>(steady::now() - start).count());
    const auto bytes = build_dhcp_inform(req);
    if (::sendto(sock.fd(), bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&to),
                 sizeof to) < 0) {
      return finish(socket_error(interface, "send the DHCPINFORM", errno));
    }
    auto ack = await_ack(sock.fd(), req.xid, steady::now() + timeout, ignored);
    if (!ack) return finish(ack.error().at(interface));
    if (*ack) {
      out.server = (*ack)->server_id;
      const auto it = (*ack)->options.find(dhcp_option_wpad);
      if (it == (*ack)->options.end()) return finish(std::optional<std::string>());
      return finish(std::optional<std::string>(it->second));
    }
    timeout = std::min(timeout * 2, options_.max_timeout);
  }
  std::string msg = "no DHCPACK after " + std::to_string(options_.attempts) + " DHCPINFORM attempts";
  if (!ignored.empty()) msg += " (ignored: " + ignored.front() + ")";
  return finish(error(errc::timeout, msg).at(interface));
}

std::vector<dhcp_lookup> dhcp_source_chain::query() {
  std::vector<dhcp_lookup> out;
  for (auto& s : sources_) {
    auto part = s->query();
    for (auto& l : part) out.push_back(std::move(l));
  }
  return out;
}

}  // namespace wpadkit::wpad
