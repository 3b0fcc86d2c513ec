// Expected values come from the Netscape PAC text, Microsoft's IPv6 PAC extensions, and Chromium's
// pac_js_library.h / proxy_resolver_v8.cc, worked out by hand (each quirk is named where it shows).
#include "proxycore/pac/natives.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace wpadkit::pac::natives;
using wpadkit::dns::address;

namespace {
address ip(const char* text) { return boost::asio::ip::make_address(text); }
}  // namespace

TEST_CASE("isPlainHostName: no dot and not an IPv6 literal") {
  auto [host, expected] = GENERATE(table<std::string, bool>({
      {"www", true},
      {"localhost", true},
      {"", true},
      {"1", true},  // one component is not an IP literal for Chromium
      {"www.example.com", false},
      {"1.2.3.4", false},
      {"::1", false},  // Chromium's IsPlainHostName rejects IPv6 literals
      {"fe80::1", false},
      {"a:b", true},  // a colon alone does not make an IPv6 literal
  }));
  CAPTURE(host);
  CHECK(is_plain_host_name(host) == expected);
}

TEST_CASE("dnsDomainIs: a plain, case-sensitive suffix compare") {
  auto [host, domain, expected] = GENERATE(table<std::string, std::string, bool>({
      {"www.example.com", "example.com", true},
      {"www.example.com", ".example.com", true},
      {"www.example.com", "www.example.com", true},
      {"www.netscape.com", ".netscape.com", true},  // Netscape's example
      {"www", ".netscape.com", false},              // Netscape's example
      {"www.mcom.com", ".netscape.com", false},     // Netscape's example
      {"example.com", "www.example.com", false},
      {"www.notexample.com", "example.com", true},  // no label boundary check (quirk)
      {"WWW.EXAMPLE.COM", "example.com", false},    // case-sensitive
      {"www", "", true},
  }));
  CAPTURE(host, domain);
  CHECK(dns_domain_is(host, domain) == expected);
}

TEST_CASE("localHostOrDomainIs: exact match or hostdom starts with host + '.'") {
  auto [host, hostdom, expected] = GENERATE(table<std::string, std::string, bool>({
      {"www.netscape.com", "www.netscape.com", true},  // Netscape's examples
      {"www", "www.netscape.com", true},
      {"www.mcom.com", "www.netscape.com", false},
      {"home.netscape.com", "www.netscape.com", false},
      {"www.netscape", "www.netscape.com", true},  // prefix of labels also matches (quirk)
      {"ww", "www.netscape.com", false},
      {"WWW", "www.netscape.com", false},
      {"", ".x", true},
      {"www.netscape.com", "www", false},
  }));
  CAPTURE(host, hostdom);
  CHECK(local_host_or_domain_is(host, hostdom) == expected);
}

TEST_CASE("dnsDomainLevels: the number of dots") {
  auto [host, expected] = GENERATE(table<std::string, int>({
      {"www", 0},
      {"www.netscape.com", 2},
      {"", 0},
      {"a.b.c.d.", 4},
  }));
  CAPTURE(host);
  CHECK(dns_domain_levels(host) == expected);
}

