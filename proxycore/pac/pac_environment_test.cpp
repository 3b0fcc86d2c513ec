// Tests for the PAC environment: fixed and system clocks, fixed local addresses, and the route probe
// (run in a network namespace the test creates, where it must find the namespace's addresses, skip
// loopback and link-local, and send no datagram: the namespace's UDP OutDatagrams counters must not
// move).
#include "proxycore/pac/pac_environment.hpp"

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "proxycore/dns/fixed_resolver.hpp"

using namespace wpadkit;
using namespace wpadkit::pac;
using namespace std::chrono_literals;

namespace {

dns::address ip(const char* s) { return boost::asio::ip::make_address(s); }

// Sum of "Udp: ... OutDatagrams" and "Udp6OutDatagrams" in this network namespace.
long udp_out_datagrams() {
  long total = 0;
  std::ifstream snmp("/proc/net/snmp");
  std::string header, values;
  while (std::getline(snmp, header) && std::getline(snmp, values)) {
    if (!header.starts_with("Udp:")) continue;
    std::istringstream h(header), v(values);
    std::string name, value;
    while (h >> name && v >> value) {
      if (name == "OutDatagrams") total += std::stol(value);
    }
  }
  std::ifstream snmp6("/proc/net/snmp6");
  std::string name;
  long value = 0;
  while (snmp6 >> name >> value) {
    if (name == "Udp6OutDatagrams") total += value;
  }
  return total;
}

std::string host_name() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

// Runs `fn` in a forked child inside a new network namespace; returns what it wrote.
template <class F>
std::string in_new_netns(F fn) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    std::string out = unshare(CLONE_NEWNET) == 0 ? fn() : "unshare failed";
    (void)!write(fds[1], out.data(), out.size());
    _exit(0);
  }
  close(fds[1]);
  std::string out;
  char buf[512];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return out;
}

std::string joined(const std::vector<dns::address>& a) {
  std::string s;
  for (const auto& x : a) s += (s.empty() ? "" : ";") + x.to_string();
  return s;
}

}  // namespace

TEST_CASE("clocks") {
  auto at = std::chrono::system_clock::time_point(1234567890s);
  CHECK(fixed_clock(at)->now() == at);
  auto before = std::chrono::system_clock::now();
  auto now = system_clock()->now();
  CHECK(now >= before);
  CHECK(now <= std::chrono::system_clock::now());
}

TEST_CASE("fixed local addresses keep their order") {
  auto l = fixed_local_addresses({ip("10.0.0.2"), ip("2001:db8::1"), ip("10.0.0.1")});
  CHECK(joined(l->addresses()) == "10.0.0.2;2001:db8::1;10.0.0.1");
  CHECK(fixed_local_addresses({})->addresses().empty());
}

TEST_CASE("the route probe finds the namespace's addresses and sends nothing") {
  std::string out = in_new_netns([] {
    int rc = std::system(
        "ip link set lo up && ip link add v0 type veth peer name v1 && "
        "ip addr add 10.77.0.2/24 dev v0 && ip link set v0 up && ip link set v1 up && "
        "ip route add default via 10.77.0.1 && ip -6 addr add fd00:77::2/64 dev v0 nodad && "
        "ip -6 route add default via fd00:77::1 dev v0");
    if (rc != 0) return std::string("setup failed");
    auto table = std::make_shared<dns::fixed_resolver>();
    table->add(host_name(), ip("127.0.1.1"));    // loopback: skipped
    table->add(host_name(), ip("169.254.3.4"));  // link-local: skipped
    table->add(host_name(), ip("fe80::1"));      // link-local: skipped
    table->add(host_name(), ip("10.88.0.5"));    // kept, after the probed ones
    table->add(host_name(), ip("10.77.0.2"));    // already found by the probe
    long before = udp_out_datagrams();
    auto addrs = probed_local_addresses(table)->addresses();
    long after = udp_out_datagrams();
    return joined(addrs) + " sent=" + std::to_string(after - before);
  });
  CHECK(out == "10.77.0.2;fd00:77::2;10.88.0.5 sent=0");
}

TEST_CASE("the route probe finds nothing without routes") {
  std::string out = in_new_netns([] {
    auto addrs = probed_local_addresses(std::make_shared<dns::fixed_resolver>())->addresses();
    return "[" + joined(addrs) + "]";
  });
  CHECK(out == "[]");
}
