#include "pactool/proxy_settings.hpp"

#include <catch2/catch.hpp>

using namespace pactool;
using namespace std::chrono_literals;
namespace fwd = wpadkit::forward;

namespace {

const char* file_text = R"([proxy]
listen = "127.0.0.1:4000"
via = "from-file"
allowed_clients = ["10.0.0.0/8"]
connect_ports = [443]
connect_timeout_ms = 1500
upstream_timeout_ms = 7000
bad_proxy_retry_ms = 60000
access_log = "access.log"
log_format = "json"

[pac]
source = "corporate.pac"
threads = 3
refetch_ms = 2000
no_pac = "refuse"
no_pac_wait_ms = 500
decision_timeout_ms = 800
inline_evaluation = false

[dns]
offline = true
hosts = { "origin.test" = "127.0.0.1", "dual.test" = ["10.0.0.1", "::1"] }
)";

wpadkit::result<proxy_settings> parse(const std::string& text) {
  return parse_proxy_file(text, "p.toml", "/srv/conf");
}

}  // namespace

TEST_CASE("proxy_settings: the file fills [proxy], [pac] and [dns]") {
  auto s = parse(file_text);
  REQUIRE(s.has_value());
  const auto& c = s->proxy.config;
  CHECK(c.listen_port == 4000);
  CHECK(c.via_name == "from-file");
  CHECK(c.connect_timeout == 1500ms);
  CHECK(c.bad_proxy_retry == 60000ms);
  CHECK(s->proxy.access_log == "/srv/conf/access.log");
  CHECK(s->proxy.log_format == fwd::log_format::json);
  CHECK(s->pac == "/srv/conf/corporate.pac");
  CHECK(s->route.empty());
  CHECK(s->pac_threads == 3);
  CHECK(s->refetch == 2000ms);
  CHECK(c.when_no_pac == fwd::no_pac_policy::refuse);
  CHECK(c.no_pac_wait == 500ms);
  CHECK(c.pac_timeout == 800ms);
  CHECK_FALSE(c.inline_pac);
  CHECK(s->offline);
  // A TOML table has no order between names (toml++ sorts them); a name's addresses keep theirs.
  CHECK(s->dns ==
        std::vector<std::string>{"dual.test=10.0.0.1", "dual.test=::1", "origin.test=127.0.0.1"});
  CHECK(check_settings(*s).has_value());
  CHECK(s->notices.empty());
}

TEST_CASE("proxy_settings: the decision cache's keys are checked, then ignored with a notice") {
  // Files written for versions with a decision cache keep starting the proxy; each key names itself.
  auto s = parse("[pac]\nsource = \"a.pac\"\ndecision_cache = true\n\ndecision_cache_entries = 50\n");
  REQUIRE(s.has_value());
  REQUIRE(s->notices.size() == 2);
  CHECK(s->notices[0].rfind(
            "p.toml:3: pac.decision_cache is ignored: the proxy evaluates the PAC for every request", 0) == 0);
  CHECK(s->notices[1].rfind("p.toml:5: pac.decision_cache_entries is ignored", 0) == 0);
  CHECK(check_settings(*s).has_value());
}

TEST_CASE("proxy_settings: URLs and auto are sources as written") {
  CHECK(parse("[pac]\nsource = \"auto\"\n")->pac == "auto");
  CHECK(parse("[pac]\nsource = \"http://wpad.corp/wpad.dat\"\n")->pac ==
        "http://wpad.corp/wpad.dat");
  CHECK(parse("[pac]\nroute = \"DIRECT\"\n")->route == "DIRECT");
}

