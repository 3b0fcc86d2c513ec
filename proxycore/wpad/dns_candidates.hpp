#pragma once
// dns_candidates: the DNS names each WPAD client tries, from the machine's primary DNS suffix.
// Pure: DNS is asked later, by the decider; KDE's SOA rule is expressed as a stop condition on a
// candidate, which the decider checks before trying it.
//
// Algorithms (suffix "a.b.example.com" unless stated):
//   chrome, firefox, libproxy  `http://wpad/wpad.dat`: one single-label name, resolved through the
//                              search list (Chromium's PacFileDecider, Firefox's nsProtocolProxyService,
//                              libproxy's wpad_dns_alias). The suffix is not used.
//   windows   devolution of the primary suffix down to two labels (DomainNameDevolutionLevel 2):
//             wpad.a.b.example.com, wpad.b.example.com, wpad.example.com. For "corp.example.co.uk" it
//             reaches wpad.co.uk — the name-collision hole; those candidates are marked
//             `under_public_suffix` so the decider can warn.
//   kde       wpad.<suffix>, then each parent with at least two labels, but stopping (before asking)
//             at the first parent that owns an SOA record (kio's kpac Discovery::checkDomain):
//             wpad.a.b.example.com, [stop if b.example.com has SOA] wpad.b.example.com,
//             [stop if example.com has SOA] wpad.example.com.
//   standard  (wpadkit's own default) like windows, but never a `wpad` directly under a public
//             suffix (Public Suffix List): wpad.corp.example.co.uk, wpad.example.co.uk, and not
//             wpad.co.uk. A suffix that is itself public yields nothing.
//
// Examples, table form (client, suffix → names), the unit test's table:
//   windows,  "a.b.example.com"    → wpad.a.b.example.com wpad.b.example.com wpad.example.com
//   windows,  "example.co.uk"      → wpad.example.co.uk wpad.co.uk(public)
//   standard, "x.example.co.uk"    → wpad.x.example.co.uk wpad.example.co.uk
//   standard, "co.uk"              → (none)
//   standard, "corp"               → wpad.corp is refused when "corp" is a public suffix
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxycore/base/error.hpp"

namespace wpadkit::wpad {

enum class client_kind { standard, chrome, firefox, libproxy, windows, kde };

// "standard" (also "default"), "chrome", "firefox", "libproxy", "windows", "kde".
// Errors: errc::parse naming the accepted names.
result<client_kind> parse_client_kind(std::string_view name);
const char* client_name(client_kind k) noexcept;
// Every client kind, in the order `--client all` reports them.
std::vector<client_kind> all_client_kinds();
// Whether the client also asks DHCP (option 252) before DNS. Chromium and Firefox do so on Windows
// builds, WinHTTP always; KDE and libproxy never.
bool client_uses_dhcp(client_kind k) noexcept;

struct dns_candidate {
  std::string host;        // "wpad" or "wpad.b.example.com"
  std::string url;         // "http://<host>/wpad.dat"
  bool use_search_list = false;           // single-label name resolved through the search list
  std::optional<std::string> stop_if_soa; // KDE: do not try this (or later) candidates if this has SOA
  bool under_public_suffix = false;       // the `wpad` sits directly under a public suffix
};

struct candidate_plan {
  std::vector<dns_candidate> candidates;
  std::vector<std::string> notes;  // why a name was left out ("wpad.co.uk: co.uk is a public suffix")
};

using public_suffix_test = std::function<bool(std::string_view domain)>;

// The candidates `client` tries for the primary DNS suffix `suffix` (lower-cased, trailing dot
// ignored). An empty suffix gives only the single-label candidate of the browsers.
candidate_plan dns_candidates(client_kind client, std::string_view suffix,
                              const public_suffix_test& is_public_suffix);

}  // namespace wpadkit::wpad
