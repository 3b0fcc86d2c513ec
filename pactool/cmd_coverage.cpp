// pactool coverage — which `return` statements fired over a URL list, how often, and which never did;
// with an annotated listing of the PAC (gcov style: the count before each line holding a return,
// ##### for a return that never fired), and for each `if` how often its condition was true and false.
// Returns and conditions are found by instrumenting the script (instrument.hpp).
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "pactool/commands.hpp"
#include "pactool/engine_flags.hpp"
#include "pactool/instrument.hpp"
#include "pactool/output.hpp"
#include "pactool/pac_source.hpp"
#include "pactool/progress.hpp"
#include "pactool/url_list.hpp"

namespace pactool {
namespace {

struct coverage_options {
  std::string pac;
  std::string urls;
  bool json = false;
  bool summary_only = false;
  engine_flags flags;
};

constexpr const char* coverage_footer = R"(Examples:
  pactool coverage --pac examples/corporate.pac examples/corporate.urls
  pactool coverage --pac proxy.pac --offline --summary /var/log/squid/access.log
  pactool coverage --pac proxy.pac --json urls.txt
URLS is a list (URL[<TAB>HOST] per line, '#' comments) or an access log in Squid or common/combined
format, from which the URLs are taken. Exit codes: 0 ok, 2 usage, 3 bad input, 4 an evaluation failed.)";

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    auto line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
  }
  return out;
}

void print_listing(const pac_text& pac, const instrumented_pac& inst, const std::map<int, long>& hits,
                   const std::map<int, branch_hits>& branches) {
  painter p(stdout);
  std::map<int, std::pair<long, bool>> by_line;  // line → (hits, some return never fired)
  for (const auto& r : inst.returns) {
    auto it = hits.find(r.id);
    long n = it == hits.end() ? 0 : it->second;
    auto& e = by_line[r.line];
    e.first += n;
    e.second = e.second || n == 0;
  }
  std::map<int, std::string> notes;  // line → "[if: true N, false M]" per condition on it
  for (const auto& b : inst.branches) {
    auto it = branches.find(b.id);
    branch_hits h = it == branches.end() ? branch_hits{} : it->second;
    std::string note = "[if: true " + std::to_string(h.taken) + ", false " + std::to_string(h.not_taken) + "]";
    notes[b.line] += " " + (h.taken && h.not_taken ? p.dim(note) : p.yellow(note));
  }
  auto lines = split_lines(pac.text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    int ln = static_cast<int>(i + 1);
    auto it = by_line.find(ln);
    char gutter[16];
    if (it == by_line.end()) {
      std::snprintf(gutter, sizeof gutter, "%9s", "-");
      std::cout << p.dim(gutter);
    } else if (it->second.first == 0) {
      std::snprintf(gutter, sizeof gutter, "%9s", "#####");
      std::cout << p.red(gutter);
    } else {
      std::snprintf(gutter, sizeof gutter, "%8ld%c", it->second.first, it->second.second ? '*' : ' ');
      std::cout << (it->second.second ? p.yellow(gutter) : p.green(gutter));
    }
    std::cout << ' ' << ln << ": " << lines[i];
    if (auto n = notes.find(ln); n != notes.end()) std::cout << ' ' << n->second;
    std::cout << '\n';
  }
}

