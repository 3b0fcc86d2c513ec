// pactool fetch — fetches a PAC over http(s) or from a file as browsers do (200 only, size limit,
// Content-Type and charset checks, a redirect limit; see proxycore/wpad/pac_fetcher.hpp) and reports
// every way the response would fail in Chromium, Firefox or WinHTTP, on stderr. The PAC goes to
// stdout or -o FILE when it is usable.
// Exit 0 usable (warnings allowed), 1 a response browsers would reject (status, HTML, size...), 2 usage,
// 3 no response at all (bad URL, unreachable, unreadable file) or -o not writable.
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "pactool/commands.hpp"
#include "pactool/engine_flags.hpp"
#include "pactool/output.hpp"
#include "proxycore/wpad/pac_fetcher.hpp"

namespace pactool {
namespace {

struct fetch_cmd_options {
  std::string url;
  std::string output;
  std::string max_size;
  long timeout_ms = 10000;
  int max_redirects = 10;
  bool json = false;
};

constexpr const char* fetch_footer = R"(Examples:
  pactool fetch http://wpad.corp.example/wpad.dat
  pactool fetch -o proxy.pac https://pac.example.net/proxy.pac
  pactool fetch --json --max-redirects 3 http://10.0.0.1/wpad.dat
Findings are printed on stderr as 'URL: error|warning [client]: message'.
Exit codes: 0 usable, 1 browsers would reject the response, 2 usage, 3 no response.)";

const char* level_name(wpadkit::wpad::fetch_finding::severity s) {
  return s == wpadkit::wpad::fetch_finding::severity::error ? "error" : "warning";
}

int run_fetch(const fetch_cmd_options& opt) {
  wpadkit::wpad::fetch_options fo;
  if (!opt.max_size.empty()) {
    auto sz = parse_size(opt.max_size);
    if (!sz) {
      print_error(sz.error());
      return exit_usage;
    }
    fo.max_bytes = *sz;
  }
  fo.total_timeout = std::chrono::milliseconds(opt.timeout_ms);
  fo.connect_timeout = std::min(fo.connect_timeout, fo.total_timeout);
  fo.max_redirects = opt.max_redirects;
  auto r = wpadkit::wpad::fetch_pac(opt.url, fo);
  if (!r) {
    auto e = r.error();
    if (e.where.empty()) e.where = opt.url;
    print_error(e);
    // A response that came but is over the size limit is one browsers reject: a negative answer.
    return e.is(wpadkit::errc::limit) ? exit_negative : exit_input;
  }
  painter p(stderr);
  if (opt.json) {
    json_object o;
    o.str("url", opt.url).str("final_url", r->final_url).integer("status", r->status);
    o.str("content_type", r->content_type).raw("redirects", json_string_array(r->redirects));
    std::string findings = "[";
    for (std::size_t i = 0; i < r->findings.size(); ++i) {
      const auto& f = r->findings[i];
      json_object j;
      j.str("severity", level_name(f.level)).str("client", f.client).str("message", f.message);
      findings += (i ? "," : "") + j.text();
    }
    o.raw("findings", findings + "]").boolean("usable", r->usable());
    o.integer("bytes", static_cast<long long>(r->body.size()));
    o.integer("elapsed_ms", r->elapsed.count());
    if (!opt.output.empty() || !r->usable()) o.raw("body", "null"); else o.str("body", r->body);
    std::cout << o.text() << '\n';
  } else {
    for (const auto& f : r->findings) {
      bool err = f.level == wpadkit::wpad::fetch_finding::severity::error;
      std::string tag = std::string(level_name(f.level)) + " [" + f.client + "]";
      std::cerr << r->final_url << ": " << (err ? p.red(tag) : p.yellow(tag)) << ": " << f.message
                << '\n';
    }
  }
  if (!r->usable()) return exit_negative;
  if (!opt.output.empty()) {
    std::ofstream out(opt.output, std::ios::binary | std::ios::trunc);
    out << r->body;
    out.close();
    if (!out) {
      print_error(opt.output + ": cannot write");
      return exit_input;
    }
  } else if (!opt.json) {
    std::cout << r->body;
  }
  return exit_ok;
}

}  // namespace

void add_fetch_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<fetch_cmd_options>();
  auto* cmd = app.add_subcommand("fetch", "Fetch a PAC as browsers do and report what they would reject");
  cmd->add_option("url", opt->url, "http(s):// or file:// URL, or a path")->required()->type_name("URL");
  cmd->add_option("-o,--output", opt->output, "Write the PAC to FILE instead of stdout")->type_name("FILE");
  cmd->add_option("--max-size", opt->max_size, "Largest body accepted (default 1M)")->type_name("BYTES");
  cmd->add_option("--timeout", opt->timeout_ms, "Total time limit, ms (default 10000)")
      ->type_name("MS")
      ->check(CLI::Range(1L, 600L * 1000));
  cmd->add_option("--max-redirects", opt->max_redirects, "Redirects followed (default 10)")
      ->check(CLI::Range(0, 50));
  cmd->add_flag("--json", opt->json, "The report (and the body) as one JSON object");
  cmd->footer(fetch_footer);
  cmd->callback([opt, &exit_code] { exit_code = run_fetch(*opt); });
}

}  // namespace pactool
