// Tests for pac::canonical_request: the examples table of pac_request.hpp, the proxy's split form
// giving the same request as the URL, and the inputs that are no URL a browser would ask about.
#include "proxycore/pac/pac_request.hpp"

#include <catch2/catch.hpp>

using namespace wpadkit;
using namespace wpadkit::pac;

TEST_CASE("canonical_request: the header's examples table") {
  using row = std::tuple<std::string, std::string, std::string>;
  auto [input, url, host] = GENERATE(table<std::string, std::string, std::string>({
      row{"http://WWW.Corp.Example/Path?Q=1#frag", "http://www.corp.example/Path?Q=1",
          "www.corp.example"},
      row{"HTTP://user:pw@Example.com:80/a", "http://example.com/a", "example.com"},
      row{"http://example.com", "http://example.com/", "example.com"},
      row{"http://example.com:8080/", "http://example.com:8080/", "example.com"},
      row{"https://Bank.Example/acct?id=7#x", "https://bank.example/", "bank.example"},
      row{"https://bank.example:8443/a", "https://bank.example:8443/", "bank.example"},
      row{"wss://chat.example/socket?t=1", "wss://chat.example/", "chat.example"},
      row{"ws://chat.example:80/socket?t=1", "ws://chat.example/socket?t=1", "chat.example"},
      row{"ftp://files.example:21/pub", "ftp://files.example/pub", "files.example"},
      row{"http://[2001:DB8:0:0::1]:8080/x", "http://[2001:db8::1]:8080/x", "2001:db8::1"},
      row{"http://b\xC3\xBC"
          "cher.example/",
          "http://xn--bcher-kva.example/", "xn--bcher-kva.example"},
      row{"http://b%C3%BCcher.example/", "http://xn--bcher-kva.example/", "xn--bcher-kva.example"},
      row{"http://0x7f.1/", "http://127.0.0.1/", "127.0.0.1"},
      row{"http://www.example.com./", "http://www.example.com./", "www.example.com."},
      row{"http://example.com/a b", "http://example.com/a%20b", "example.com"},
  }));
  auto r = canonical_request(input);
  INFO(input);
  REQUIRE(r.has_value());
  CHECK(r->url == url);
  CHECK(r->host == host);
}

TEST_CASE("canonical_request: more hosts a browser rewrites") {
  using row = std::pair<std::string, std::string>;
  auto [input, host] = GENERATE(table<std::string, std::string>({
      row{"http://2130706433/", "127.0.0.1"},
      row{"http://0300.0250.1.1/", "192.168.1.1"},
      row{"http://10.1/", "10.0.0.1"},
      row{"http://127.0.0.1./", "127.0.0.1"},
      row{"http://[::1]/", "::1"},
      row{"http://[0:0:0:0:0:0:0:0]/", "::"},
      row{"http://[1:0:0:2:0:0:0:3]/", "1:0:0:2::3"},
      row{"http://[1:0:2:0:3:0:4:0]/", "1:0:2:0:3:0:4:0"},
      row{"http://[::FFFF:1.2.3.4]/", "::ffff:102:304"},
      row{"http://%57ww.example/", "www.example"},
      row{"http://MÜNCHEN.example/", "xn--mnchen-3ya.example"},
      row{"  http://a.example/  ", "a.example"},
      row{"http://1.2.3.4x/", "1.2.3.4x"},
      row{"http://10.0.0.1.nip.io:8080/x", "10.0.0.1.nip.io"},
      row{"http://1.2.3.4.example", "1.2.3.4.example"},
  }));
  auto r = canonical_request(input);
  INFO(input);
  REQUIRE(r.has_value());
  CHECK(r->host == host);
}

TEST_CASE(
    "canonical_request: what is no URL a browser asks a PAC about is a parse error naming it") {
  auto input =
      GENERATE(as<std::string>{}, "notaurl", "www.example.com", "www.example.com:80",
               "file:///etc/hosts", "http://", "http://a.example:99999/", "http://a.example:8o/",
               "http://1.2.3.999/", "http://1.2.3.4.5/", "http://1.2.3.4.5:80/", "http://1..2/",
               "http://1.2.3.08/", "http://[v1.x]/", "http://a%20b.example/", "");
  auto r = canonical_request(input);
  INFO(input);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().is(errc::parse));
  CHECK(r.error().message.find("'" + input + "'") != std::string::npos);
}

TEST_CASE("canonical_request: the proxy's parts give the URL's request") {
  // What the forwarding proxy has: the scheme it serves, the host as the client wrote it (brackets
  // already gone), the port, the origin-form path. The same request as for the whole URL.
  using row = std::tuple<std::string, std::string, std::uint16_t, std::string, std::string>;
  auto [scheme, host, port, path, same_as] =
      GENERATE(table<std::string, std::string, std::uint16_t, std::string, std::string>({
          row{"http", "WWW.Corp.Example", 80, "/Path?Q=1", "http://WWW.Corp.Example/Path?Q=1"},
          row{"http", "www.corp.example", 8080, "/", "http://www.corp.example:8080/"},
          row{"http", "2001:DB8::1", 80, "/x", "http://[2001:db8::1]/x"},
          row{"https", "Bank.Example", 443, "", "https://bank.example/"},
          row{"https", "bank.example", 8443, "", "https://bank.example:8443/anything?q"},
          row{"http", "0x7f.1", 80, "", "http://127.0.0.1"},
      }));
  auto split = canonical_request(scheme, host, port, path);
  auto whole = canonical_request(same_as);
  INFO(host << " " << path);
  REQUIRE(split.has_value());
  REQUIRE(whole.has_value());
  CHECK(split->url == whole->url);
  CHECK(split->host == whole->host);
}

TEST_CASE("canonical_host: the host alone") {
  CHECK(canonical_host("WWW.Example.COM").value() == "www.example.com");
  CHECK(canonical_host("2001:DB8:0::1").value() == "2001:db8::1");
  CHECK(canonical_host("0x0a.0.0.1").value() == "10.0.0.1");
  CHECK_FALSE(canonical_host("").has_value());
  CHECK_FALSE(canonical_host("1.2.3.256").has_value());
}

TEST_CASE("canonical_request: a host that starts like an IPv4 address keeps its port and path") {
  // Boost.URL 1.81 alone reads "10.0.0.1" as the host here (boostorg/url#770).
  auto r = canonical_request("http://10.0.0.1.nip.io:8080/x?y");
  REQUIRE(r.has_value());
  CHECK(r->url == "http://10.0.0.1.nip.io:8080/x?y");
  CHECK(r->host == "10.0.0.1.nip.io");
}