TEST_CASE("shExpMatch: Chromium's regex translation, natively") {
  auto [str, pattern, expected] = GENERATE(table<std::string, std::string, bool>({
      {"http://home.netscape.com/people/ari/index.html", "*/ari/*", true},  // Netscape's examples
      {"http://home.netscape.com/people/montulli/index.html", "*/ari/*", false},
      {"www.example.com", "*.example.com", true},
      {"example.com", "*.example.com", false},
      {"wwwXexample.com", "www.example.com", false},  // '.' is escaped
      {"foo.bar.com", "*.bar.*", true},
      {"10.1.2.3", "10.*", true},
      {"abc", "a?c", true},
      {"ac", "a?c", false},
      {"abbc", "a?c", false},
      {"a.b", "a?b", true},
      {"", "*", true},
      {"", "", true},
      {"a", "", false},
      {"ABC", "abc", false},  // no 'i' flag
      {"abc", "***", true},
      {"ab", "a*b*", true},
      {"aXbXc", "a*b*c*d", false},
      {"mississippi", "*sip*", true},
      {"a/b c", "a/b c", true},
      {"aba", "ab*ba", false},  // the literal ends may not overlap
      {"abba", "ab*ba", true},
      {"abxba", "ab?ba", true},
      {"host.example.com", "host.example.com", true},
      {"host.example.co", "host.example.com", false},
      {"team012.corp.example.com", "*.team012.corp.example.com", false},
  }));
  CAPTURE(str, pattern);
  CHECK_FALSE(sh_exp_pattern_needs_regex(pattern));
  CHECK(sh_exp_match(str, pattern) == expected);
}

TEST_CASE("shExpMatch: '*' and '?' are regex '.', which stops at line terminators") {
  auto [str, pattern, expected] = GENERATE(table<std::string, std::string, bool>({
      {"a\nb", "a*b", false},
      {"a\nb", "a?b", false},
      {"a\rb", "a*b", false},
      {"a\xE2\x80\xA8" "b", "a*b", false},  // U+2028
      {"a\nb", "a\nb", true},
      {"x\ny", "*\n*", true},
      {"xx\nyy", "x*\ny?", true},
      {"xx\nyy", "x*\ny", false},
  }));
  CAPTURE(str, pattern);
  CHECK(sh_exp_match(str, pattern) == expected);
}

TEST_CASE("shExpMatch: '?' matches one UTF-16 code unit") {
  auto [str, pattern, expected] = GENERATE(table<std::string, std::string, bool>({
      {"\xC3\xA9", "?", true},                // é: one unit
      {"\xE4\xB8\xAD.cn", "?.cn", true},      // 中: one unit
      {"\xF0\x9F\x98\x80", "?", false},       // 😀: a surrogate pair, two units
      {"\xF0\x9F\x98\x80", "??", true},
      {"caf\xC3\xA9.fr", "caf\xC3\xA9.*", true},
      {"caf\xC3\xA9.fr", "cafe.*", false},
  }));
  CAPTURE(str, pattern);
  CHECK(sh_exp_match(str, pattern) == expected);
}

TEST_CASE("shExpMatch: which patterns need the regex path") {
  auto [pattern, expected] = GENERATE(table<std::string, bool>({
      {"*.example.com", false},
      {"10.?.*", false},
      {"a-b_c/d:e=f", false},
      {"a+b", true},
      {"a\\.b", true},
      {"^a", true},
      {"a$", true},
      {"(a)", true},
      {"[a]", true},
      {"a{2}", true},
      {"a|b", true},
      {"a+b", true},  // in Chromium ^a+b$ does not match "a+b": '+' stays a quantifier (quirk)
      {"x|y", true},  // ^x|y$ alternates "^x" and "y$", so "xz" matches in Chromium
  }));
  CAPTURE(pattern);
  CHECK(sh_exp_pattern_needs_regex(pattern) == expected);
  if (expected) CHECK_FALSE(sh_exp_match("anything", pattern));  // the documented precondition
}

TEST_CASE("shExpMatch: the binding's one-pass entry agrees with the check-then-match pair") {
  // A metacharacter anywhere (before, between or after wildcards, beside non-ASCII) must send the
  // pattern to the regex path, exactly as sh_exp_pattern_needs_regex says.
  auto pattern = GENERATE(as<std::string>{}, "*.example.com", "10.?.*", "", "*", "abc", "a?c",
                          "*\n*", "caf\xC3\xA9.*", "a+b", "*.a+b", "a|*", "*(x)?", "[a]*",
                          "\xC3\xA9$", "x*y\\", "a{2}*?");
  auto str = GENERATE(as<std::string>{}, "", "abc", "www.example.com", "10.1.2.3", "x\ny",
                      "caf\xC3\xA9.fr", "a+b", "aab");
  CAPTURE(str, pattern);
  auto r = sh_exp_match_unchecked(str, pattern);
  if (sh_exp_pattern_needs_regex(pattern)) {
    CHECK_FALSE(r.has_value());
  } else {
    REQUIRE(r.has_value());
    CHECK(*r == sh_exp_match(str, pattern));
  }
}

