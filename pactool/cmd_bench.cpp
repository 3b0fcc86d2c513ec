// pactool bench — evaluations per second and latency percentiles of one engine (one thread) over a
// URL list, cycled until --count evaluations have run (after a short warm-up).
#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "pactool/commands.hpp"
#include "pactool/engine_flags.hpp"
#include "pactool/output.hpp"
#include "pactool/pac_source.hpp"
#include "pactool/progress.hpp"
#include "pactool/url_list.hpp"

namespace pactool {
namespace {

struct bench_options {
  std::string pac;
  std::string urls;
  long count = 0;
  bool json = false;
  engine_flags flags;
};

constexpr const char* bench_footer = R"(Examples:
  pactool bench --pac examples/corporate.pac --urls examples/corporate.urls
  pactool bench --pac proxy.pac --urls access.log --offline --count 100000 --json
Use --offline (and --dns) to measure the script rather than your DNS server.
Exit codes: 0 ok, 2 usage, 3 bad input, 4 an evaluation failed.)";

double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  auto i = static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

int run_bench(const bench_options& opt) {
  auto job = open_pac_job(opt.flags, opt.pac);
  if (auto* code = std::get_if<int>(&job)) return *code;
  const auto& [setup, pac] = std::get<pac_job>(job);
  auto urls = read_url_list(opt.urls);
  if (!urls) {
    print_error(urls.error());
    return exit_input;
  }
  if (urls->entries.empty()) {
    print_error(opt.urls + ": no URLs to evaluate");
    return exit_input;
  }
  auto engine = load_engine(pac, setup, setup.settings);
  if (!engine) {
    print_error(engine.error());
    return exit_input;
  }
  std::vector<std::pair<std::string, std::string>> work;
  for (const auto& u : urls->entries) {
    auto req = pac_request_for(u.url, u.host);
    if (!req) {
      print_error(req.error().at(opt.urls, u.line));
      return exit_input;
    }
    work.emplace_back(std::move(req->url), std::move(req->host));
  }
  std::size_t count = opt.count > 0 ? static_cast<std::size_t>(opt.count)
                                    : std::max<std::size_t>(work.size(), 5000);
  for (std::size_t i = 0; i < std::min<std::size_t>(work.size(), 100); ++i) {
    (void)engine->find_proxy(work[i].first, work[i].second);
  }
  std::vector<double> lat;
  lat.reserve(count);
  std::size_t failed = 0;
  progress prog(count);
  auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < count; ++i) {
    const auto& [url, host] = work[i % work.size()];
    auto t0 = std::chrono::steady_clock::now();
    auto r = engine->find_proxy(url, host);
    auto t1 = std::chrono::steady_clock::now();
    lat.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    if (!r) {
      if (failed == 0) {
        std::cerr << "pactool: " << url << ": " << error_kind(r.error()) << ": "
                  << r.error().to_string() << '\n';
      }
      ++failed;
    }
    prog.step(i + 1);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::sort(lat.begin(), lat.end());
  double rate = seconds > 0 ? static_cast<double>(count) / seconds : 0;
  if (opt.json) {
    json_object o;
    o.str("pac", pac.name).integer("urls", static_cast<long long>(work.size()));
    o.integer("evaluations", static_cast<long long>(count)).integer("failed", static_cast<long long>(failed));
    o.num("seconds", seconds).num("evals_per_second", rate);
    o.num("p50_us", percentile(lat, 0.50)).num("p90_us", percentile(lat, 0.90));
    o.num("p99_us", percentile(lat, 0.99)).num("max_us", lat.back());
    std::cout << o.text() << '\n';
  } else {
    char buf[256];
    std::cout << "PAC " << pac.name << ", " << work.size() << " URLs, " << count
              << " evaluations on 1 thread, " << failed << " failed\n";
    std::snprintf(buf, sizeof buf, "throughput: %.0f evaluations/s\n", rate);
    std::cout << buf;
    std::snprintf(buf, sizeof buf, "latency: p50 %.1f us, p90 %.1f us, p99 %.1f us, max %.1f us\n",
                  percentile(lat, 0.50), percentile(lat, 0.90), percentile(lat, 0.99), lat.back());
    std::cout << buf;
  }
  return failed ? exit_eval : exit_ok;
}

}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<bench_options>();
  auto* cmd = app.add_subcommand("bench", "Measure evaluations per second and latency percentiles");
  cmd->add_option("--pac", opt->pac, "PAC file or http(s) URL")->required()->type_name("FILE|URL");
  cmd->add_option("--urls", opt->urls, "URL list or access log")->required()->type_name("FILE");
  cmd->add_option("--count", opt->count, "Evaluations to run (default: max(5000, URLs))")
      ->check(CLI::Range(1L, 100000000L));
  cmd->add_flag("--json", opt->json, "The figures as one JSON object");
  add_engine_flags(*cmd, opt->flags);
  cmd->footer(bench_footer);
  cmd->callback([opt, &exit_code] { exit_code = run_bench(*opt); });
}

}  // namespace pactool
