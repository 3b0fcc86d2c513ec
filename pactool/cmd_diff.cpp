// pactool diff — the question before every PAC rollout: which URLs would be routed differently?
// Evaluates OLD and NEW over a URL list (or access log) and prints each URL whose decision changes,
// old -> new, then a summary grouped by change. Decisions compare as parsed lists (so "PROXY p:80"
// and "proxy p" are the same decision); a failed call is the decision "ERROR <kind>".
// Exit 0 no change, 1 some changed, 2 usage, 3 bad input.
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pactool/commands.hpp"
#include "pactool/engine_flags.hpp"
#include "pactool/output.hpp"
#include "pactool/pac_source.hpp"
#include "pactool/progress.hpp"
#include "pactool/url_list.hpp"
#include "proxycore/model/proxy_list.hpp"

namespace pactool {
namespace {

struct diff_options {
  std::string old_pac, new_pac, urls;
  bool json = false;
  engine_flags flags;
};

constexpr const char* diff_footer = R"(Examples:
  pactool diff proxy.pac proxy-new.pac urls.txt
  pactool diff --offline --dns intranet.corp=10.1.2.3 old.pac new.pac /var/log/squid/access.log
  pactool diff --json old.pac http://wpad.corp.example/wpad.dat urls.txt
URLS is a list (URL[<TAB>HOST] per line) or an access log in Squid or common/combined format.
Exit codes: 0 no decision changed, 1 some changed, 2 usage, 3 bad input.)";

struct decision {
  std::string shown;      // what is printed: the result string or "ERROR kind: message"
  std::string canonical;  // what is compared
};

decision decide(wpadkit::pac::engine& e, const std::string& url, const std::string& host) {
  auto r = e.find_proxy(url, host);
  if (!r) {
    std::string kind = error_kind(r.error());
    return {"ERROR " + kind + ": " + r.error().to_string(), "ERROR " + kind};
  }
  return {r->result, wpadkit::parse_proxy_list(r->result).to_pac_string()};
}

int run_diff(const diff_options& opt) {
  auto setup = make_engine_setup(opt.flags);
  if (!setup) {
    print_error(setup.error());
    return exit_usage;
  }
  std::vector<wpadkit::pac::engine> engines;
  for (const auto* name : {&opt.old_pac, &opt.new_pac}) {
    auto pac = read_pac(*name, setup->options.max_pac_bytes);
    if (!pac) {
      print_error(pac.error());
      return exit_input;
    }
    auto e = load_engine(*pac, *setup, setup->settings);
    if (!e) {
      print_error(e.error());
      return exit_input;
    }
    engines.push_back(std::move(*e));
  }
  auto urls = read_url_list(opt.urls);
  if (!urls) {
    print_error(urls.error());
    return exit_input;
  }
  painter p(stdout);
  std::map<std::pair<std::string, std::string>, long> changes;
  std::size_t changed = 0, done = 0;
  progress prog(urls->entries.size());
  for (const auto& u : urls->entries) {
    auto req = pac_request_for(u.url, u.host);
    prog.step(++done);
    if (!req) {
      // Neither PAC would be asked about it: no decision to compare.
      std::cerr << opt.urls << ':' << u.line << ": " << req.error().to_string() << '\n';
      continue;
    }
    const std::string& host = req->host;
    auto a = decide(engines[0], req->url, host);
    auto b = decide(engines[1], req->url, host);
    if (a.canonical == b.canonical) continue;
    ++changed;
    ++changes[{a.canonical, b.canonical}];
    if (opt.json) {
      json_object o;
      o.str("url", u.url).str("host", host).str("old", a.shown).str("new", b.shown);
      std::cout << o.text() << '\n';
    } else {
      std::cout << u.url << ": " << p.red(a.shown) << " -> " << p.green(b.shown) << '\n';
    }
  }
  if (opt.json) {
    std::string groups = "[";
    bool first = true;
    for (const auto& [k, n] : changes) {
      json_object g;
      g.str("old", k.first).str("new", k.second).integer("count", n);
      groups += (first ? "" : ",") + g.text();
      first = false;
    }
    json_object s;
    s.integer("urls", static_cast<long long>(urls->entries.size()));
    s.integer("changed", static_cast<long long>(changed)).raw("summary", groups + "]");
    std::cout << s.text() << '\n';
  } else {
    if (!changes.empty()) std::cout << "summary:\n";
    for (const auto& [k, n] : changes) {
      std::cout << "  " << n << " x  " << k.first << " -> " << k.second << '\n';
    }
    std::cout << changed << " of " << urls->entries.size() << " URLs changed\n";
  }
  report_skipped_lines(*urls, opt.urls);
  return changed ? exit_negative : exit_ok;
}

}  // namespace

void add_diff_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<diff_options>();
  auto* cmd = app.add_subcommand("diff", "Compare two PAC versions over a URL list or access log");
  cmd->add_option("old", opt->old_pac, "The PAC in service (file or http(s) URL)")->required()->type_name("OLD");
  cmd->add_option("new", opt->new_pac, "The candidate PAC (file or http(s) URL)")->required()->type_name("NEW");
  cmd->add_option("urls", opt->urls, "URL list or access log")->required()->type_name("URLS");
  cmd->add_flag("--json", opt->json, "One JSON object per changed URL, then a summary object");
  add_engine_flags(*cmd, opt->flags);
  cmd->footer(diff_footer);
  cmd->callback([opt, &exit_code] { exit_code = run_diff(*opt); });
}

}  // namespace pactool
