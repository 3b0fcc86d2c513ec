#include "pacserver/embedded_config.hpp"

namespace wpadkit::pacserver {

std::string embedded_config_text(const std::string& proxy_listen) {
  std::string text =
      R"toml(# pacserver's built-in configuration (see examples/pacserver.toml for every entry).
[server]
listen = ["127.0.0.1:8080"]
allowed_clients = ["127.0.0.0/8", "::1/128"]
cache_control = "max-age=60"

[proxy]
enabled = true
listen = "@PROXY_LISTEN@"

[rulesets.default]
direct_plain_hostnames = true
default = ["bundled", "DIRECT"]

[[variants]]
name = "default"
template = "bundled-proxy"
ruleset = "default"

[[variants.cases]]
url = "http://www.example.com/"
expect = "PROXY @PROXY_LISTEN@; DIRECT"

[[variants.cases]]
url = "https://www.example.com/"
expect = "PROXY @PROXY_LISTEN@; DIRECT"

[[variants.cases]]
url = "http://localhost:8080/"
expect = "DIRECT"

[[variants.cases]]
url = "ftp://ftp.example.org/"
expect = "DIRECT"
)toml";
  for (auto at = text.find("@PROXY_LISTEN@"); at != std::string::npos;
       at = text.find("@PROXY_LISTEN@")) {
    text.replace(at, 14, proxy_listen);
  }
  return text;
}

}  // namespace wpadkit::pacserver
