// pactool discover — WPAD discovery the way each client does it, with every step shown: DHCP option
// 252 (DHCPINFORM, then the host's lease files), then DNS candidates per client; each located URL is
// fetched with pactool fetch's rules and loaded in the engine. See proxycore/wpad/wpad_decider.hpp.
//
// Exit codes: 0 a usable PAC was found (with --client all: for at least one client), 1 nothing was
// found, 2 usage, 3 a PAC was located but is unusable (bad option 252, fetch refused, does not load,
// or --eval failed).
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "pactool/commands.hpp"
#include "pactool/engine_flags.hpp"
#include "pactool/output.hpp"
#include "pactool/pac_source.hpp"
#include "proxycore/dns/ares_resolver.hpp"
#include "proxycore/wpad/dhcp_source.hpp"
#include "proxycore/wpad/lease_files.hpp"
#include "proxycore/wpad/public_suffixes.hpp"
#include "proxycore/wpad/wpad_decider.hpp"

namespace pactool {
namespace {

namespace wpad = wpadkit::wpad;

struct discover_options {
  std::string client = "standard";
  std::vector<std::string> interfaces;
  std::string domain;
  std::string methods = "dhcp,dns";
  bool all = false;
  std::string eval_url;
  bool json = false;
  std::vector<std::string> dns_servers;
  long dhcp_timeout_ms = 1000;
  int dhcp_attempts = 3;
  long fetch_timeout_ms = 10000;
  std::string lease_root = "/";
  bool no_lease_files = false;
};

constexpr const char* discover_footer = R"(Examples:
  pactool discover                              DHCP, then DNS, as wpadkit's own client does
  pactool discover --client all                 what each client (windows, chrome, kde...) finds
  pactool discover --client windows --domain a.corp.example.com --methods dns
  pactool discover --all --json --eval http://www.example.com/
Clients: standard (default: devolves like Windows, never to wpad.<public suffix>), windows,
chrome, firefox, libproxy (http://wpad/wpad.dat through the search list), kde (stops at an SOA).
DHCPINFORM needs UDP port 68 (root or CAP_NET_BIND_SERVICE + CAP_NET_RAW); without it, the lease
files of dhclient, NetworkManager and systemd-networkd are still read.
Exit codes: 0 found, 1 nothing found, 2 usage, 3 a found PAC is unusable.)";

struct client_report {
  wpad::discovery d;
  struct eval_line {
    std::string pac_url;
    std::string result;  // FindProxyForURL's result
    std::string error;   // or the error
  };
  std::vector<eval_line> evals;
};

std::string steps_json(const wpad::discovery& d) {
  std::string out = "[";
  for (std::size_t i = 0; i < d.steps.size(); ++i) {
    const auto& s = d.steps[i];
    json_object o;
    o.str("method", s.method).str("target", s.target).str("outcome", s.outcome);
    o.str("detail", s.detail).integer("elapsed_ms", s.elapsed.count());
    out += (i ? "," : "") + o.text();
  }
  return out + "]";
}

std::string report_json(const client_report& r) {
  const auto& d = r.d;
  std::string found = "[";
  for (std::size_t i = 0; i < d.found.size(); ++i) {
    const auto& f = d.found[i];
    json_object o;
    o.str("url", f.url).str("method", wpad::method_name(f.method)).str("how", f.how);
    o.integer("status", f.fetch.status).str("content_type", f.fetch.content_type);
    o.integer("bytes", static_cast<long long>(f.fetch.body.size()));
    found += (i ? "," : "") + o.text();
  }
  found += "]";
  std::string evals = "[";
  for (std::size_t i = 0; i < r.evals.size(); ++i) {
    json_object o;
    o.str("pac", r.evals[i].pac_url);
    if (r.evals[i].error.empty()) {
      o.str("result", r.evals[i].result).raw("error", "null");
    } else {
      o.raw("result", "null").str("error", r.evals[i].error);
    }
    evals += (i ? "," : "") + o.text();
  }
  evals += "]";
  json_object o;
  o.str("client", wpad::client_name(d.client)).str("primary_suffix", d.primary_suffix);
  o.boolean("found", !d.found.empty());
  if (d.found.empty()) {
    o.raw("url", "null").raw("method", "null");
  } else {
    o.str("url", d.found[0].url).str("method", wpad::method_name(d.found[0].method));
  }
  o.boolean("located_unusable", d.located_unusable);
  o.raw("results", found).raw("eval", evals).raw("steps", steps_json(d));
  o.raw("warnings", json_string_array(d.warnings));
  return o.text();
}

void print_text(const client_report& r, const painter& paint) {
  const auto& d = r.d;
  std::cout << paint.bold(std::string("client ") + wpad::client_name(d.client)) << " (primary DNS suffix "
            << (d.primary_suffix.empty() ? "none" : d.primary_suffix) << ")\n";
  if (d.found.empty()) {
    std::cout << "  " << paint.red(d.located_unusable ? "unusable: a PAC was located but none is usable"
                                                      : "not found: no WPAD PAC discovered")
              << '\n';
  }
  for (const auto& f : d.found) {
    std::cout << "  " << paint.green("found: ") << f.url << '\n';
    std::cout << "    via " << wpad::method_name(f.method) << ": " << f.how << '\n';
  }
  for (const auto& e : r.evals) {
    std::cout << "  eval (" << e.pac_url << "): "
              << (e.error.empty() ? e.result : paint.red("ERROR " + e.error)) << '\n';
  }
  std::cout << "  steps:\n";
  for (const auto& s : d.steps) {
    std::ostringstream line;
    line << "    " << std::setw(6) << s.elapsed.count() << " ms  " << std::left << std::setw(6)
         << s.method << ' ' << std::setw(9) << s.outcome << ' '
         << (s.target.empty() ? "" : s.target + ": ") << s.detail;
    std::cout << line.str() << '\n';
  }
  if (!d.warnings.empty()) {
    std::cout << "  warnings:\n";
    for (const auto& w : d.warnings) std::cout << "    " << paint.yellow("warning: ") << w << '\n';
  }
}

// The DHCP sources: DHCPINFORM on the chosen (or every) interface, then the lease files.
std::unique_ptr<wpad::dhcp_source> make_dhcp_source(const discover_options& opt) {
  std::vector<std::unique_ptr<wpad::dhcp_source>> sources;
  wpad::dhcp_inform_options inform;
  inform.interfaces = opt.interfaces;
  inform.attempts = opt.dhcp_attempts;
  inform.first_timeout = std::chrono::milliseconds(opt.dhcp_timeout_ms);
  inform.max_timeout = std::max(inform.first_timeout, std::chrono::milliseconds(4000));
  sources.push_back(std::make_unique<wpad::dhcp_inform_source>(inform));
  if (!opt.no_lease_files) sources.push_back(std::make_unique<wpad::dhcp_lease_source>(opt.lease_root));
  return std::make_unique<wpad::dhcp_source_chain>(std::move(sources));
}

int run_discover(const discover_options& opt) {
  std::vector<wpad::client_kind> clients;
  if (opt.client == "all") {
    clients = wpad::all_client_kinds();
  } else if (auto k = wpad::parse_client_kind(opt.client)) {
    clients.push_back(*k);
  } else {
    print_error(std::move(k.error()).at("--client"));
    return exit_usage;
  }
  auto methods = wpad::parse_methods(opt.methods);
  if (!methods) {
    print_error(std::move(methods.error()).at("--methods"));
    return exit_usage;
  }
  if (opt.dhcp_timeout_ms <= 0 || opt.dhcp_attempts <= 0 || opt.fetch_timeout_ms <= 0) {
    print_error("--dhcp-timeout, --dhcp-attempts and --fetch-timeout must be positive");
    return exit_usage;
  }
  std::optional<wpadkit::pac::request> eval_request;
  if (!opt.eval_url.empty()) {
    auto req = pac_request_for(opt.eval_url);
    if (!req) {
      print_error(req.error().at("--eval"));
      return exit_usage;
    }
    eval_request = std::move(*req);
  }
  wpadkit::dns::resolver_options ropt;
  ropt.servers = opt.dns_servers;
  auto resolver = wpadkit::dns::ares_resolver::create(ropt);
  if (!resolver) {
    print_error(resolver.error());
    return resolver.error().is(wpadkit::errc::config) ? exit_usage : exit_input;
  }
  auto psl = wpad::public_suffixes::load();
  if (!psl) {
    print_error(psl.error());
    return exit_input;
  }
  auto setup = make_engine_setup(engine_flags{});
  if (!setup) {
    print_error(setup.error());
    return exit_input;
  }

  wpad::ares_wpad_dns dns(std::shared_ptr<wpadkit::dns::ares_resolver>(std::move(*resolver)));
  wpad::fetch_options fopt;
  fopt.total_timeout = std::chrono::milliseconds(opt.fetch_timeout_ms);
  fopt.max_bytes = setup->options.max_pac_bytes;
  wpad::http_pac_fetcher fetcher(fopt);
  auto dhcp = make_dhcp_source(opt);
  const auto& suffixes = *psl;
  auto check = [&](const std::string& text, const std::string& url) -> wpadkit::result<void> {
    auto engine = load_engine(pac_text{text, url}, *setup, setup->settings);
    if (!engine) return engine.error();
    return {};
  };
  wpad::wpad_decider decider(dhcp.get(), dns, fetcher,
                             [&](std::string_view d) { return suffixes.is_public_suffix(d); }, check);

  std::vector<client_report> reports;
  bool any_found = false, any_unusable = false;
  for (const auto k : clients) {
    wpad::decider_options dopt;
    dopt.methods = *methods;
    dopt.client = k;
    dopt.primary_suffix = opt.domain;
    dopt.try_all = opt.all;
    client_report rep{decider.run(dopt), {}};
    if (!opt.eval_url.empty()) {
      for (const auto& f : rep.d.found) {
        client_report::eval_line line{f.url, {}, {}};
        auto engine = load_engine(pac_text{f.fetch.body, f.url}, *setup, setup->settings);
        auto r = engine ? engine->find_proxy(eval_request->url, eval_request->host)
                        : wpadkit::result<wpadkit::pac::evaluation>(engine.error());
        if (r) {
          line.result = r->result;
        } else {
          line.error = error_kind(r.error()) + ": " + r.error().to_string();
          any_unusable = true;
        }
        rep.evals.push_back(std::move(line));
      }
    }
    any_found = any_found || !rep.d.found.empty();
    any_unusable = any_unusable || rep.d.located_unusable;
    reports.push_back(std::move(rep));
  }

  if (opt.json) {
    if (reports.size() == 1) {
      std::cout << report_json(reports[0]) << '\n';
    } else {
      std::string all = "{\"clients\":[";
      for (std::size_t i = 0; i < reports.size(); ++i) all += (i ? "," : "") + report_json(reports[i]);
      std::cout << all << "]}\n";
    }
  } else {
    const painter paint(stdout);
    for (const auto& r : reports) print_text(r, paint);
  }
  const bool eval_failed = std::any_of(reports.begin(), reports.end(), [](const client_report& r) {
    return std::any_of(r.evals.begin(), r.evals.end(), [](const auto& e) { return !e.error.empty(); });
  });
  if (eval_failed) return exit_input;
  if (any_found) return exit_ok;
  return any_unusable ? exit_input : exit_negative;
}

}  // namespace

void add_discover_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<discover_options>();
  auto* cmd = app.add_subcommand("discover", "Discover the PAC file by WPAD (DHCP option 252, DNS), per client");
  cmd->add_option("--client", opt->client, "standard, windows, chrome, firefox, libproxy, kde or all")
      ->type_name("NAME|all");
  cmd->add_option("--interface", opt->interfaces, "Interface for DHCPINFORM (repeatable; default: all up)")
      ->type_name("IF");
  cmd->add_option("--domain", opt->domain, "Primary DNS suffix to devolve (default: first search domain)")
      ->type_name("D");
  cmd->add_option("--methods", opt->methods, "Methods in order: dhcp,dns (default) or one of them");
  cmd->add_flag("--all", opt->all, "Try every method and candidate, report each success");
  cmd->add_option("--eval", opt->eval_url, "Evaluate FindProxyForURL for URL with each PAC found")
      ->type_name("URL");
  cmd->add_flag("--json", opt->json, "One JSON object (with --client all: {\"clients\":[...]})");
  cmd->add_option("--dns-server", opt->dns_servers, "Name server instead of resolv.conf's (repeatable)")
      ->type_name("IP[:PORT]");
  cmd->add_option("--dhcp-timeout", opt->dhcp_timeout_ms, "First DHCPINFORM wait, doubled per retry (ms)")
      ->type_name("MS");
  cmd->add_option("--dhcp-attempts", opt->dhcp_attempts, "DHCPINFORMs per interface (default 3)");
  cmd->add_option("--fetch-timeout", opt->fetch_timeout_ms, "Total time per PAC fetch (ms, default 10000)")
      ->type_name("MS");
  cmd->add_option("--lease-root", opt->lease_root, "Root under which lease files are looked for")
      ->type_name("DIR");
  cmd->add_flag("--no-lease-files", opt->no_lease_files, "Do not read DHCP lease files");
  cmd->footer(discover_footer);
  cmd->callback([opt, &exit_code] { exit_code = run_discover(*opt); });
}

}  // namespace pactool