TEST_CASE("proxy_settings: flags override the file's values") {
  auto s = parse(file_text);
  REQUIRE(s.has_value());
  proxy_flags f;
  f.listen = "127.0.0.1:0";
  f.via = "from-flag";
  f.allow = {"192.168.0.0/16", "127.0.0.1"};
  f.connect_ports = {"any"};
  f.connect_timeout_ms = 250;
  f.bad_proxy_retry_s = 1.5;
  f.no_pac = "direct";
  f.refetch_s = 0.5;
  f.log_format = "text";
  f.route = "PROXY p:3128; DIRECT";
  REQUIRE(apply_flags(f, *s).has_value());
  const auto& c = s->proxy.config;
  CHECK(c.listen_port == 0);
  CHECK(c.via_name == "from-flag");
  REQUIRE(c.allowed_clients.size() == 2);  // the flag's list replaces the file's
  CHECK(c.allowed_clients[0].prefix() == 16);
  CHECK(c.connect_ports.empty());
  CHECK(c.connect_timeout == 250ms);
  CHECK(c.bad_proxy_retry == 1500ms);
  CHECK(c.when_no_pac == fwd::no_pac_policy::direct);
  CHECK(s->refetch == 500ms);
  CHECK(s->proxy.log_format == fwd::log_format::text);
  // --route replaces the file's pac.source: one source remains.
  CHECK(s->route == "PROXY p:3128; DIRECT");
  CHECK(s->pac.empty());
  CHECK(check_settings(*s).has_value());
  // What no flag mentions stays as the file said.
  CHECK(c.upstream_timeout == 7000ms);
  CHECK(s->pac_threads == 3);
  CHECK(s->proxy.access_log == "/srv/conf/access.log");
}

TEST_CASE("proxy_settings: --no-inline-pac turns the default off; --no-decision-cache is accepted") {
  auto s = parse("[pac]\nsource = \"a.pac\"\n");
  REQUIRE(s.has_value());
  CHECK(s->proxy.config.inline_pac);
  proxy_flags f;
  f.no_inline_pac = true;
  f.no_decision_cache = true;
  REQUIRE(apply_flags(f, *s).has_value());
  CHECK_FALSE(s->proxy.config.inline_pac);
}

TEST_CASE("proxy_settings: a bad flag value names the flag") {
  proxy_settings s;
  using row = std::pair<std::function<void(proxy_flags&)>, std::string>;
  auto [set, words] = GENERATE(table<std::function<void(proxy_flags&)>, std::string>({
      row{[](proxy_flags& f) { f.listen = "nowhere:1"; }, "--listen"},
      row{[](proxy_flags& f) { f.admin = "1.2.3.4:x"; }, "--admin"},
      row{[](proxy_flags& f) { f.allow = {"10.0.0.0/33"}; }, "--allow"},
      row{[](proxy_flags& f) { f.connect_ports = {"https"}; }, "--connect-port 'https'"},
      row{[](proxy_flags& f) { f.connect_timeout_ms = 0; }, "--connect-timeout"},
      row{[](proxy_flags& f) { f.refetch_s = -1; }, "--refetch"},
      row{[](proxy_flags& f) { f.pac_threads = 0u; }, "--pac-threads"},
  }));
  proxy_flags f;
  set(f);
  auto ok = apply_flags(f, s);
  REQUIRE_FALSE(ok.has_value());
  INFO(ok.error().to_string());
  CHECK(ok.error().to_string().find(words) != std::string::npos);
}

TEST_CASE("proxy_settings: every mistake in the file names file:line and the key") {
  using row = std::tuple<std::string, std::string, std::string>;
  auto [text, place, words] = GENERATE(table<std::string, std::string, std::string>({
      row{"[proxy]\nlisten = \"here\"\n", "p.toml:2", "proxy.listen"},
      row{"[proxy]\nvia = \"a b\"\n", "p.toml:2", "proxy.via"},
      row{"[pac]\n\nsorce = \"x.pac\"\n", "p.toml:3", "unknown key \"pac.sorce\""},
      row{"[pac]\nsource = 3\n", "p.toml:2", "pac.source: expected a string"},
      row{"[pac]\nsource = \"a.pac\"\nroute = \"DIRECT\"\n", "p.toml:3", "pac.route: give either"},
      row{"[pac]\nno_pac = \"maybe\"\n", "p.toml:2",
          "pac.no_pac: \"maybe\" is not one of wait, direct, refuse"},
      row{"[pac]\nthreads = 0\n", "p.toml:2", "pac.threads: must be between 1"},
      row{"[pac]\nrefetch_ms = 10\n", "p.toml:2", "pac.refetch_ms"},
      row{"[pac]\ndecision_cache = \"no\"\n", "p.toml:2",
          "pac.decision_cache: expected true or false"},
      row{"[pac]\ndecision_cache_entries = 0\n", "p.toml:2", "pac.decision_cache_entries"},
      row{"[dns]\nhosts = { \"a.test\" = \"not-an-ip\" }\n", "p.toml:2", "dns.hosts.a.test"},
      row{"[dns]\noffline = 1\n", "p.toml:2", "dns.offline"},
      row{"[listen]\nport = 1\n", "p.toml:1", "unknown key \"listen\""},
      row{"pac = \"x\"\n", "p.toml:1", "pac: expected a table [pac]"},
  }));
  auto s = parse(text);
  REQUIRE_FALSE(s.has_value());
  const auto msg = s.error().to_string();
  INFO(msg);
  CHECK(msg.rfind(place + ":", 0) == 0);
  CHECK(msg.find(words) != std::string::npos);
}

