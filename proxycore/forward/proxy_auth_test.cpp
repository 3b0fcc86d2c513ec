#include "proxycore/forward/proxy_auth.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <fstream>
#include <future>
#include <thread>

using namespace wpadkit;
using namespace wpadkit::forward;

namespace {

// Made by independent tools, not by the crypt(3) under test:
//   htpasswd -nbB -C 5 alice s3cret;  htpasswd -nbB -C 5 carol 'p:w:d'
//   openssl passwd -6 -salt wpadkitsalt hunter2;  htpasswd -nbm apr x;  htpasswd -nbs sha x
const std::string alice_bcrypt = "$2y$05$.bltPX7zvZD5rERAmR38DuV3nxoOJcK8Nnx0cayINFuFEKWzKsPsW";
const std::string carol_bcrypt = "$2y$05$8EVAC0S/df31chFxtqZa2eWt57TeQH6lKjy1ukKXEqcpsK8.n4f3O";
const std::string bob_sha512 =
    "$6$wpadkitsalt$RlM7B.kWBPv2ZTbIhQWxICS23mOWj04opw7Z.njrAuff2xXTBUNfIQ8ayiVT17tUKSEspnV4zpvKeClCw2jal/";
const std::string apache_md5 = "$apr1$DMMRof7t$w/CP3kZXQ.HlFReWbg2rb.";
const std::string apache_sha = "{SHA}EfatjsUqKYSrqv18O1FlA3hcIHI=";

// A result<T> in an assertion: its error text goes into the report when it holds no value.
template <class T>
bool ok(const result<T>& r) {
  if (!r) UNSCOPED_INFO(r.error().to_string());
  return r.has_value();
}

std::vector<proxy_user> test_users() {
  return {{"alice", alice_bcrypt}, {"bob", bob_sha512}, {"carol", carol_bcrypt}};
}

// A file in the temp directory, removed at scope exit.
struct temp_file {
  explicit temp_file(const std::string& text)
      : path((std::filesystem::temp_directory_path() /
              ("wpadkit-users-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)))
                 .string()) {
    std::ofstream(path) << text;
  }
  ~temp_file() { std::filesystem::remove(path); }
  std::string path;
  static inline int counter = 0;
};

}  // namespace

TEST_CASE("parse_basic_credentials reads RFC 7617 values") {
  using row = std::tuple<std::string, std::string, std::string>;
  auto [value, user, password] = GENERATE(table<std::string, std::string, std::string>({
      row{"Basic YWxpY2U6czNjcmV0", "alice", "s3cret"},
      row{"basic  YWxpY2U6czNjcmV0 ", "alice", "s3cret"},
      row{"BASIC\tYWxpY2U6czNjcmV0", "alice", "s3cret"},
      row{"Basic Ym9iOnA6dzpk", "bob", "p:w:d"},          // bob:p:w:d — only the first ':' splits
      row{"Basic Ym9iOg==", "bob", ""},                   // bob: — an empty password is still a password
      row{"Basic OnB3", "", "pw"},                        // :pw — empty user-id (rejected by lookup)
      row{"Basic w6lsb2RpZTpww6Rzcw==", "\xc3\xa9lodie", "p\xc3\xa4ss"},  // UTF-8 passes through
  }));
  CAPTURE(value);
  auto c = parse_basic_credentials(value);
  REQUIRE(ok(c));
  CHECK(c->user == user);
  CHECK(c->password == password);
}

TEST_CASE("parse_basic_credentials names what is wrong") {
  using row = std::tuple<std::string, errc, std::string>;
  auto [value, code, message] = GENERATE(table<std::string, errc, std::string>({
      row{"Digest username=\"a\"", errc::unsupported, "unsupported scheme Digest: use Basic"},
      row{"Bearer abc", errc::unsupported, "unsupported scheme Bearer: use Basic"},
      row{"", errc::unsupported, "unsupported scheme (empty): use Basic"},
      row{"Basic", errc::parse, "malformed Basic credentials: not base64"},
      row{"Basic !!!!", errc::parse, "malformed Basic credentials: not base64"},
      row{"Basic YWxpY2U6czNjcmV0=", errc::parse, "malformed Basic credentials: not base64"},  // length
      row{"Basic YWxp=2U6", errc::parse, "malformed Basic credentials: not base64"},  // '=' inside
      row{"Basic YWxpY2U=", errc::parse, "malformed Basic credentials: no ':' between user and password"},
      row{"Basic YQphOmI=", errc::parse, "malformed Basic credentials: control characters"},  // "a\na:b"
  }));
  CAPTURE(value);
  auto c = parse_basic_credentials(value);
  REQUIRE_FALSE(c.has_value());
  CHECK(c.error().is(code));
  CHECK(c.error().message == message);
}

TEST_CASE("basic_credentials_value round-trips through parse_basic_credentials") {
  CHECK(basic_credentials_value("alice", "s3cret") == "Basic YWxpY2U6czNjcmV0");
  auto v = basic_credentials_value("bob", "p:w:d");
  auto c = parse_basic_credentials(v);
  REQUIRE(ok(c));
  CHECK(c->user == "bob");
  CHECK(c->password == "p:w:d");
  CHECK(basic_challenge("corp proxy") == "Basic realm=\"corp proxy\"");
}

TEST_CASE("verify_password checks bcrypt and SHA-512 crypt hashes") {
  CHECK(verify_password("s3cret", alice_bcrypt));
  CHECK_FALSE(verify_password("s3cre", alice_bcrypt));
  CHECK_FALSE(verify_password("s3cret ", alice_bcrypt));
  CHECK(verify_password("p:w:d", carol_bcrypt));
  CHECK(verify_password("hunter2", bob_sha512));
  CHECK_FALSE(verify_password("hunter3", bob_sha512));
  CHECK_FALSE(verify_password("", bob_sha512));
  // A truncated hash never matches, even with the right password.
  CHECK_FALSE(verify_password("hunter2", bob_sha512.substr(0, bob_sha512.size() - 1)));
  // Hashes crypt(3) cannot use are a "no", not a crash or an accepted password.
  CHECK_FALSE(verify_password("x", apache_md5));
  CHECK_FALSE(verify_password("x", ""));
}

TEST_CASE("check_hash_scheme accepts crypt(3) schemes and explains the others") {
  CHECK(ok(check_hash_scheme(alice_bcrypt)));
  CHECK(ok(check_hash_scheme(bob_sha512)));
  CHECK(ok(check_hash_scheme("$5$rounds=1000$abc$zdUXQ3de2d3x/8MYX1t30oZjPfJThZR5heHeVDYi8j6")));
  using row = std::tuple<std::string, std::string>;
  auto [hash, says] = GENERATE_REF(table<std::string, std::string>({
      row{apache_md5, "an Apache MD5 ($apr1$) hash, which crypt(3) on this system cannot verify"},
      row{apache_sha, "an Apache SHA-1 ({SHA}) hash, which crypt(3) on this system cannot verify"},
      row{"abJnggxhB/yWI", "traditional DES crypt, which checks only the first 8 characters"},
      row{"secret", "a plain-text password or unknown hash or traditional DES"},
      row{"$9z$abc", "a hash of the scheme '$9z$', which crypt(3) on this system cannot verify"},
  }));
  CAPTURE(hash);
  auto r = check_hash_scheme(hash);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().is(errc::unsupported));
  CHECK_THAT(r.error().message, Catch::Contains(says));
  CHECK_THAT(r.error().message, Catch::Contains("htpasswd -B"));
}

TEST_CASE("load_users_file reads users, skipping comments and blank lines") {
  temp_file f("# proxy users\n\nalice:" + alice_bcrypt + "\r\n  bob : " + bob_sha512 +
              "  \n# carol:disabled\n");
  auto users = load_users_file(f.path);
  REQUIRE(ok(users));
  REQUIRE(users->size() == 2);
  CHECK((*users)[0].name == "alice");
  CHECK((*users)[0].hash == alice_bcrypt);
  CHECK((*users)[1].name == "bob");
  CHECK((*users)[1].hash == bob_sha512);
}

TEST_CASE("load_users_file names path:line and the problem") {
  using row = std::tuple<std::string, int, std::string>;
  auto [text, line, says] = GENERATE_REF(table<std::string, int, std::string>({
      row{"# users\nalice\n", 2, "expected 'user:hash', found no ':'"},
      row{":" + bob_sha512 + "\n", 1, "empty user name before ':'"},
      row{"alice:\n", 1, "user 'alice' has no hash after ':'"},
      row{"alice:" + alice_bcrypt + "\n\napr:" + apache_md5 + "\n", 3,
          "user 'apr': the hash is an Apache MD5 ($apr1$) hash, which crypt(3) on this system cannot "
          "verify: re-create it with `htpasswd -B`"},
      row{"alice:" + alice_bcrypt + "\nbob:" + bob_sha512 + "\nalice:" + bob_sha512 + "\n", 3,
          "duplicate user 'alice'"},
  }));
  temp_file f(text);
  auto users = load_users_file(f.path);
  REQUIRE_FALSE(users.has_value());
  CHECK(users.error().where == f.path);
  CHECK(users.error().line == line);
  CHECK_THAT(users.error().to_string(),
             Catch::StartsWith(f.path + ":" + std::to_string(line) + ": ") && Catch::Contains(says));
}

TEST_CASE("load_users_file reports a missing file") {
  auto users = load_users_file("/nonexistent/wpadkit-users");
  REQUIRE_FALSE(users.has_value());
  CHECK(users.error().is(errc::io));
  CHECK_THAT(users.error().to_string(), Catch::StartsWith("/nonexistent/wpadkit-users: cannot read"));
}

TEST_CASE("client_authenticator accepts valid users and rejects the rest without saying why") {
  client_authenticator auth(test_users());
  REQUIRE(auth.enabled());
  CHECK(auth.authenticate(basic_credentials_value("alice", "s3cret")).value() == "alice");
  CHECK(auth.authenticate(basic_credentials_value("bob", "hunter2")).value() == "bob");
  CHECK(auth.authenticate(basic_credentials_value("carol", "p:w:d")).value() == "carol");

  auto wrong_password = auth.authenticate(basic_credentials_value("alice", "hunter2"));
  auto unknown_user = auth.authenticate(basic_credentials_value("mallory", "s3cret"));
  REQUIRE_FALSE(wrong_password.has_value());
  REQUIRE_FALSE(unknown_user.has_value());
  CHECK(wrong_password.error().message == "credentials rejected");
  CHECK(unknown_user.error().message == wrong_password.error().message);
  CHECK(wrong_password.error().is(errc::permission));

  auto none = auth.authenticate(std::nullopt);
  REQUIRE_FALSE(none.has_value());
  CHECK(none.error().message == "no Proxy-Authorization");
  auto digest = auth.authenticate("Digest username=\"alice\"");
  REQUIRE_FALSE(digest.has_value());
  CHECK(digest.error().message == "unsupported scheme Digest: use Basic");
  CHECK_FALSE(client_authenticator({}).enabled());
}

TEST_CASE("client_authenticator caches successes only, bounded") {
  client_authenticator auth(test_users(), 2);
  auto alice = basic_credentials_value("alice", "s3cret");
  REQUIRE(ok(auth.authenticate(alice)));
  CHECK(auth.cache_hits() == 0);
  CHECK(auth.cache_size() == 1);
  CHECK(auth.authenticate(alice).value() == "alice");
  CHECK(auth.cache_hits() == 1);

  SECTION("failures are verified every time") {
    auto bad = basic_credentials_value("alice", "nope");
    CHECK_FALSE(auth.authenticate(bad).has_value());
    CHECK_FALSE(auth.authenticate(bad).has_value());
    CHECK(auth.cache_hits() == 1);
    CHECK(auth.cache_size() == 1);
  }
  SECTION("a cached value does not make a different password valid") {
    CHECK_FALSE(auth.authenticate(basic_credentials_value("alice", "s3cret!")).has_value());
  }
  SECTION("the oldest entry goes when the cache is full") {
    REQUIRE(ok(auth.authenticate(basic_credentials_value("bob", "hunter2"))));
    REQUIRE(ok(auth.authenticate(basic_credentials_value("carol", "p:w:d"))));
    CHECK(auth.cache_size() == 2);
    auto hits = auth.cache_hits();
    CHECK(auth.authenticate(alice).value() == "alice");  // evicted: verified again
    CHECK(auth.cache_hits() == hits);
    CHECK(auth.authenticate(basic_credentials_value("carol", "p:w:d")).value() == "carol");
    CHECK(auth.cache_hits() == hits + 1);
  }
}

TEST_CASE("client_authenticator is safe to call from several threads") {
  client_authenticator auth(test_users(), 8);
  const std::array<std::pair<std::string, std::string>, 3> creds = {
      std::pair{basic_credentials_value("alice", "s3cret"), "alice"},
      {basic_credentials_value("bob", "hunter2"), "bob"},
      {basic_credentials_value("carol", "wrong"), ""}};
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        const auto& [value, user] = creds[(t + i) % creds.size()];
        auto r = auth.authenticate(value);
        if ((r ? *r : std::string()) != user) ++mismatches;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(mismatches == 0);
  CHECK(auth.cache_size() == 2);
  CHECK(auth.cache_hits() > 0);
}

TEST_CASE("upstream_authorizer answers PROXY hops named in the config, and nothing else") {
  auto made =
      upstream_authorizer::create({{"Parent.Corp:3128", "svc", "pw:1", upstream_scheme::basic, ""},
                                   {"[::1]:8080", "six", "x", upstream_scheme::basic, ""}});
  REQUIRE(ok(made));
  const auto& up = **made;
  CHECK(up.ntlm_crypto() == nullptr);  // no NTLM entry: the legacy provider is not even loaded
  using scheme = proxy_server::scheme;
  const auto* v = up.value_for(proxy_server(scheme::http, "parent.corp", 3128));
  REQUIRE(v != nullptr);
  CHECK(*v == basic_credentials_value("svc", "pw:1"));
  REQUIRE(up.value_for(proxy_server(scheme::http, "::1", 8080)) != nullptr);
  CHECK(*up.value_for(proxy_server(scheme::http, "::1", 8080)) == basic_credentials_value("six", "x"));
  CHECK(up.value_for(proxy_server(scheme::http, "parent.corp", 3129)) == nullptr);
  CHECK(up.value_for(proxy_server(scheme::http, "other.corp", 3128)) == nullptr);
  REQUIRE(up.value_for(proxy_server(scheme::https, "parent.corp", 3128)) != nullptr);  // TLS to it
  CHECK(*up.value_for(proxy_server(scheme::https, "parent.corp", 3128)) == *v);
  CHECK(up.value_for(proxy_server(scheme::socks5, "parent.corp", 3128)) == nullptr);
  CHECK(up.value_for(proxy_server::direct()) == nullptr);
}

TEST_CASE("upstream_authorizer keeps an NTLM identity, not a Basic value, for an NTLM hop") {
  using scheme = proxy_server::scheme;
  auto made = upstream_authorizer::create(
      {{"ntlm.corp:8080", "CORP\\alice", "Password", upstream_scheme::ntlm, ""},
       {"other.corp:8080", "User", "Password", upstream_scheme::ntlm, "Domain"},
       {"basic.corp:3128", "CORP\\bob", "pw", upstream_scheme::basic, ""}});
  REQUIRE(ok(made));
  const auto& up = **made;
  REQUIRE(up.ntlm_crypto() != nullptr);
  const proxy_server hop(scheme::http, "NTLM.corp", 8080);
  CHECK(up.value_for(hop) == nullptr);
  CHECK(up.holds_credentials(hop));
  const auto* who = up.ntlm_for(hop);
  REQUIRE(who != nullptr);
  CHECK((who->user == "alice" && who->domain == "CORP"));  // "DOMAIN\\user" split
  const auto* spec = up.ntlm_for(proxy_server(scheme::https, "other.corp", 8080));
  REQUIRE(spec != nullptr);
  // MS-NLMP 4.2.4.1.1: NTOWFv2("User", "Domain", "Password").
  CHECK(spec->key == ntlm::key16{0x0c, 0x86, 0x8a, 0x40, 0x3b, 0xfd, 0x7a, 0x93, 0xa3, 0x00, 0x1e,
                                 0xf2, 0x2e, 0xf0, 0x2e, 0x3f});
  // Basic keeps the backslash in the user, as ISA/TMG-style proxies expect it.
  const proxy_server basic(scheme::http, "basic.corp", 3128);
  REQUIRE(up.value_for(basic) != nullptr);
  CHECK(*up.value_for(basic) == basic_credentials_value("CORP\\bob", "pw"));
  CHECK(up.ntlm_for(basic) == nullptr);
  CHECK(up.ntlm_for(proxy_server(scheme::socks5, "ntlm.corp", 8080)) == nullptr);
  CHECK_FALSE(up.holds_credentials(proxy_server(scheme::http, "none.corp", 8080)));
}

TEST_CASE("validate_config checks the authentication settings") {
  proxy_config c;
  c.users = test_users();
  c.upstream_auth = {{"parent.corp:3128", "svc", "p:w", upstream_scheme::basic, ""}};
  REQUIRE(ok(validate_config(c)));
  using row = std::tuple<std::string, std::function<void(proxy_config&)>>;
  auto
      [says, change] =
          GENERATE_REF(
              table<std::string, std::function<void(proxy_config&)>>(
                  {
                      row{"auth_realm 'a \"b\"' must be non-empty, without quotes",
                          [](proxy_config& x) { x.auth_realm = "a \"b\""; }},
                      row{"auth_realm 'a\nb' must be",
                          [](proxy_config& x) { x.auth_realm = "a\nb"; }},
                      row{"auth_realm '' must be", [](proxy_config& x) { x.auth_realm = ""; }},
                      row{"users: the name 'a:b' must be non-empty, without ':'",
                          [](proxy_config& x) {
                            x.users.push_back({"a:b", bob_sha512});
                          }},
                      row{"users: user 'apr': the hash is an Apache MD5",
                          [](proxy_config& x) { x.users.push_back({"apr", apache_md5}); }},
                      row{"users: duplicate user 'bob'",
                          [](proxy_config& x) { x.users.push_back({"bob", bob_sha512}); }},
                      row{"upstream_auth: proxy 'parent.corp' is not host:port",
                          [](proxy_config& x) { x.upstream_auth[0].proxy = "parent.corp"; }},
                      row{"upstream_auth for parent.corp:3128: the user must not contain ':'",
                          [](proxy_config& x) { x.upstream_auth[0].user = "a:b"; }},
                      row{"upstream_auth: proxy PARENT.corp:3128 is listed twice",
                          [](proxy_config& x) {
                            x.upstream_auth.push_back(
                                {"PARENT.corp:3128", "u", "p", upstream_scheme::basic, ""});
                          }},
                      row{"upstream_auth for parent.corp:3128: a domain is for scheme ntlm",
                          [](proxy_config& x) { x.upstream_auth[0].domain = "CORP"; }},
                      row{"upstream_auth for parent.corp:3128: NTLM needs a user name",
                          [](proxy_config& x) {
                            x.upstream_auth[0].scheme = upstream_scheme::ntlm;
                            x.upstream_auth[0].user = "CORP\\";
                          }},
                      row{"upstream_auth for parent.corp:3128: the domain is given twice",
                          [](proxy_config& x) {
                            x.upstream_auth[0] = {"parent.corp:3128", "CORP\\svc", "pw",
                                                  upstream_scheme::ntlm, "CORP"};
                          }},
                  }));
  change(c);
  auto r = validate_config(c);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().is(errc::config));
  CHECK_THAT(r.error().message, Catch::StartsWith(says));
}

TEST_CASE("client_authenticator hashes on its own thread with async_authenticate") {
  client_authenticator auth(test_users());
  auto run = [&](std::string value) {
    std::promise<std::pair<result<std::string>, std::thread::id>> done;
    auth.async_authenticate(std::move(value), [&](result<std::string> r) {
      done.set_value({std::move(r), std::this_thread::get_id()});
    });
    return done.get_future().get();
  };
  auto [good, thread] = run(basic_credentials_value("bob", "hunter2"));
  REQUIRE(ok(good));
  CHECK(*good == "bob");
  CHECK(thread != std::this_thread::get_id());
  CHECK(run(basic_credentials_value("bob", "nope")).first.error().message == "credentials rejected");
  // The success is now cached: the I/O thread can answer it without hashing.
  CHECK(auth.cached_user(basic_credentials_value("bob", "hunter2")) == std::optional<std::string>("bob"));
  CHECK_FALSE(auth.cached_user(basic_credentials_value("bob", "nope")).has_value());
}
