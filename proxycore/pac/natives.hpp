#pragma once
// pac::natives — the PAC helper functions whose semantics are pure (no DNS, no clock), as plain C++,
// so that they run natively instead of as regexes rebuilt in JavaScript on every call. The Duktape
// bindings (pac_builtins.cpp) convert arguments and call these. Each function matches Chromium's
// behaviour (net/proxy_resolution/pac_js_library.h, services/proxy_resolver/proxy_resolver_v8.cc),
// historic quirks included; the comment on each says which.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxycore/dns/host_resolver.hpp"

namespace wpadkit::pac::natives {

// isPlainHostName: true if `host` contains no dot and is not an IPv6 literal (Chromium's native
// IsPlainHostName in proxy_resolver_v8.cc: "::1" is not plain).
bool is_plain_host_name(std::string_view host);

// dnsDomainIs: true if `host` ends with `domain` (plain suffix compare, case-sensitive as in
// Chromium's JS: `host.length >= domain.length && host.substring(host.length - domain.length) == domain`).
bool dns_domain_is(std::string_view host, std::string_view domain);

// localHostOrDomainIs: exact match, or `hostdom` starts with `host` + "." (Chromium's JS:
// `hostdom.lastIndexOf(host + '.', 0) == 0`, so "www.netscape" also matches "www.netscape.com").
bool local_host_or_domain_is(std::string_view host, std::string_view hostdom);

// dnsDomainLevels: number of dots in `host`.
int dns_domain_levels(std::string_view host);

// shExpMatch: Chromium converts the pattern to a regex translating only `.` → `\.`, `*` → `.*`,
// `?` → `.`, anchored with ^...$; every other character keeps its regex meaning (a quirk the linter
// flags). This function reproduces that exactly, natively for patterns without other regex
// metacharacters; `needs_regex` tells the binding when it must fall back to the JS RegExp path.
// Precondition of sh_exp_match: !sh_exp_pattern_needs_regex(pattern) (otherwise it returns false).
bool sh_exp_match(std::string_view str, std::string_view pattern);
bool sh_exp_pattern_needs_regex(std::string_view pattern);
// The binding's entry: sh_exp_match without a separate precondition check. nullopt exactly when
// sh_exp_pattern_needs_regex(pattern) (the caller then takes the RegExp path); otherwise
// sh_exp_match(str, pattern). One pass over the pattern finds both its metacharacters and its
// wildcards, where checking first and matching after scanned it twice (≈4 % of a heavy PAC's time).
std::optional<bool> sh_exp_match_unchecked(std::string_view str, std::string_view pattern);

// isInNet(host-as-IPv4-literal, pattern, mask): the caller resolves a non-literal host first.
// Returns nullopt when `ipv4` does not match Chromium's /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/
// (the binding then resolves it, as the JS does); false when a component is over 255. Pattern and
// mask are not validated, exactly as in Chromium: they go through convert_addr (mask "" is 0 and
// matches everything; pattern "10" is 10.0.0.0).
std::optional<bool> is_in_net_v4(std::string_view ipv4, std::string_view pattern, std::string_view mask);

// isInNetEx(ip, "prefix/len"): IPv4 addresses compare as ::ffff:a.b.c.d against IPv6 prefixes, as
// Chromium's IsInNetEx does. Returns false for a malformed prefix.
bool is_in_net_ex(const dns::address& ip, std::string_view ip_prefix);

// convert_addr("a.b.c.d") → the 32-bit value as JavaScript computes it, as unsigned bits: Chromium's
// JS returns the same bits as a signed int32 (192.168.1.1 → -1062731519), so the binding must push
// `static_cast<int32_t>(value)`. Every component goes through ToNumber/ToInt32 & 0xff (missing or
// non-numeric → 0), so for string input this always has a value.
std::optional<unsigned long> convert_addr(std::string_view ipv4);

// sortIpAddressList("a;b;c"): parses each element (IPv4 or IPv6), returns them sorted IPv6 first then
// IPv4, each group in ascending numeric order, joined by ';'. nullopt (the JS `false`) when any element
// does not parse or the list is empty.
std::optional<std::string> sort_ip_address_list(std::string_view list);

// Parses an IP literal the way Chromium's bindings do (no zone ids, no brackets); nullopt if not one.
std::optional<dns::address> parse_ip_literal(std::string_view text);

}  // namespace wpadkit::pac::natives
