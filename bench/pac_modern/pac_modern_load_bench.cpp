// pac_modern_load_bench: what loading a PAC costs on the ES2015+ path (down-levelled by Bublé in
// Duktape, pac_downlevel.hpp) against the ES5 path, in the same process.
//
//   pac_modern_load_bench ROUNDS MODERN.pac ES5.pac
//
// A load is one engine::load(text): pre-pass, down-level when needed, compile, top level run; what
// `pactool eval` and every PAC reload do. Printed per file: the first load in this process (for the
// modern file it starts the down-level compiler: its bundle compiled and run once per process, which
// the ES5 file never pays), then the best and the median of ROUNDS loads, in wall and process-CPU
// milliseconds, and whether the script was down-levelled. Judge by the CPU figures on a busy machine. The modern file is loaded first, so that
// its first load carries every once-per-process cost of the engine too (the helper library).
// This is a program edge: errors are printed and exit non-zero.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/pac_eval/bench_support.hpp"
#include "proxycore/pac/pac_compiled.hpp"
#include "proxycore/pac/pac_downlevel.hpp"
#include "proxycore/pac/pac_engine.hpp"

namespace {

using namespace wpadkit;

struct timing {
  double wall_ms;
  double cpu_ms;
};

timing load_once(const std::string& text, const std::string& name, const pac::environment& env) {
  double cpu0 = bench::process_cpu_seconds();
  auto t0 = std::chrono::steady_clock::now();
  auto e = pac::engine::load(text, name, env);
  double wall = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (!e) throw std::runtime_error(e.error().to_string());
  return {wall, (bench::process_cpu_seconds() - cpu0) * 1e3};
}

void report(const char* label, const std::string& name, const std::string& text, int rounds,
            const pac::environment& env) {
  auto runs_before = pac::downlevel_runs();
  timing first = load_once(text, name, env);
  bool down = pac::downlevel_runs() != runs_before;
  std::vector<timing> t;
  for (int i = 0; i < rounds; ++i) t.push_back(load_once(text, name, env));
  std::sort(t.begin(), t.end(), [](const timing& a, const timing& b) { return a.wall_ms < b.wall_ms; });
  std::vector<double> cpu;
  for (const auto& x : t) cpu.push_back(x.cpu_ms);
  std::sort(cpu.begin(), cpu.end());
  std::printf("%-6s %-16s %7zu bytes  %-13s first load %6.1f ms (cpu %6.1f)  then best %6.1f ms, "
              "median %6.1f (cpu best %6.1f, median %6.1f)\n",
              label, name.c_str(), text.size(), down ? "down-levelled" : "ES5 path", first.wall_ms,
              first.cpu_ms, t.front().wall_ms, t[t.size() / 2].wall_ms, cpu.front(), cpu[cpu.size() / 2]);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc != 4) {
      std::cerr << "usage: pac_modern_load_bench ROUNDS MODERN.pac ES5.pac\n";
      return 2;
    }
    int rounds = std::max(1, std::stoi(argv[1]));
    auto env = bench::fixed_environment();
    std::string modern = bench::read_file(argv[2]);
    std::string es5 = bench::read_file(argv[3]);
    report("ES2015", argv[2], modern, rounds, env);
    report("ES5", argv[3], es5, rounds, env);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "pac_modern_load_bench: " << e.what() << "\n";
    return 1;
  }
}
