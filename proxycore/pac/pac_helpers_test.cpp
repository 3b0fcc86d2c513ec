// Tests for the PAC helpers as a script sees them, through pac::engine. Expected values come from the
// helpers' documented behaviour (Netscape's PAC text, Microsoft's IPv6 extensions) and from Chromium's
// implementation (net/proxy_resolution/pac_js_library.h, services/proxy_resolver/proxy_resolver_v8.cc),
// worked out by hand, including its quirks and its TypeErrors.
#include <catch2/catch.hpp>
#include <tuple>

#include "proxycore/dns/fixed_resolver.hpp"
#include "proxycore/pac/pac_engine.hpp"

using namespace wpadkit;
using namespace wpadkit::pac;
using namespace std::chrono_literals;

namespace {

dns::address ip(const char* s) { return boost::asio::ip::make_address(s); }

engine helper_engine(std::vector<dns::address> local = {ip("192.168.1.20"), ip("2001:db8::20")}) {
  auto r = std::make_shared<dns::fixed_resolver>();
  r->add("proxy.corp.test", ip("10.1.2.3"));
  r->add("dual.test", ip("2001:db8::1"));
  r->add("dual.test", ip("10.0.0.1"));
  r->add("v6only.test", ip("2001:db8::2"));
  r->add("xn--bcher-kva.test", ip("10.9.9.9"));
  environment env;
  env.resolver = r;
  env.time = fixed_clock(std::chrono::system_clock::time_point(1700000000s));
  env.local = fixed_local_addresses(std::move(local));
  auto e = engine::load("function FindProxyForURL(u, h) { return 'DIRECT'; }", "helpers.pac", env);
  if (!e) FAIL(e.error().to_string());
  return std::move(*e);
}

// The expression's value as JSON, or "throws <kind>".
std::string eval(engine& e, const std::string& expression) {
  auto r = e.evaluate_expression(expression);
  if (!r) return std::string("throws ") + errc_name(static_cast<errc>(r.error().code.value())) + ": " +
                  r.error().message;
  return *r;
}

void check_table(const std::vector<std::pair<std::string, std::string>>& table,
                 std::vector<dns::address> local = {ip("192.168.1.20"), ip("2001:db8::20")}) {
  auto e = helper_engine(std::move(local));
  for (const auto& [expr, expected] : table) {
    INFO(expr);
    if (expected.starts_with("throws")) {
      CHECK_THAT(eval(e, expr), Catch::StartsWith(expected));
    } else {
      CHECK(eval(e, expr) == expected);
    }
  }
}

}  // namespace

TEST_CASE("isPlainHostName") {
  check_table({
      {"isPlainHostName('www')", "true"},
      {"isPlainHostName('www.netscape.com')", "false"},
      {"isPlainHostName('')", "true"},
      {"isPlainHostName('::1')", "false"},  // IPv6 literals are not plain host names (Chromium)
      {"isPlainHostName('192.168.1.1')", "false"},
      {"isPlainHostName(123)", "throws exception: TypeError: Requires 1 string parameter"},
      {"isPlainHostName()", "throws exception: TypeError"},
  });
}

TEST_CASE("dnsDomainIs") {
  check_table({
      {"dnsDomainIs('www.netscape.com', '.netscape.com')", "true"},
      {"dnsDomainIs('www', '.netscape.com')", "false"},
      {"dnsDomainIs('www.mcom.com', '.netscape.com')", "false"},
      {"dnsDomainIs('www.Netscape.com', '.netscape.com')", "false"},  // case-sensitive
      {"dnsDomainIs('netscape.com', 'netscape.com')", "true"},
      {"dnsDomainIs('badnetscape.com', 'netscape.com')", "true"},  // a plain suffix compare
      {"dnsDomainIs(123, '3')", "false"},  // (123).length is undefined
      {"dnsDomainIs(undefined, 'x')", "throws exception: TypeError"},
      {"dnsDomainIs('x')", "throws exception: TypeError"},
  });
}

