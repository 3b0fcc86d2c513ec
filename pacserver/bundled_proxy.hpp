#pragma once
// bundled_proxy: the seam where pacserver starts the forwarding proxy of proxycore/forward/ beside
// itself ([proxy] in the config, --proxy-listen on the command line), so that the PAC of the
// bundled-proxy template names a proxy that is running.
#include <memory>
#include <string>

#include "pacserver/config.hpp"

namespace wpadkit::pacserver {

// A running bundled proxy; destroying it stops the proxy.
class bundled_proxy {
 public:
  virtual ~bundled_proxy() = default;
};

// Starts the bundled proxy on `settings.listen`. Returns null with `why` set when it is not started
// (disabled in the config, or not available in this build). Never throws.
std::unique_ptr<bundled_proxy> start_bundled_proxy(const bundled_proxy_config& settings,
                                                   std::string& why);

}  // namespace wpadkit::pacserver
