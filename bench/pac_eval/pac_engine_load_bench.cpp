// pac_engine_load_bench: what one pac::engine load costs, from a compiled_pac (what each pool worker
// and each forwarding-proxy I/O thread does on every PAC load or reload) and from the text.
//
//   pac_engine_load_bench PAC ROUNDS [LOADS]
//
// The script is compiled once (compiled_pac::compile); then each round runs, in turns, LOADS
// engine::load(compiled_pac) and LOADS engine::load(text), each engine destroyed before the next
// load (its heap's teardown is part of what a reload costs). LOADS defaults to as many as take about
// 100 ms of CPU. Printed, per load: the best round's mean in process CPU microseconds (the work done,
// whatever else runs on the machine; threads the load starts count too), the median round's, and the
// best round's wall microseconds. This is a program edge: errors are printed and exit non-zero.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/pac_eval/bench_support.hpp"
#include "proxycore/pac/pac_compiled.hpp"
#include "proxycore/pac/pac_engine.hpp"

namespace {

using namespace wpadkit;

struct samples {
  std::vector<double> cpu_us;  // per load, one entry per round
  std::vector<double> wall_us;
  void print(const char* what) const {
    std::vector<double> c = cpu_us;
    std::sort(c.begin(), c.end());
    std::printf("%-30s %10.1f us cpu (median round %10.1f) %10.1f us wall\n", what, c.front(),
                c[c.size() / 2], *std::min_element(wall_us.begin(), wall_us.end()));
  }
};

// Runs `fn` (which throws on failure) `loads` times and records the mean per call.
template <class F>
void measure(samples& s, int loads, F&& fn) {
  double cpu0 = bench::process_cpu_seconds();
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < loads; ++i) fn();
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  s.cpu_us.push_back((bench::process_cpu_seconds() - cpu0) * 1e6 / loads);
  s.wall_us.push_back(wall * 1e6 / loads);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc != 3 && argc != 4) {
      std::cerr << "usage: pac_engine_load_bench PAC ROUNDS [LOADS]\n";
      return 2;
    }
    std::string name = argv[1];
    std::string text = bench::read_file(name);
    int rounds = std::max(1, std::stoi(argv[2]));
    auto env = bench::fixed_environment();

    auto script = pac::compiled_pac::compile(text, name);
    if (!script) throw std::runtime_error(script.error().to_string());
    auto from_compiled = [&] {
      auto e = pac::engine::load(**script, env);
      if (!e) throw std::runtime_error(e.error().to_string());
    };
    auto from_text = [&] {
      auto e = pac::engine::load(text, name, env);
      if (!e) throw std::runtime_error(e.error().to_string());
    };

    int loads = 0;
    if (argc == 4) {
      loads = std::max(1, std::stoi(argv[3]));
    } else {
      samples probe;
      measure(probe, 1, from_compiled);  // also warms up what a process does once
      measure(probe, 1, from_compiled);
      loads = std::clamp(static_cast<int>(100e3 / std::max(probe.cpu_us.back(), 1.0)), 1, 2000);
    }

    samples compiled, textual;
    for (int r = 0; r < rounds; ++r) {
      measure(compiled, loads, from_compiled);
      measure(textual, loads, from_text);
    }
    std::printf("%s: %zu bytes, %d loads per round, %d rounds\n",
                std::filesystem::path(name).filename().c_str(), text.size(), loads, rounds);
    compiled.print("engine::load(compiled_pac)");
    textual.print("engine::load(text)");
    return 0;
  } catch (const std::exception& ex) {
    std::cerr << "pac_engine_load_bench: " << ex.what() << '\n';
    return 1;
  }
}
