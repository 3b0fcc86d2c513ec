#include "pacserver/bundled_proxy.hpp"

namespace wpadkit::pacserver {

std::unique_ptr<bundled_proxy> start_bundled_proxy(const bundled_proxy_config& settings,
                                                   std::string& why) {
  if (!settings.enabled) {
    why = "disabled by proxy.enabled = false";
    return nullptr;
  }
  // SEAM (lead): start proxycore/forward's proxy here once it lands — listen on settings.listen,
  // wrap the running proxy in a class derived from bundled_proxy whose destructor stops it, and
  // return it. Until then the PAC's "PROXY <listen>; DIRECT" falls back to DIRECT in browsers.
  why = "the bundled forwarding proxy is not part of this build yet (would listen on " +
        settings.listen.to_string() + ")";
  return nullptr;
}

}  // namespace wpadkit::pacserver
