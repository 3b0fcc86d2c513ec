#pragma once
// bundled_proxy: pacserver runs the forwarding proxy of proxycore/forward/ beside itself ([proxy] in
// the config, --proxy-listen on the command line), so that the PAC of the bundled-proxy template
// names a proxy that is running.
//
// The bundled proxy is the LAN's way out: it forwards every request DIRECT (the PAC decides which
// requests come to it), serves the same clients pacserver serves (allowed_clients) unless [proxy]
// names its own, and adds its Via. Every other setting comes from the [proxy] section, read by the
// reader pactool proxy --config shares (configfile/proxy_section.hpp).
#include <memory>
#include <string>
#include <vector>

#include "configfile/access_log_file.hpp"
#include "proxycore/model/cidr.hpp"
#include "pacserver/config.hpp"
#include "proxycore/base/error.hpp"

namespace wpadkit::pacserver {

// A running bundled proxy; destroying it stops the proxy.
class bundled_proxy {
 public:
  virtual ~bundled_proxy() = default;
  virtual int port() const = 0;  // the bound port
  // Reopens its access log file at its path (rotation: pacserver does on SIGHUP); nothing to do
  // without one or for stderr. Thread-safe. Errors: errc::io naming the path, the reason and the
  // config place of [proxy]; the lines then keep going to the file open before.
  virtual result<void> reopen_log() = 0;
};

// Opens the access log [proxy] names (none when there is none or the proxy is disabled).
// Apart from start_bundled_proxy so that a caller can tell a file it cannot open from an address it
// cannot bind. Errors: errc::io naming the file, the reason and the config place of [proxy].
result<configfile::access_log_file> open_bundled_proxy_log(const bundled_proxy_config& settings);

// Starts the bundled proxy on `settings.listen` with `settings.settings`, logging to `log` (which
// it keeps, to reopen);
// `clients` are served when [proxy] gives no allowed_clients. Returns null when proxy.enabled is
// false. Errors: errc::io when it cannot listen (the message names the address and the config
// place of [proxy]), errc::config for a value the proxy refuses. Never throws.
result<std::unique_ptr<bundled_proxy>> start_bundled_proxy(const bundled_proxy_config& settings,
                                                           const std::vector<cidr>& clients,
                                                           configfile::access_log_file log);

}  // namespace wpadkit::pacserver
