#pragma once
// What the two PAC benchmark programs share: reading an input file, the fixed environment every
// measured engine gets (no DNS, a fixed clock and address, so runs are repeatable), and the process's
// CPU time.
#include <time.h>

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include "proxycore/dns/fixed_resolver.hpp"
#include "proxycore/pac/pac_environment.hpp"

namespace wpadkit::bench {

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline pac::environment fixed_environment() {
  pac::environment env;
  env.resolver = std::make_shared<dns::fixed_resolver>();
  env.time = pac::fixed_clock(std::chrono::system_clock::time_point(std::chrono::hours(24 * 20000)));
  env.local = pac::fixed_local_addresses({boost::asio::ip::make_address("192.0.2.10")});
  return env;
}

inline double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace wpadkit::bench
