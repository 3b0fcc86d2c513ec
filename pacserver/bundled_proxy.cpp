#include "pacserver/bundled_proxy.hpp"

namespace wpadkit::pacserver {

std::unique_ptr<bundled_proxy> start_bundled_proxy(const bundled_proxy_config& settings,
                                                   std::string& why) {
  if (!settings.enabled) {
    why = "disabled by proxy.enabled = false";
    return nullptr;
  }
  // SEAM (lead): start proxycore/forward's proxy here. With the forward API as it stands:
  //   forward::proxy_config pc;  pc.listen_address = <settings.listen.host>;
  //   pc.listen_port = settings.listen.port;
  //   forward::proxy_services ps;  ps.decisions = forward::fixed_decisions("DIRECT");
  //   auto svc = forward::proxy_service::start(std::move(pc), std::move(ps));
  // then return a class derived from bundled_proxy that owns `svc` (its destructor stops it), or
  // set `why` to svc.error().to_string() and return null. Link proxycore_forward in CMakeLists.txt.
  // Until then the PAC's "PROXY <listen>; DIRECT" falls back to DIRECT in browsers.
  why = "the bundled forwarding proxy is not part of this build yet (would listen on " +
        settings.listen.to_string() + ")";
  return nullptr;
}

}  // namespace wpadkit::pacserver
