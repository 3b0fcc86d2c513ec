#include "pacserver/pac_validator.hpp"

#include <algorithm>

#include "proxycore/dns/fixed_resolver.hpp"
#include "proxycore/pac/pac_engine.hpp"
#include "proxycore/pac/pac_request.hpp"

namespace wpadkit::pacserver {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

bool well_formed_element(std::string_view e) {
  e = trim(e);
  if (e == "DIRECT") return true;
  const auto space = e.find(' ');
  if (space == std::string_view::npos) return false;
  const auto type = e.substr(0, space);
  const auto hostport = trim(e.substr(space + 1));
  static const std::string_view types[] = {"PROXY", "HTTP", "HTTPS", "SOCKS", "SOCKS4", "SOCKS5"};
  if (std::find(std::begin(types), std::end(types), type) == std::end(types)) return false;
  const auto colon = hostport.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == hostport.size()) return false;
  const auto port = hostport.substr(colon + 1);
  return std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }) &&
         hostport.find(' ') == std::string_view::npos;
}

error case_error(const golden_case& c, const std::string& msg) {
  return error(errc::config, c.source.key + ": " + msg).at(c.source.file, c.source.line);
}

}  // namespace

const std::vector<std::string>& builtin_smoke_urls() {
  static const std::vector<std::string> urls{
      "http://www.example.com/",
      "https://www.example.com/",
      "http://intranet/",
      "http://10.1.2.3/index.html",
      "http://192.168.1.1:8080/",
      "http://[2001:db8::1]/",
      "ftp://ftp.example.org/pub/",
      "ws://chat.example.net/",
      "http://localhost:3000/",
      "http://127.0.0.1/",
      "http://a.b.c.d.example.co.uk/path?q=1",
  };
  return urls;
}

bool well_formed_result(std::string_view result) {
  bool any = false;
  while (!result.empty()) {
    const auto semi = result.find(';');
    const auto element = trim(result.substr(0, semi));
    result = semi == std::string_view::npos ? std::string_view{} : result.substr(semi + 1);
    if (element.empty()) continue;
    if (!well_formed_element(element)) return false;
    any = true;
  }
  return any;
}

std::vector<error> validate_pac(const std::string& pac_text, const server_config& config,
                                const variant& v) {
  std::vector<error> out;
  const std::string where = "variants." + v.name;
  if (pac_text.size() > config.limits.max_pac_bytes) {
    out.push_back(error(errc::limit, where + ": the PAC is " + std::to_string(pac_text.size()) +
                                         " bytes, over limits.max_pac_bytes (" +
                                         std::to_string(config.limits.max_pac_bytes) + ")")
                      .at(v.source.file, v.source.line));
    return out;
  }
  // A deterministic environment: only the DNS names the config lists, a fixed clock and address.
  auto resolver = std::make_shared<dns::fixed_resolver>();
  for (const auto& [name, addrs] : config.validation_dns) {
    for (const auto& a : addrs) resolver->add(name, a);
  }
  pac::environment env;
  env.resolver = resolver;
  env.time = pac::fixed_clock(std::chrono::system_clock::from_time_t(1'767'268'800));  // 2026-01-01
  env.local = pac::fixed_local_addresses({boost::asio::ip::make_address("10.0.0.10")});
  pac::engine_options options;
  options.max_pac_bytes = config.limits.max_pac_bytes;
  auto engine = pac::engine::load(pac_text, "wpad.dat (variant " + v.name + ")", env, options);
  if (!engine) {
    auto e = engine.error();
    out.push_back(error(e.code, where + ": the generated PAC does not load: " + e.to_string())
                      .at(v.source.file, v.source.line));
    return out;
  }
  std::vector<std::string> smoke = builtin_smoke_urls();
  smoke.insert(smoke.end(), config.smoke_urls.begin(), config.smoke_urls.end());
  for (const auto& url : smoke) {
    auto req = pac::canonical_request(url);
    if (!req) {
      out.push_back(error(errc::config, where + ": smoke URL " + req.error().message)
                        .at(v.source.file, v.source.line));
      continue;
    }
    auto r = engine->find_proxy(req->url, req->host);
    if (!r) {
      out.push_back(
          error(r.error().code, where + ": smoke URL " + url + " fails: " + r.error().to_string())
              .at(v.source.file, v.source.line));
      // One call cut off refuses the PAC; each further one would hold the reload for the limit again.
      if (r.error().is(errc::pac_timeout)) return out;
    } else if (!well_formed_result(r->result)) {
      out.push_back(error(errc::config, where + ": smoke URL " + url +
                                            " returns a malformed result \"" + r->result + "\"")
                        .at(v.source.file, v.source.line));
    }
  }
  for (const auto& c : v.cases) {
    auto req = pac::canonical_request(c.url);
    if (!req) {
      out.push_back(case_error(c, req.error().message));
      continue;
    }
    auto r = engine->find_proxy(req->url, c.host.empty() ? req->host : c.host);
    if (!r) {
      out.push_back(case_error(c, c.url + " fails: " + r.error().to_string()));
      if (r.error().is(errc::pac_timeout)) return out;
    } else if (r->result != c.expect) {
      out.push_back(
          case_error(c, c.url + " returns \"" + r->result + "\", expected \"" + c.expect + "\""));
    }
  }
  return out;
}
}  // namespace wpadkit::pacserver
