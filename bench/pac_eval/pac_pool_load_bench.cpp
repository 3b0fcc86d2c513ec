// pac_pool_load_bench: how long loading one PAC into a pac::engine_pool of N workers takes, against
// what the pool did before it shared bytecode, measured in the same run.
//
//   pac_pool_load_bench PAC THREADS ROUNDS
//
// Each round, in turns: one engine::load (the pre-pass, compile and top-level run of one worker);
// THREADS engine::load in parallel threads (the pool's old way: every worker compiling the text);
// engine_pool::create(THREADS); and a reload of that pool. The best of ROUNDS is printed for each,
// in wall milliseconds and process CPU milliseconds (on a shared machine the CPU time is the work
// done, the wall time depends on how many cores were free), then the ratios old way / pool. This is
// a program edge: errors are printed and exit non-zero.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/pac_eval/bench_support.hpp"
#include "proxycore/dns/fixed_resolver.hpp"
#include "proxycore/pac/pac_engine.hpp"
#include "proxycore/pac/pac_engine_pool.hpp"
#include "proxycore/pac/pac_environment.hpp"

namespace {

using namespace wpadkit;

using bench::read_file;

double cpu_ms() { return bench::process_cpu_seconds() * 1e3; }

struct cost {
  double wall_ms = 1e300;
  double cpu_ms = 1e300;
  void keep_best(double wall, double cpu) {
    wall_ms = std::min(wall_ms, wall);
    cpu_ms = std::min(cpu_ms, cpu);
  }
};

// Times `fn` (which throws on failure) and keeps the best.
template <class F>
void measure(cost& c, F&& fn) {
  double cpu0 = cpu_ms();
  auto t0 = std::chrono::steady_clock::now();
  fn();
  double wall =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  c.keep_best(wall, cpu_ms() - cpu0);
}

void check(const result<pac::evaluation>& r) {
  if (!r) throw std::runtime_error(r.error().to_string());
}

void load_one(const std::string& text, const std::string& name, const pac::environment& env) {
  auto e = pac::engine::load(text, name, env);
  if (!e) throw std::runtime_error(e.error().to_string());
  check(e->find_proxy("http://www.example.com/", "www.example.com"));
}

// The pool's old way, as it was written: one thread per worker, each loading the text itself.
void load_each_worker(const std::string& text, const std::string& name, const pac::environment& env,
                      unsigned n) {
  std::vector<std::optional<result<pac::engine>>> loaded(n);
  std::vector<std::thread> loaders;
  for (unsigned i = 0; i < n; ++i) {
    loaders.emplace_back([&, i] { loaded[i].emplace(pac::engine::load(text, name, env)); });
  }
  for (auto& t : loaders) t.join();
  for (auto& r : loaded) {
    if (!*r) throw std::runtime_error(r->error().to_string());
  }
}

void print(const char* what, const cost& c) {
  std::printf("%-26s %9.1f ms wall %9.1f ms cpu\n", what, c.wall_ms, c.cpu_ms);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc != 4) {
      std::cerr << "usage: pac_pool_load_bench PAC THREADS ROUNDS\n";
      return 2;
    }
    std::string name = argv[1];
    std::string text = read_file(name);
    unsigned n = static_cast<unsigned>(std::max(1, std::stoi(argv[2])));
    int rounds = std::max(1, std::stoi(argv[3]));
    auto env = bench::fixed_environment();

    cost single, each, create, reload;
    for (int r = 0; r < rounds; ++r) {
      measure(single, [&] { load_one(text, name, env); });
      measure(each, [&] { load_each_worker(text, name, env, n); });
      std::unique_ptr<pac::engine_pool> pool;
      measure(create, [&] {
        auto p = pac::engine_pool::create(text, name, env, {}, n);
        if (!p) throw std::runtime_error(p.error().to_string());
        pool = std::move(*p);
      });
      check(pool->find_proxy_sync("http://www.example.com/", "www.example.com"));
      measure(reload, [&] {
        if (auto ok = pool->reload(text, name); !ok)
          throw std::runtime_error(ok.error().to_string());
      });
      check(pool->find_proxy_sync("http://www.example.com/", "www.example.com"));
    }
    std::printf("%s: %zu bytes, %u workers, best of %d rounds\n",
                std::filesystem::path(name).filename().c_str(), text.size(), n, rounds);
    print("one engine::load", single);
    print("each worker compiles", each);
    print("engine_pool::create", create);
    print("engine_pool::reload", reload);
    std::printf("ratio each-worker-compiles / pool create: %.2fx wall, %.2fx cpu\n",
                each.wall_ms / create.wall_ms, each.cpu_ms / create.cpu_ms);
    return 0;
  } catch (const std::exception& ex) {
    std::cerr << "pac_pool_load_bench: " << ex.what() << '\n';
    return 1;
  }
}