TEST_CASE("proxy_settings: neither or both of a source and a route is refused") {
  proxy_settings s;
  CHECK_FALSE(check_settings(s).has_value());
  s.pac = "a.pac";
  CHECK(check_settings(s).has_value());
  s.route = "DIRECT";
  CHECK_FALSE(check_settings(s).has_value());
}

TEST_CASE("proxy_settings: an unreadable file is an io error naming it") {
  auto s = load_proxy_file("/nonexistent/pactool-proxy.toml");
  REQUIRE_FALSE(s.has_value());
  CHECK(s.error().is(wpadkit::errc::io));
  CHECK(s.error().where == "/nonexistent/pactool-proxy.toml");
}

TEST_CASE("proxy_settings: --upstream-auth* flags replace the file's upstream_auth list") {
  auto s = parse(R"([proxy]
users_file = "users"
realm = "file realm"
upstream_auth = [{ proxy = "a.corp:3128", user = "file-user", password = "x" }]

[pac]
route = "DIRECT"
)");
  REQUIRE(s.has_value());
  CHECK(s->proxy.users_file == "/srv/conf/users");
  REQUIRE(s->proxy.upstream_auth.size() == 1);
  proxy_flags f;
  f.users = "/etc/wpadkit/users";
  f.realm = "flag realm";
  f.upstream_auth = {"b.corp:3128=u1:pw"};
  f.upstream_auth_env = {"c.corp:3128=u2:PW_VAR"};
  REQUIRE(apply_flags(f, *s).has_value());
  CHECK(s->proxy.users_file == "/etc/wpadkit/users");
  CHECK(s->proxy.users_origin == "--users");
  CHECK(s->proxy.config.auth_realm == "flag realm");
  REQUIRE(s->proxy.upstream_auth.size() == 2);
  CHECK(s->proxy.upstream_auth[0].proxy == "b.corp:3128");
  CHECK(s->proxy.upstream_auth[1].password.from == wpadkit::configfile::secret_source::kind::env);
  CHECK(s->proxy.upstream_auth[1].password.value == "PW_VAR");
  // --upstream-auth-scheme names the entry of a proxy; a flag of its own does not replace the list.
  proxy_flags ntlm;
  ntlm.upstream_auth_scheme = {"C.corp:3128=NTLM"};
  REQUIRE(apply_flags(ntlm, *s).has_value());
  REQUIRE(s->proxy.upstream_auth.size() == 2);
  CHECK(s->proxy.upstream_auth[0].scheme == wpadkit::forward::upstream_scheme::basic);
  CHECK(s->proxy.upstream_auth[1].scheme == wpadkit::forward::upstream_scheme::ntlm);
  for (auto [value, says] : {std::pair{"z.corp:3128=ntlm",
                                       "no --upstream-auth* credentials (or upstream_auth "
                                       "entry) for z.corp:3128"},
                             std::pair{"c.corp:3128=digest", "the scheme must be basic or ntlm"},
                             std::pair{"ntlm", "expected HOST:PORT=basic|ntlm"}}) {
    proxy_flags wrong;
    wrong.upstream_auth_scheme = {value};
    auto refused = apply_flags(wrong, *s);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().message ==
          std::string("--upstream-auth-scheme '") + value + "': " + says);
  }
  proxy_flags bad;
  bad.upstream_auth_file = {"b.corp:3128"};
  auto ok = apply_flags(bad, *s);
  REQUIRE_FALSE(ok.has_value());
  CHECK(ok.error().message.find("--upstream-auth-file") != std::string::npos);
}
