#include "configfile/credentials.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "configfile/proxy_section.hpp"

using namespace wpadkit;
using namespace wpadkit::configfile;

namespace {

// A file in the temp dir, removed at the end of the test.
struct temp_file {
  std::filesystem::path path;
  explicit temp_file(const std::string& name, const std::string& text)
      : path(std::filesystem::temp_directory_path() /
             ("wpadkit-cred-" + std::to_string(::getpid()) + "-" + name)) {
    std::ofstream(path) << text;
  }
  ~temp_file() { std::filesystem::remove(path); }
};

result<proxy_section> read(const std::string& text) {
  WPADKIT_TRY(root, parse_toml(text, "p.toml"));
  proxy_section out;
  const auto* t = root.get_as<toml::table>("proxy");
  REQUIRE(t);
  if (auto ok = read_proxy_section(toml_reader("p.toml"), *t, "proxy", "", out); !ok)
    return ok.error();
  return out;
}

const char* hash =
    "$6$saltsalt$As4wrv0kZlfch1du9WeH7qhskyLriQWySXrZzynnvi46nFnNxjdpl6ksRegrrKexvhIa/"
    "Iny8S8uF3fVWTMuC1";

}  // namespace

TEST_CASE("credentials: flag values HOST:PORT=USER:REST") {
  auto e = parse_upstream_auth_flag("squid.corp:3128=svc:p:w:d", secret_source::kind::literal,
                                    "--upstream-auth");
  REQUIRE(e.has_value());
  CHECK(e->proxy == "squid.corp:3128");
  CHECK(e->user == "svc");
  CHECK(e->password.value == "p:w:d");  // a password may hold ':'
  CHECK(e->origin == "--upstream-auth");
  for (const char* bad : {"squid.corp:3128", "squid.corp:3128=svc", "=svc:pw",
                          "squid.corp:3128=:pw", "squid=svc:pw"}) {
    INFO(bad);
    auto r = parse_upstream_auth_flag(bad, secret_source::kind::literal, "--upstream-auth");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("--upstream-auth") != std::string::npos);
  }
  CHECK_FALSE(parse_upstream_auth_flag("p:1=u:", secret_source::kind::env, "--upstream-auth-env")
                  .has_value());
}

TEST_CASE("credentials: a password from a file (first line) or from the environment") {
  temp_file pw("pw", "from-file\nsecond line\n");
  auto f = read_secret({secret_source::kind::file, pw.path.string()}, "p.toml:3");
  REQUIRE(f.has_value());
  CHECK(*f == "from-file");
  ::setenv("WPADKIT_TEST_PW", "from-env", 1);
  CHECK(read_secret({secret_source::kind::env, "WPADKIT_TEST_PW"}, "--upstream-auth-env").value() ==
        "from-env");
  ::unsetenv("WPADKIT_TEST_PW");
  auto unset = read_secret({secret_source::kind::env, "WPADKIT_TEST_PW"}, "p.toml:9");
  REQUIRE_FALSE(unset.has_value());
  CHECK(unset.error().message.find("WPADKIT_TEST_PW (given at p.toml:9) is not set") !=
        std::string::npos);
  auto missing = read_secret({secret_source::kind::file, "/nonexistent/pw"}, "p.toml:4");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().where == "/nonexistent/pw");
  CHECK(missing.error().message.find("p.toml:4") != std::string::npos);
}

TEST_CASE("credentials: [proxy] users_file, realm and upstream_auth") {
  temp_file users("users", std::string("alice:") + hash + "\n");
  temp_file pw("pw2", "filepass\n");
  ::setenv("WPADKIT_TEST_PW2", "envpass", 1);
  auto s = read(
      "[proxy]\nusers_file = \"" + users.path.string() + "\"\nrealm = \"corp proxy\"\n" +
      "upstream_auth = [\n  { proxy = \"a.corp:3128\", user = \"u1\", password = \"lit\" },\n" +
      "  { proxy = \"b.corp:8080\", user = \"u2\", password_file = \"" + pw.path.string() +
      "\" },\n" +
      "  { proxy = \"[::1]:3128\", user = \"u3\", password_env = \"WPADKIT_TEST_PW2\" },\n]\n");
  REQUIRE(s.has_value());
  CHECK(s->users_origin == "p.toml:2");
  CHECK(s->config.auth_realm == "corp proxy");
  REQUIRE(load_credentials(*s).has_value());
  ::unsetenv("WPADKIT_TEST_PW2");
  REQUIRE(s->config.users.size() == 1);
  CHECK(s->config.users[0].name == "alice");
  REQUIRE(s->config.upstream_auth.size() == 3);
  CHECK(s->config.upstream_auth[0].password == "lit");
  CHECK(s->config.upstream_auth[1].password == "filepass");
  CHECK(s->config.upstream_auth[2].password == "envpass");
  CHECK(s->config.upstream_auth[2].proxy == "[::1]:3128");
  CHECK(forward::validate_config(s->config).has_value());
}