TEST_CASE("localHostOrDomainIs") {
  check_table({
      {"localHostOrDomainIs('www.netscape.com', 'www.netscape.com')", "true"},
      {"localHostOrDomainIs('www', 'www.netscape.com')", "true"},
      {"localHostOrDomainIs('www.mcom.com', 'www.netscape.com')", "false"},
      {"localHostOrDomainIs('home.netscape.com', 'www.netscape.com')", "false"},
      {"localHostOrDomainIs('www.netscape', 'www.netscape.com')", "true"},  // Chromium's prefix test
      {"localHostOrDomainIs('ww', 'www.netscape.com')", "false"},
      {"localHostOrDomainIs('www', undefined)", "throws exception: TypeError"},
  });
}

TEST_CASE("dnsDomainLevels") {
  check_table({
      {"dnsDomainLevels('www')", "0"},
      {"dnsDomainLevels('www.netscape.com')", "2"},
      {"dnsDomainLevels('')", "0"},
      {"dnsDomainLevels('a.b.c.d.')", "4"},
      {"dnsDomainLevels(5)", "throws exception: TypeError"},
  });
}

TEST_CASE("shExpMatch") {
  check_table({
      {"shExpMatch('http://home.netscape.com/people/ari/index.html', '*/ari/*')", "true"},
      {"shExpMatch('http://home.netscape.com/people/montulli/index.html', '*/ari/*')", "false"},
      {"shExpMatch('abc', 'a?c')", "true"},
      {"shExpMatch('abbc', 'a?c')", "false"},
      {"shExpMatch('a.c', 'a.c')", "true"},
      {"shExpMatch('abc', 'a.c')", "false"},  // '.' is literal
      {"shExpMatch('ABC', 'abc')", "false"},
      {"shExpMatch('', '*')", "true"},
      {"shExpMatch('www.example.com', '*.example.com')", "true"},
      {"shExpMatch('example.com', '*.example.com')", "false"},
      // Other characters keep their regular-expression meaning (Chromium's quirk).
      {"shExpMatch('x+y', 'x+y')", "false"},
      {"shExpMatch('xxy', 'x+y')", "true"},
      {"shExpMatch('ab', '[ab]b')", "true"},
      {"shExpMatch('a|b', 'a|b')", "true"},  // ^a|b$ : either alternative matches
      {"shExpMatch('xa', 'a|b')", "false"},
      {"shExpMatch('xb', 'a|b')", "true"},
      {"shExpMatch(123, '1*')", "true"},  // the string is converted by RegExp.test
      {"shExpMatch('abc', 5)", "throws exception: TypeError"},
  });
}

TEST_CASE("isInNet") {
  check_table({
      {"isInNet('198.95.249.79', '198.95.249.79', '255.255.255.255')", "true"},
      {"isInNet('198.95.249.79', '198.95.0.0', '255.255.0.0')", "true"},
      {"isInNet('198.96.1.1', '198.95.0.0', '255.255.0.0')", "false"},
      {"isInNet('10.1.2.3', '0.0.0.0', '0.0.0.0')", "true"},
      {"isInNet('proxy.corp.test', '10.0.0.0', '255.0.0.0')", "true"},  // resolved first
      {"isInNet('proxy.corp.test', '10.2.0.0', '255.255.0.0')", "false"},
      {"isInNet('nope.test', '10.0.0.0', '255.0.0.0')", "false"},
      {"isInNet('v6only.test', '0.0.0.0', '0.0.0.0')", "false"},  // dnsResolve is IPv4 only
      {"isInNet('10.1.2.3', '10.0.0.0', '255.255.0')", "false"},   // malformed mask
      {"isInNet('10.1.2.3', '256.0.0.0', '255.0.0.0')", "false"},  // malformed pattern
      {"isInNet('010.1.2.3', '10.0.0.0', '255.0.0.0')", "true"},   // "010" is decimal 10 here
      {"isInNet('10.1.2.3', '10.0.0.0')", "false"},                 // missing mask → "undefined"
      {"isInNet(undefined, '0.0.0.0', '0.0.0.0')", "false"},        // dnsResolve(undefined) is null
  });
}

