#pragma once
// pac_validator: the gate every generated PAC passes before it is served. The PAC engine compiles
// it and runs it in a deterministic environment (DNS from [validation] dns only, a fixed clock, a
// fixed local address), then:
//   - its size is within limits.max_pac_bytes;
//   - every smoke URL (built-in set plus [validation] smoke_urls) returns a well-formed proxy list;
//   - every golden case of the variant ([[variants.cases]]) returns exactly its `expect` string.
// A failure names the variant, the case and its config file:line.
#include <string>
#include <vector>

#include "pacserver/config.hpp"

namespace wpadkit::pacserver {

// URLs every PAC must answer sensibly: names, IPv4 and IPv6 literals, plain names, several schemes.
const std::vector<std::string>& builtin_smoke_urls();

// True if `result` is a well-formed PAC result: ';'-separated DIRECT / PROXY host:port / HTTP /
// HTTPS / SOCKS / SOCKS4 / SOCKS5 elements, at least one.
bool well_formed_result(std::string_view result);

// Validates `pac_text` rendered for `v`. Returns every problem found (empty: valid). Each smoke and
// case URL is given to the PAC as a browser gives it (pac::canonical_request: lower-cased host,
// https: stripped to scheme://host/, ...), as `pactool eval` and the bundled proxy do.
std::vector<error> validate_pac(const std::string& pac_text, const server_config& config,
                                const variant& v);

}  // namespace wpadkit::pacserver