TEST_CASE("isInNet: dotted-quad host, masks applied bitwise, pattern and mask read by convert_addr") {
  using opt = std::optional<bool>;
  auto [host, pattern, mask, expected] = GENERATE(table<std::string, std::string, std::string, opt>({
      {"198.95.249.79", "198.95.249.79", "255.255.255.255", true},  // Netscape's examples
      {"198.95.1.1", "198.95.0.0", "255.255.0.0", true},
      {"198.94.1.1", "198.95.0.0", "255.255.0.0", false},
      {"10.1.2.3", "10.0.0.0", "255.0.0.0", true},
      {"11.1.2.3", "10.0.0.0", "255.0.0.0", false},
      {"10.1.2.3", "0.0.2.0", "0.0.255.0", true},  // non-contiguous masks work bitwise
      {"8.8.8.8", "10.0.0.0", "0.0.0.0", true},
      {"256.1.1.1", "0.0.0.0", "0.0.0.0", false},  // a component over 255: "not an IP address"
      {"010.1.2.3", "10.0.0.0", "255.0.0.0", true},  // "010" & 0xff is 10, not octal
      {"10.1.2.3", "10", "255.0.0.0", true},         // pattern "10" is 10.0.0.0 (quirk)
      {"10.1.2.3", "192.168.0.0", "", true},         // an empty mask is 0: matches all (quirk)
      {"1.2.3", "1.2.3.0", "255.255.255.0", std::nullopt},  // not a literal: the caller resolves
      {"host", "1.2.3.0", "255.255.255.0", std::nullopt},
      {"0001.2.3.4", "1.2.3.4", "255.255.255.255", std::nullopt},
      {"1.2.3.4 ", "1.2.3.4", "255.255.255.255", std::nullopt},
  }));
  CAPTURE(host, pattern, mask);
  CHECK(is_in_net_v4(host, pattern, mask) == expected);
}

TEST_CASE("isInNetEx: CIDR prefixes, IPv4 compared as IPv4-mapped IPv6") {
  auto [addr, prefix, expected] = GENERATE(table<std::string, std::string, bool>({
      {"198.95.249.79", "198.95.249.79/32", true},
      {"198.95.6.8", "198.95.0.0/16", true},
      {"198.94.6.8", "198.95.0.0/16", false},
      {"198.95.6.8", "198.95.6.0/23", true},
      {"198.95.8.8", "198.95.6.0/23", false},
      {"3ffe:8311:ffff::1", "3ffe:8311:ffff::/48", true},
      {"3ffe:8311:fffe::1", "3ffe:8311:ffff::/48", false},
      {"1.2.3.4", "::ffff:1.2.0.0/112", true},
      {"1.3.3.4", "::ffff:1.2.0.0/112", false},
      {"::ffff:1.2.3.4", "1.2.0.0/16", true},
      {"2001::1", "1.0.0.0/0", false},  // /0 of IPv4 is ::ffff:0:0/96
      {"1.2.3.4", "::/0", true},
      {"1.2.3.4", " 1.0.0.0 / 8 ", true},  // both parts trimmed
      {"1.2.3.4", "1.2.3.4", false},       // malformed prefixes are false
      {"1.2.3.4", "1.2.3.4/33", false},
      {"1.2.3.4", "1.2.3.4/-1", false},
      {"1.2.3.4", "1.2.3.4/+8", false},
      {"1.2.3.4", "/8", false},
      {"1.2.3.4", "1.2.3.4/8/8", false},
      {"1.2.3.4", "1.2.3.4/", false},
      {"::1", "::1/129", false},
  }));
  CAPTURE(addr, prefix);
  CHECK(is_in_net_ex(ip(addr.c_str()), prefix) == expected);
}

