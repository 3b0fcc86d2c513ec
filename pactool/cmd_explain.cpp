// pactool explain — the trace of one evaluation: each helper call with its arguments, result and
// time; each DNS lookup with its answer and time; alerts; the `return` that produced the result (found
// by instrumenting the script's returns, see instrument.hpp); the parsed list; and the total time.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "pactool/commands.hpp"
#include "pactool/engine_flags.hpp"
#include "pactool/instrument.hpp"
#include "pactool/output.hpp"
#include "pactool/pac_source.hpp"
#include "pactool/recording_resolver.hpp"
#include "proxycore/model/proxy_list.hpp"

namespace pactool {
namespace {

struct explain_options {
  std::string pac;
  std::string url;
  std::string host;
  bool json = false;
  engine_flags flags;
};

constexpr const char* explain_footer = R"(Examples:
  pactool explain --pac examples/corporate.pac http://intranet.corp.example/
  pactool explain --pac proxy.pac --offline --dns db.corp=10.2.0.7 --json http://db.corp/
Exit codes: 0 ok, 2 usage, 3 the PAC could not be loaded, 4 the evaluation failed.)";

std::string micros(std::chrono::microseconds us) {
  char buf[32];
  if (us.count() >= 1000) {
    std::snprintf(buf, sizeof buf, "%.2f ms", static_cast<double>(us.count()) / 1000.0);
  } else {
    std::snprintf(buf, sizeof buf, "%lld us", static_cast<long long>(us.count()));
  }
  return buf;
}

std::string join_args(const std::vector<std::string>& args) {
  std::string out;
  for (std::size_t i = 0; i < args.size(); ++i) out += (i ? ", " : "") + args[i];
  return out;
}

const return_site* site_of(const instrumented_pac& inst, int id) {
  for (const auto& r : inst.returns) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

struct explain_run {
  instrumented_pac inst;
  std::shared_ptr<recording_resolver> dns;
  std::string host;
  wpadkit::result<wpadkit::pac::evaluation> eval = wpadkit::error(wpadkit::errc::pac_exception);
  std::vector<int> sequence;
  std::chrono::microseconds elapsed{0};
};

void print_text(const explain_options& opt, const pac_text& pac, const explain_run& run) {
  painter p(stdout);
  std::cout << p.bold("PAC") << "      " << pac.name << '\n';
  std::cout << p.bold("call") << "     FindProxyForURL(" << json_string(opt.url) << ", "
            << json_string(run.host) << ")\n";
  if (run.eval) {
    std::cout << p.bold("helpers") << (run.eval->trace.empty() ? "  (none called)" : "") << '\n';
    int n = 0;
    for (const auto& ev : run.eval->trace) {
      std::cout << "  " << ++n << ". " << ev.function << '(' << join_args(ev.arguments) << ") -> "
                << ev.result << "  " << p.dim(micros(ev.elapsed)) << '\n';
    }
  }
  std::cout << p.bold("dns") << (run.dns->records().empty() ? "      (no lookups)" : "") << '\n';
  for (const auto& r : run.dns->records()) {
    std::cout << "  " << r.name << ' ' << family_name(r.family) << " -> ";
    if (r.error.empty()) {
      for (std::size_t i = 0; i < r.addresses.size(); ++i) std::cout << (i ? ", " : "") << r.addresses[i];
    } else {
      std::cout << p.yellow("failed: " + r.error);
    }
    std::cout << "  " << p.dim(micros(r.elapsed)) << '\n';
  }
  if (run.eval && !run.eval->alerts.empty()) {
    std::cout << p.bold("alerts") << '\n';
    for (const auto& a : run.eval->alerts) std::cout << "  " << a << '\n';
  }
  if (!run.sequence.empty()) {
    if (const auto* s = site_of(run.inst, run.sequence.back())) {
      std::cout << p.bold("returned") << " " << pac.name << ':' << s->line << ':' << s->column
                << ": return " << s->expression << '\n';
    }
  }
  if (run.eval) {
    auto list = wpadkit::parse_proxy_list(run.eval->result);
    std::cout << p.bold("result") << "   " << run.eval->result << '\n';
    std::cout << p.bold("parsed") << '\n';
    int n = 0;
    for (const auto& s : list.servers) std::cout << "  " << ++n << ". " << s.to_pac_string() << '\n';
    for (const auto& w : list.warnings) std::cout << "  " << p.yellow("warning: " + w) << '\n';
  } else {
    std::cout << p.bold("error") << "    " << p.red(error_kind(run.eval.error()) + ": " +
                                                   run.eval.error().to_string())
              << '\n';
  }
  std::cout << p.bold("time") << "     " << micros(run.elapsed) << '\n';
}

void print_json(const explain_options& opt, const pac_text& pac, const explain_run& run) {
  json_object o;
  o.str("pac", pac.name).str("url", opt.url).str("host", run.host);
  std::string calls = "[";
  if (run.eval) {
    for (std::size_t i = 0; i < run.eval->trace.size(); ++i) {
      const auto& ev = run.eval->trace[i];
      std::string args = "[";
      for (std::size_t k = 0; k < ev.arguments.size(); ++k) args += (k ? "," : "") + ev.arguments[k];
      json_object c;
      c.str("function", ev.function).raw("arguments", args + "]").raw("result", ev.result);
      c.integer("elapsed_us", ev.elapsed.count());
      calls += (i ? "," : "") + c.text();
    }
  }
  o.raw("calls", calls + "]");
  std::string dns = "[";
  for (std::size_t i = 0; i < run.dns->records().size(); ++i) {
    const auto& r = run.dns->records()[i];
    json_object d;
    d.str("name", r.name).str("type", family_name(r.family)).raw("addresses", json_string_array(r.addresses));
    if (r.error.empty()) d.raw("error", "null"); else d.str("error", r.error);
    d.integer("elapsed_us", r.elapsed.count());
    dns += (i ? "," : "") + d.text();
  }
  o.raw("dns", dns + "]");
  o.raw("alerts", run.eval ? json_string_array(run.eval->alerts) : "[]");
  const return_site* s = run.sequence.empty() ? nullptr : site_of(run.inst, run.sequence.back());
  if (s) {
    json_object r;
    r.integer("line", s->line).integer("column", s->column).str("expression", s->expression);
    o.raw("return", r.text());
  } else {
    o.raw("return", "null");
  }
  if (run.eval) {
    auto list = wpadkit::parse_proxy_list(run.eval->result);
    std::vector<std::string> entries;
    for (const auto& e : list.servers) entries.push_back(e.to_pac_string());
    o.str("result", run.eval->result).raw("parsed", json_string_array(entries));
    o.raw("warnings", json_string_array(list.warnings)).raw("error", "null");
  } else {
    json_object e;
    e.str("kind", error_kind(run.eval.error())).str("message", run.eval.error().to_string());
    o.raw("result", "null").raw("parsed", "[]").raw("warnings", "[]").raw("error", e.text());
  }
  o.integer("elapsed_us", run.elapsed.count());
  std::cout << o.text() << '\n';
}

int run_explain(const explain_options& opt) {
  auto job = open_pac_job(opt.flags, opt.pac);
  if (auto* code = std::get_if<int>(&job)) return *code;
  const auto& [setup, pac] = std::get<pac_job>(job);
  auto env = make_environment(setup.settings);
  if (!env) {
    print_error(env.error());
    return exit_input;
  }
  explain_run run;
  run.inst = instrument_returns(pac.text);
  run.dns = std::make_shared<recording_resolver>(env->resolver);
  env->resolver = run.dns;
  auto engine = wpadkit::pac::engine::load(run.inst.text, pac.name, std::move(*env), setup.options);
  if (!engine) {
    print_error(engine.error());
    return exit_input;
  }
  engine->set_tracing(true);
  run.dns->clear();  // lookups made by top-level code are not this call's
  (void)engine->evaluate_expression(reset_sequence_js);
  auto req = pac_request_for(opt.url, opt.host);
  if (!req) {
    print_error(req.error());
    return exit_usage;
  }
  run.host = req->host;
  auto t0 = std::chrono::steady_clock::now();
  run.eval = engine->find_proxy(req->url, run.host);
  run.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - t0);
  if (auto seq = engine->evaluate_expression(sequence_js)) run.sequence = parse_sequence_json(*seq);
  if (opt.json) print_json(opt, pac, run); else print_text(opt, pac, run);
  return run.eval ? exit_ok : exit_eval;
}

}  // namespace

void add_explain_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<explain_options>();
  auto* cmd = app.add_subcommand("explain", "Trace one evaluation: helper calls, DNS, the return that fired");
  cmd->add_option("--pac", opt->pac, "PAC file or http(s) URL")->required()->type_name("FILE|URL");
  cmd->add_option("--host", opt->host, "Host argument (default: the URL's host)");
  cmd->add_flag("--json", opt->json, "The trace as one JSON object");
  cmd->add_option("url", opt->url, "URL to explain")->required()->type_name("URL");
  add_engine_flags(*cmd, opt->flags);
  cmd->footer(explain_footer);
  cmd->callback([opt, &exit_code] { exit_code = run_explain(*opt); });
}

}  // namespace pactool
