// pac::environment — the real and fixed clocks and local-address sources (see pac_environment.hpp).
//
// probed_local_addresses follows Chromium's MyIpAddress (net/proxy_resolution/pac_library.cc): ask the
// routing table which source address it would use towards a public IPv4 and a public IPv6 address by
// connect()ing a UDP socket (a UDP connect sends no packet), keep those that are not loopback or
// link-local, then add the addresses the host's own name resolves to.
#include "proxycore/pac/pac_environment.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace wpadkit::pac {
namespace {

class fixed_clock_impl final : public clock {
 public:
  explicit fixed_clock_impl(std::chrono::system_clock::time_point at) : at_(at) {}
  std::chrono::system_clock::time_point now() const override { return at_; }

 private:
  std::chrono::system_clock::time_point at_;
};

class system_clock_impl final : public clock {
 public:
  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::now();
  }
};

class fixed_local_impl final : public local_addresses {
 public:
  explicit fixed_local_impl(std::vector<dns::address> a) : addrs_(std::move(a)) {}
  std::vector<dns::address> addresses() const override { return addrs_; }

 private:
  std::vector<dns::address> addrs_;
};

bool usable(const dns::address& a) {
  if (a.is_unspecified() || a.is_loopback()) return false;
  if (a.is_v4()) {
    auto b = a.to_v4().to_bytes();
    return !(b[0] == 169 && b[1] == 254);
  }
  auto v6 = a.to_v6();
  return !v6.is_link_local() && !(v6.is_v4_mapped() && !usable(v6.to_v4()));
}

// The source address the kernel picks for a UDP socket connected to `peer`; nothing is sent.
std::optional<dns::address> route_source(const dns::address& peer) {
  int fam = peer.is_v4() ? AF_INET : AF_INET6;
  int fd = ::socket(fam, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  std::optional<dns::address> out;
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (peer.is_v4()) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(80);
    auto b = peer.to_v4().to_bytes();
    std::memcpy(&sin->sin_addr, b.data(), b.size());
    len = sizeof(sockaddr_in);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(80);
    auto b = peer.to_v6().to_bytes();
    std::memcpy(&sin6->sin6_addr, b.data(), b.size());
    len = sizeof(sockaddr_in6);
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0) {
    sockaddr_storage local{};
    socklen_t llen = sizeof local;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &llen) == 0) {
      if (local.ss_family == AF_INET) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&local);
        std::array<unsigned char, 4> b{};
        std::memcpy(b.data(), &sin->sin_addr, 4);
        out = boost::asio::ip::address_v4(b);
      } else if (local.ss_family == AF_INET6) {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&local);
        std::array<unsigned char, 16> b{};
        std::memcpy(b.data(), &sin6->sin6_addr, 16);
        out = boost::asio::ip::address_v6(b);
      }
    }
  }
  ::close(fd);
  return out;
}

class probed_local_impl final : public local_addresses {
 public:
  explicit probed_local_impl(std::shared_ptr<dns::host_resolver> r) : resolver_(std::move(r)) {}

  std::vector<dns::address> addresses() const override {
    std::vector<dns::address> out;
    auto add = [&out](const dns::address& a) {
      if (usable(a) && std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
    };
    // Google's public DNS addresses, as Chromium uses: only the route matters, nothing is sent.
    if (auto a = route_source(boost::asio::ip::make_address("8.8.8.8"))) add(*a);
    if (auto a = route_source(boost::asio::ip::make_address("2001:4860:4860::8888"))) add(*a);
    if (resolver_) {
      std::array<char, 256> name{};
      if (::gethostname(name.data(), name.size() - 1) == 0 && name[0] != '\0') {
        if (auto r = resolver_->resolve(name.data(), dns::family::any)) {
          for (const auto& a : r->addresses) add(a);
        }
      }
    }
    return out;
  }

 private:
  std::shared_ptr<dns::host_resolver> resolver_;
};

}  // namespace

std::shared_ptr<const clock> fixed_clock(std::chrono::system_clock::time_point at) {
  return std::make_shared<fixed_clock_impl>(at);
}

std::shared_ptr<const clock> system_clock() { return std::make_shared<system_clock_impl>(); }

std::shared_ptr<const local_addresses> fixed_local_addresses(std::vector<dns::address> addrs) {
  return std::make_shared<fixed_local_impl>(std::move(addrs));
}

std::shared_ptr<const local_addresses> probed_local_addresses(
    std::shared_ptr<dns::host_resolver> resolver) {
  return std::make_shared<probed_local_impl>(std::move(resolver));
}

}  // namespace wpadkit::pac
