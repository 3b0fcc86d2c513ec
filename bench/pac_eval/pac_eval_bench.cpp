// pac_eval_bench: drives wpadkit's PAC engine (pac::engine, one thread) for bench/pac_eval/run.sh.
//
//   pac_eval_bench dump       PAC URLS           one result per URL line (for the cross-check)
//   pac_eval_bench throughput PAC URLS SECONDS   "evals_per_sec N evals_per_cpu_sec M": URLs cycled
//                                                for SECONDS of wall time; M counts process CPU time
//   pac_eval_bench latency    PAC URLS COUNT     "p50_us X p99_us Y": COUNT single evaluations
//
// URLS holds "URL<TAB>HOST" lines. The environment is fixed (an empty DNS table, a fixed clock, one
// local address) so that nothing outside the engine is measured. This is a program edge: errors are
// printed and exit non-zero.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "bench/pac_eval/bench_support.hpp"
#include "proxycore/dns/fixed_resolver.hpp"
#include "proxycore/pac/pac_engine.hpp"
#include "proxycore/pac/pac_environment.hpp"

namespace {

using namespace wpadkit;
using steady = std::chrono::steady_clock;

struct request {
  std::string url;
  std::string host;
};

using bench::read_file;

std::vector<request> read_urls(const std::string& path) {
  std::istringstream in(read_file(path));
  std::vector<request> out;
  for (std::string line; std::getline(in, line);) {
    auto tab = line.find('\t');
    if (tab == std::string::npos) continue;
    out.push_back({line.substr(0, tab), line.substr(tab + 1)});
  }
  if (out.empty()) throw std::runtime_error(path + ": no URL<TAB>HOST lines");
  return out;
}

pac::engine load_engine(const std::string& pac_path) {
  auto loaded = pac::engine::load(read_file(pac_path), pac_path, bench::fixed_environment());
  if (!loaded) throw std::runtime_error(loaded.error().to_string());
  return std::move(*loaded);
}

const std::string& eval(pac::engine& e, const request& r, pac::evaluation& out) {
  auto res = e.find_proxy(r.url, r.host);
  if (!res) throw std::runtime_error(r.url + ": " + res.error().to_string());
  out = std::move(*res);
  return out.result;
}

int run_dump(pac::engine& e, const std::vector<request>& reqs) {
  pac::evaluation ev;
  for (const auto& r : reqs) std::cout << eval(e, r, ev) << '\n';
  return 0;
}

// Process CPU seconds: on a shared machine this is the time we actually had a core.
double cpu_seconds() { return bench::process_cpu_seconds(); }

int run_throughput(pac::engine& e, const std::vector<request>& reqs, double seconds) {
  pac::evaluation ev;
  for (const auto& r : reqs) eval(e, r, ev);  // warm-up: one pass
  long count = 0;
  double cpu_start = cpu_seconds();
  auto start = steady::now();
  auto deadline = start + std::chrono::duration<double>(seconds);
  while (steady::now() < deadline) {
    for (const auto& r : reqs) eval(e, r, ev);
    count += static_cast<long>(reqs.size());
  }
  std::chrono::duration<double> took = steady::now() - start;
  double cpu = cpu_seconds() - cpu_start;
  std::printf("evals_per_sec %.0f evals_per_cpu_sec %.0f\n", static_cast<double>(count) / took.count(),
              static_cast<double>(count) / cpu);
  return 0;
}

int run_latency(pac::engine& e, const std::vector<request>& reqs, long count) {
  pac::evaluation ev;
  for (const auto& r : reqs) eval(e, r, ev);
  std::vector<double> us;
  us.reserve(static_cast<std::size_t>(count));
  for (long i = 0; i < count; ++i) {
    const auto& r = reqs[static_cast<std::size_t>(i) % reqs.size()];
    auto t0 = steady::now();
    eval(e, r, ev);
    us.push_back(std::chrono::duration<double, std::micro>(steady::now() - t0).count());
  }
  std::sort(us.begin(), us.end());
  auto at = [&](double q) { return us[static_cast<std::size_t>(q * static_cast<double>(us.size() - 1))]; };
  std::printf("p50_us %.2f p99_us %.2f\n", at(0.50), at(0.99));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() < 3) {
      std::cerr << "usage: pac_eval_bench dump|throughput|latency PAC URLS [SECONDS|COUNT]\n";
      return 2;
    }
    auto engine = load_engine(args[1]);
    auto reqs = read_urls(args[2]);
    if (args[0] == "dump") return run_dump(engine, reqs);
    if (args[0] == "throughput" && args.size() == 4) return run_throughput(engine, reqs, std::stod(args[3]));
    if (args[0] == "latency" && args.size() == 4) return run_latency(engine, reqs, std::stol(args[3]));
    std::cerr << "pac_eval_bench: bad arguments\n";
    return 2;
  } catch (const std::exception& ex) {
    std::cerr << "pac_eval_bench: " << ex.what() << '\n';
    return 1;
  }
}