TEST_CASE("credentials: upstream_auth with scheme = \"ntlm\" and a domain, or DOMAIN\\user") {
  auto s = read(
      "[proxy]\nupstream_auth = [\n"
      "  { proxy = \"a.corp:8080\", scheme = \"ntlm\", domain = \"CORP\", user = \"alice\", "
      "password = \"p\" },\n"
      "  { proxy = \"b.corp:8080\", scheme = \"NTLM\", user = 'CORP\\bob', password = \"p\" },\n"
      "  { proxy = \"c.corp:3128\", scheme = \"basic\", user = 'CORP\\carol', password = \"p\" },\n"
      "  { proxy = \"d.corp:3128\", user = \"dave\", password = \"p\" },\n]\n");
  REQUIRE(s.has_value());
  REQUIRE(load_credentials(*s).has_value());
  const auto& a = s->config.upstream_auth;
  REQUIRE(a.size() == 4);
  using forward::upstream_scheme;
  CHECK((a[0].scheme == upstream_scheme::ntlm && a[0].domain == "CORP" && a[0].user == "alice"));
  CHECK((a[1].scheme == upstream_scheme::ntlm && a[1].domain.empty() && a[1].user == "CORP\\bob"));
  CHECK((a[2].scheme == upstream_scheme::basic && a[2].user == "CORP\\carol"));
  CHECK(a[3].scheme == upstream_scheme::basic);  // the default
  CHECK(forward::validate_config(s->config).has_value());
}

TEST_CASE("credentials: mistakes name file:line and the key") {
  using row = std::tuple<std::string, std::string, std::string>;
  auto [text, place, words] = GENERATE(table<std::string, std::string, std::string>({
      row{"[proxy]\nrealm = 'a\"b'\n", "p.toml:2", "proxy.realm"},
      row{"[proxy]\nusers_file = \"\"\n", "p.toml:2", "proxy.users_file: must not be empty"},
      row{"[proxy]\nupstream_auth = { proxy = \"a:1\" }\n", "p.toml:2",
          "proxy.upstream_auth: expected an array"},
      row{"[proxy]\nupstream_auth = [{ proxy = \"a:1\", user = \"u\" }]\n", "p.toml:2",
          "proxy.upstream_auth[0]: needs exactly one of password"},
      row{"[proxy]\nupstream_auth = [{ proxy = \"a:1\", user = \"u\", password = \"x\", "
          "password_env = \"X\" }]\n",
          "p.toml:2", "needs exactly one of"},
      row{"[proxy]\nupstream_auth = [{ proxy = \"nohost\", user = \"u\", password = \"x\" }]\n",
          "p.toml:2", "proxy.upstream_auth[0].proxy: \"nohost\" is not HOST:PORT"},
      row{"[proxy]\nupstream_auth = [{ proxy = \"a:1\", user = \"u:v\", password = \"x\" }]\n",
          "p.toml:2", "proxy.upstream_auth[0].user"},
      row{"[proxy]\n\n[[proxy.upstream_auth]]\nproxy = \"a:1\"\nuser = \"u\"\npasword = \"x\"\n",
          "p.toml:6", "unknown key \"proxy.upstream_auth[0].pasword\""},
      row{"[proxy]\n\n[[proxy.upstream_auth]]\nproxy = \"a:1\"\nuser = \"u\"\npassword = \"x\"\n"
          "scheme = \"digest\"\n",
          "p.toml:7", "proxy.upstream_auth[0].scheme: \"digest\": expected \"basic\" or \"ntlm\""},
      row{"[proxy]\n\n[[proxy.upstream_auth]]\nproxy = \"a:1\"\nuser = \"u\"\npassword = \"x\"\n"
          "domain = \"CORP\"\n",
          "p.toml:7", "proxy.upstream_auth[0].domain: is for scheme = \"ntlm\""},
      row{"[proxy]\n\n[[proxy.upstream_auth]]\nproxy = \"a:1\"\nscheme = \"ntlm\"\nuser = 'X\\u'\n"
          "password = \"x\"\ndomain = \"CORP\"\n",
          "p.toml:8", "proxy.upstream_auth[0].domain: the user already names a domain"},
      row{"[proxy]\n\n[[proxy.upstream_auth]]\nproxy = \"a:1\"\nscheme = \"ntlm\"\nuser = "
          "'CORP\\'\n"
          "password = \"x\"\n",
          "p.toml:6", "proxy.upstream_auth[0].user: \"CORP\\\": expected USER or DOMAIN\\USER"},
  }));
  auto s = read(text);
  REQUIRE_FALSE(s.has_value());
  const auto msg = s.error().to_string();
  INFO(msg);
  CHECK(msg.rfind(place + ":", 0) == 0);
  CHECK(msg.find(words) != std::string::npos);
}

TEST_CASE("credentials: a bad users file is reported at its own line and where it was given") {
  temp_file users("badusers", std::string("alice:") + hash + "\nbob\n");
  auto s = read("[proxy]\nusers_file = \"" + users.path.string() + "\"\n");
  REQUIRE(s.has_value());
  auto ok = load_credentials(*s);
  REQUIRE_FALSE(ok.has_value());
  const auto msg = ok.error().to_string();
  INFO(msg);
  CHECK(msg.rfind(users.path.string() + ":2:", 0) == 0);
  CHECK(msg.find("(users file given at p.toml:2)") != std::string::npos);
}