int run_coverage(const coverage_options& opt) {
  auto job = open_pac_job(opt.flags, opt.pac);
  if (auto* code = std::get_if<int>(&job)) return *code;
  const auto& [setup, pac] = std::get<pac_job>(job);
  auto urls = read_url_list(opt.urls);
  if (!urls) {
    print_error(urls.error());
    return exit_input;
  }
  auto inst = instrument_returns(pac.text);
  auto engine = load_engine(pac_text{inst.text, pac.name}, setup, setup.settings);
  if (!engine) {
    print_error(engine.error());
    return exit_input;
  }
  std::size_t failures = 0, done = 0;
  progress prog(urls->entries.size());
  for (const auto& u : urls->entries) {
    auto req = pac_request_for(u.url, u.host);
    auto r = req ? engine->find_proxy(req->url, req->host)
                 : wpadkit::result<wpadkit::pac::evaluation>(req.error());
    if (!r) {
      ++failures;
      std::cerr << opt.urls << ':' << u.line << ": " << u.url << ": " << error_kind(r.error())
                << ": " << r.error().to_string() << '\n';
    }
    prog.step(++done);
  }
  std::map<int, long> hits;
  if (auto h = engine->evaluate_expression(hits_js)) hits = parse_hits_json(*h);
  std::map<int, branch_hits> branches;
  if (auto b = engine->evaluate_expression(branches_js)) branches = parse_branch_json(*b);
  std::size_t outcomes = 0;
  for (const auto& b : inst.branches) {
    auto it = branches.find(b.id);
    if (it != branches.end()) outcomes += (it->second.taken ? 1 : 0) + (it->second.not_taken ? 1 : 0);
  }
  std::size_t fired = 0;
  for (const auto& r : inst.returns) fired += hits.count(r.id) ? 1 : 0;

  if (opt.json) {
    json_object o;
    o.str("pac", pac.name).integer("urls", static_cast<long long>(urls->entries.size()));
    o.integer("failed", static_cast<long long>(failures)).integer("skipped_lines", urls->skipped);
    std::string rets = "[";
    for (std::size_t i = 0; i < inst.returns.size(); ++i) {
      const auto& r = inst.returns[i];
      json_object j;
      j.integer("line", r.line).integer("column", r.column).str("expression", r.expression);
      j.integer("hits", hits.count(r.id) ? hits[r.id] : 0);
      rets += (i ? "," : "") + j.text();
    }
    o.raw("returns", rets + "]");
    std::string brs = "[";
    for (std::size_t i = 0; i < inst.branches.size(); ++i) {
      const auto& b = inst.branches[i];
      branch_hits h = branches.count(b.id) ? branches[b.id] : branch_hits{};
      json_object j;
      j.integer("line", b.line).integer("column", b.column).str("condition", b.condition);
      j.integer("true", h.taken).integer("false", h.not_taken);
      brs += (i ? "," : "") + j.text();
    }
    o.raw("branches", brs + "]");
    o.integer("fired", static_cast<long long>(fired)).integer("total", static_cast<long long>(inst.returns.size()));
    std::cout << o.text() << '\n';
  } else {
    if (!opt.summary_only) print_listing(pac, inst, hits, branches);
    painter p(stdout);
    std::cout << "returns fired: " << fired << " of " << inst.returns.size();
    if (!inst.returns.empty()) std::cout << " (" << (100 * fired / inst.returns.size()) << "%)";
    std::cout << " over " << urls->entries.size() << " URLs";
    if (failures) std::cout << ", " << p.red(std::to_string(failures) + " evaluations failed");
    std::cout << '\n';
    if (!inst.branches.empty()) {
      std::cout << "branch outcomes taken: " << outcomes << " of " << 2 * inst.branches.size() << '\n';
    }
    bool header = false;
    for (const auto& r : inst.returns) {
      if (hits.count(r.id)) continue;
      if (!header) std::cout << "never fired:\n";
      header = true;
      std::cout << "  " << pac.name << ':' << r.line << ':' << r.column << ": return "
                << r.expression << '\n';
    }
    for (const auto& b : inst.branches) {
      branch_hits h = branches.count(b.id) ? branches[b.id] : branch_hits{};
      if (h.taken && h.not_taken) continue;
      const char* never = !h.taken && !h.not_taken ? "never evaluated" : !h.taken ? "never true" : "never false";
      std::cout << "  " << pac.name << ':' << b.line << ':' << b.column << ": if (" << b.condition
                << ") " << never << '\n';
    }
  }
  report_skipped_lines(*urls, opt.urls);
  return failures ? exit_eval : exit_ok;
}

}  // namespace

void add_coverage_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<coverage_options>();
  auto* cmd = app.add_subcommand("coverage", "Which return statements a URL list reaches, and which never");
  cmd->add_option("--pac", opt->pac, "PAC file or http(s) URL")->required()->type_name("FILE|URL");
  cmd->add_option("urls", opt->urls, "URL list or access log")->required()->type_name("URLS");
  cmd->add_flag("--json", opt->json, "The counts as one JSON object");
  cmd->add_flag("--summary", opt->summary_only, "Only the summary, no annotated listing");
  add_engine_flags(*cmd, opt->flags);
  cmd->footer(coverage_footer);
  cmd->callback([opt, &exit_code] { exit_code = run_coverage(*opt); });
}

}  // namespace pactool