TEST_CASE("convert_addr: JavaScript's arithmetic on split('.')") {
  auto [text, expected] = GENERATE(table<std::string, unsigned long>({
      {"104.16.41.2", 1745889538UL},
      {"192.168.1.1", 3232235777UL},  // JS prints -1062731519: the binding casts to int32
      {"0.0.0.0", 0UL},
      {"255.255.255.255", 4294967295UL},
      {"1.2.3", 0x01020300UL},  // a missing component is undefined → 0
      {"", 0UL},
      {"a.b.c.d", 0UL},             // NaN → 0
      {"256.1.1.1", 0x00010101UL},  // & 0xff
      {"-1.0.0.0", 0xFF000000UL},
      {"0x10.0.0.1", 0x10000001UL},  // ToNumber reads hex
      {" 1.2.3. 4 ", 0x01020304UL},  // ToNumber trims white space
      {"1e2.0.0.0", 0x64000000UL},
      {"1.5.0.0.0", 0x01050000UL},
      {"1.2.3.4.5", 0x01020304UL},
      {"Infinity.1.1.1", 0x00010101UL},
  }));
  CAPTURE(text);
  auto value = convert_addr(text);
  REQUIRE(value);
  CHECK(*value == expected);
}

TEST_CASE("sortIpAddressList: IPv6 first, ascending, tokens kept as written") {
  using opt = std::optional<std::string>;
  auto [list, expected] = GENERATE(table<std::string, opt>({
      // Microsoft's example for the IPv6 PAC extensions.
      {"10.2.3.9;2001:4898:28:3:201:2ff:feea:fc14;::1;127.0.0.1;::9",
       "::1;::9;2001:4898:28:3:201:2ff:feea:fc14;10.2.3.9;127.0.0.1"},
      {" 10.2.3.9 ; 127.0.0.1 ", "10.2.3.9;127.0.0.1"},
      {"127.0.0.1;;10.0.0.1", "10.0.0.1;127.0.0.1"},
      {"::FFFF:1.2.3.4;::1", "::1;::FFFF:1.2.3.4"},
      {"1.2.3.4;1.2.3.4", "1.2.3.4;1.2.3.4"},
      {"9.0.0.0;10.0.0.0", "9.0.0.0;10.0.0.0"},  // numeric, not lexical, order
      {"", std::nullopt},
      {";", std::nullopt},
      {"; ;", std::nullopt},
      {"10.2.3.9;bogus", std::nullopt},
      {"[::1]", std::nullopt},
  }));
  CAPTURE(list);
  CHECK(sort_ip_address_list(list) == expected);
}

TEST_CASE("parse_ip_literal: Chromium's AssignFromIPLiteral") {
  using opt = std::optional<std::string>;
  auto [text, expected] = GENERATE(table<std::string, opt>({
      {"1.2.3.4", "1.2.3.4"},
      {"0x7f.0.0.1", "127.0.0.1"},  // URL-style hex component
      {"010.0.0.1", "8.0.0.1"},     // URL-style octal component
      {"::1", "::1"},
      {"::ffff:1.2.3.4", "::ffff:1.2.3.4"},
      {"1.2.3", std::nullopt},  // four components required
      {"1.2.3.4.5", std::nullopt},
      {"1.2.3.256", std::nullopt},
      {"1..2.3", std::nullopt},
      {"08.0.0.1", std::nullopt},  // not an octal digit
      {"fe80::1%eth0", std::nullopt},
      {"[::1]", std::nullopt},
      {"", std::nullopt},
      {"host", std::nullopt},
  }));
  CAPTURE(text);
  auto parsed = parse_ip_literal(text);
  REQUIRE(parsed.has_value() == expected.has_value());
  if (parsed) CHECK(parsed->to_string() == *expected);
}
