#pragma once
// The pacserver config the renderer and mutation tests share: two proxies, a ruleset with direct
// domains and networks, a partner route, and one variant per template.
#include "pacserver/config.hpp"

namespace wpadkit::pacserver::test {

inline server_config every_template_config() {
  return parse_config(R"(
[[proxies]]
name = "p1"
address = "p1.corp.example:3128"
[[proxies]]
name = "p2"
address = "p2.corp.example:3128"
[rulesets.default]
direct_domains = [".corp.example", "*.local"]
direct_networks = ["10.0.0.0/8", "fd00::/8"]
default = ["p1", "p2", "DIRECT"]
pool = ["p1", "p2"]
[[rulesets.default.routes]]
domains = ["partner.example"]
networks = ["192.0.2.0/24"]
via = ["p2"]
[[variants]]
name = "c"
template = "corporate"
[[variants]]
name = "lb"
template = "load-balanced"
[[variants]]
name = "s"
template = "split-tunnel"
[[variants]]
name = "b"
template = "bundled-proxy"
[[variants]]
name = "x"
template = "sinkhole"
)",
                      "corp.toml", ".")
      .value();
}

}  // namespace wpadkit::pacserver::test
