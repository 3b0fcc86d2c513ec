#pragma once
// The built-in configuration `pacserver` runs with no --config: listen on 127.0.0.1:8080, allow
// this machine only, and serve the bundled-proxy template, which sends web traffic to the bundled
// proxy on 127.0.0.1:3128 (DIRECT when it is not running).
#include <string>
#include <string_view>

namespace wpadkit::pacserver {

inline constexpr std::string_view embedded_config_name = "<built-in>";
// The config text, with the bundled proxy on `proxy_listen` ("127.0.0.1:3128" unless
// --proxy-listen).
std::string embedded_config_text(const std::string& proxy_listen);

}  // namespace wpadkit::pacserver