TEST_CASE("dnsResolve and isResolvable") {
  check_table({
      {"dnsResolve('proxy.corp.test')", "\"10.1.2.3\""},
      {"dnsResolve('PROXY.corp.test')", "\"10.1.2.3\""},
      {"dnsResolve('dual.test')", "\"10.0.0.1\""},  // IPv4 only
      {"dnsResolve('v6only.test')", "null"},
      {"dnsResolve('nope.test')", "null"},
      {"dnsResolve('1.2.3.4')", "\"1.2.3.4\""},
      {"dnsResolve(5)", "null"},
      {"dnsResolve()", "null"},
      {"dnsResolve('b\\u00fccher.test')", "\"10.9.9.9\""},  // IDNA → xn--bcher-kva.test
      {"isResolvable('proxy.corp.test')", "true"},
      {"isResolvable('v6only.test')", "false"},
      {"isResolvable('nope.test')", "false"},
      {"isResolvable(5)", "false"},
  });
}

TEST_CASE("myIpAddress and myIpAddressEx") {
  check_table({
      {"myIpAddress()", "\"192.168.1.20\""},
      {"myIpAddressEx()", "\"192.168.1.20;2001:db8::20\""},
  });
  check_table({{"myIpAddress()", "\"127.0.0.1\""}, {"myIpAddressEx()", "\"\""}}, {});
}

TEST_CASE("convert_addr") {
  check_table({
      {"convert_addr('1.2.3.4')", "16909060"},
      {"convert_addr('10.0.0.1')", "167772161"},
      {"convert_addr('255.255.255.255')", "-1"},  // JavaScript's `|` is signed 32-bit
      {"convert_addr('192.168.0.1')", "-1062731775"},
      {"convert_addr(5)", "throws exception: TypeError"},
  });
}

TEST_CASE("dnsResolveEx and isResolvableEx") {
  check_table({
      {"dnsResolveEx('dual.test')", "\"2001:db8::1;10.0.0.1\""},
      {"dnsResolveEx('v6only.test')", "\"2001:db8::2\""},
      {"dnsResolveEx('nope.test')", "\"\""},
      {"dnsResolveEx(5)", "undefined"},
      {"isResolvableEx('v6only.test')", "true"},
      {"isResolvableEx('nope.test')", "false"},
      {"isResolvableEx(5)", "true"},  // Chromium: dnsResolveEx(5) is undefined, and undefined != ''
  });
}

TEST_CASE("isInNetEx") {
  check_table({
      {"isInNetEx('10.1.2.3', '10.0.0.0/8')", "true"},
      {"isInNetEx('10.1.2.3', '10.2.0.0/16')", "false"},
      {"isInNetEx('10.1.2.3', '::ffff:10.0.0.0/104')", "true"},  // IPv4 as ::ffff:a.b.c.d
      {"isInNetEx('2001:db8::1', '2001:db8::/32')", "true"},
      {"isInNetEx('2001:db9::1', '2001:db8::/32')", "false"},
      {"isInNetEx('10.1.2.3', '10.0.0.0')", "false"},  // no prefix length
      {"isInNetEx('host.test', '10.0.0.0/8')", "false"},
      {"isInNetEx(5, '10.0.0.0/8')", "null"},
      {"isInNetEx('10.1.2.3')", "null"},
  });
}

TEST_CASE("sortIpAddressList and getClientVersion") {
  check_table({
      {"sortIpAddressList('10.2.3.9;2001:4898:28:3:201:2ff:feea:fc14;::1;127.0.0.1;::9')",
       "\"::1;::9;2001:4898:28:3:201:2ff:feea:fc14;10.2.3.9;127.0.0.1\""},
      {"sortIpAddressList('10.2.3.9')", "\"10.2.3.9\""},
      {"sortIpAddressList('')", "false"},
      {"sortIpAddressList(';')", "false"},
      {"sortIpAddressList('x;10.0.0.1')", "false"},
      {"sortIpAddressList(5)", "null"},
      {"getClientVersion()", "\"1.0\""},
  });
}
