// pactool eval — FindProxyForURL for each URL given (or each line of stdin with `-`), on one loaded
// engine. Text output: one line per URL, the result string, or `ERROR <kind>: <message>` when the call
// failed (alerts and entries the parser drops are reported on stderr). --json: one object per line (see issue 3's format, and json_line below).
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "pactool/commands.hpp"
#include "pactool/engine_flags.hpp"
#include "pactool/output.hpp"
#include "pactool/pac_source.hpp"
#include "proxycore/model/proxy_list.hpp"

namespace pactool {
namespace {

struct eval_options {
  std::string pac;
  std::string host;
  bool json = false;
  std::vector<std::string> urls;
  engine_flags flags;
};

constexpr const char* eval_footer = R"(Examples:
  pactool eval --pac examples/corporate.pac http://intranet.corp.example/
  pactool eval --pac http://wpad.corp.example/wpad.dat --json https://www.example.com/
  pactool eval --pac proxy.pac --offline --dns intranet.corp=10.1.2.3 http://intranet.corp/
  pactool eval --pac proxy.pac --now 2026-03-02T09:00:00Z --my-ip 10.0.0.5 http://a.example/
  printf 'http://a.example/\nhttp://b.example/\tb.example\n' | pactool eval --pac proxy.pac -
Stdin lines are URL[<TAB>HOST]; each is answered on its own line as soon as it is read.
Each URL is given to the PAC as Chromium gives it: host lower-cased, no user name or fragment,
https: and wss: URLs stripped to scheme://host[:port]/ (--json shows the url and host the PAC saw).
Exit codes: 0 ok, 2 usage (an input is not a URL), 3 the PAC could not be loaded, 4 an evaluation
failed.)";

std::string proxies_json(const wpadkit::proxy_list& list) {
  std::string out = "[";
  for (std::size_t i = 0; i < list.servers.size(); ++i) {
    const auto& s = list.servers[i];
    if (i) out += ',';
    json_object o;
    o.str("type", wpadkit::proxy_server::scheme_name(s.type()));
    if (s.is_direct()) {
      o.raw("host", "null").raw("port", "null");
    } else {
      o.str("host", s.host()).integer("port", s.port());
    }
    out += o.text();
  }
  return out + "]";
}

std::string error_json(const wpadkit::error& e) {
  json_object o;
  o.str("kind", error_kind(e)).str("message", e.message.empty() ? e.code.message() : e.message);
  if (e.line) o.integer("line", *e.line); else o.raw("line", "null");
  return o.text();
}

std::string json_line(std::string_view url, std::string_view host,
                      const wpadkit::result<wpadkit::pac::evaluation>& r) {
  json_object o;
  o.str("url", url).str("host", host);
  if (r) {
    auto list = wpadkit::parse_proxy_list(r->result);
    o.str("result", r->result)
        .raw("proxies", proxies_json(list))
        .raw("alerts", json_string_array(r->alerts))
        .raw("warnings", json_string_array(list.warnings))
        .raw("error", "null");
  } else {
    o.raw("result", "null").raw("proxies", "[]").raw("alerts", "[]").raw("warnings", "[]");
    o.raw("error", error_json(r.error()));
  }
  return o.text();
}

// Evaluates one URL and prints its line; returns false when the call failed. The PAC gets the
// canonical request (pac_request.hpp), which the JSON line shows; a URL without one is answered
// "ERROR parse: ..." and counted in `not_urls`.
bool eval_one(wpadkit::pac::engine& engine, const eval_options& opt, const std::string& given,
              const std::string& given_host, int& not_urls) {
  auto req = pac_request_for(given, given_host);
  if (!req) ++not_urls;
  const std::string& url = req ? req->url : given;
  const std::string& host = req ? req->host : given_host;
  auto r = req ? engine.find_proxy(url, host) : wpadkit::result<wpadkit::pac::evaluation>(req.error());
  if (opt.json) {
    std::cout << json_line(url, host, r) << '\n';
  } else if (r) {
    std::cout << r->result << '\n';
    // Alerts and dropped entries go to stderr, so that stdout stays one result per line.
    for (const auto& a : r->alerts) std::cerr << "pactool: alert: " << url << ": " << a << '\n';
    for (const auto& w : wpadkit::parse_proxy_list(r->result).warnings) {
      std::cerr << "pactool: warning: " << url << ": " << w << '\n';
    }
  } else {
    std::cout << "ERROR " << error_kind(r.error()) << ": " << r.error().to_string() << '\n';
  }
  std::cout.flush();
  return static_cast<bool>(r);
}

int run_eval(eval_options& opt) {
  auto setup = make_engine_setup(opt.flags);
  if (!setup) {
    print_error(setup.error());
    return exit_usage;
  }
  bool batch = opt.urls.size() == 1 && opt.urls.front() == "-";
  if (!batch && std::find(opt.urls.begin(), opt.urls.end(), "-") != opt.urls.end()) {
    std::cerr << "pactool eval: usage error: '-' (read stdin) cannot be mixed with URLs\n";
    return exit_usage;
  }
  auto pac = read_pac(opt.pac, setup->options.max_pac_bytes);
  if (!pac) {
    print_error(pac.error());
    return exit_input;
  }
  auto engine = load_engine(*pac, *setup, setup->settings);
  if (!engine) {
    print_error(engine.error());
    return exit_input;
  }
  bool all_ok = true;
  int not_urls = 0;  // inputs that are no URL: a usage error, once every line is answered
  auto code = [&] { return not_urls ? exit_usage : all_ok ? exit_ok : exit_eval; };
  if (!batch) {
    for (const auto& url : opt.urls) all_ok &= eval_one(*engine, opt, url, opt.host, not_urls);
    return code();
  }
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    auto tab = line.find('\t');
    std::string url = line.substr(0, tab);
    std::string host = tab == std::string::npos ? opt.host : line.substr(tab + 1);
    all_ok &= eval_one(*engine, opt, url, host, not_urls);
  }
  return code();
}

}  // namespace

void add_eval_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<eval_options>();
  auto* cmd = app.add_subcommand("eval", "Evaluate FindProxyForURL for URLs (or stdin lines with -)");
  cmd->add_option("--pac", opt->pac, "PAC file or http(s) URL")->required()->type_name("FILE|URL");
  cmd->add_option("--host", opt->host, "Host argument (default: the URL's host)");
  cmd->add_flag("--json", opt->json, "One JSON object per line");
  cmd->add_option("urls", opt->urls, "URLs to evaluate, or - to read URL[<TAB>HOST] lines from stdin")
      ->required()
      ->type_name("URL");
  add_engine_flags(*cmd, opt->flags);
  cmd->footer(eval_footer);
  cmd->callback([opt, &exit_code] { exit_code = run_eval(*opt); });
}

}  // namespace pactool
