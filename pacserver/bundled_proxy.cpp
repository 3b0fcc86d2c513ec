#include "pacserver/bundled_proxy.hpp"

#include "proxycore/forward/proxy_service.hpp"

namespace wpadkit::pacserver {
namespace {

std::string place_of(const bundled_proxy_config& settings) {
  return settings.source.place().empty() ? "[proxy]" : settings.source.place();
}

// The error names the file and the reason; say which setting asked for it.
error named(error e, const std::string& where) {
  e.message += " (proxy.access_log of the [proxy] section at " + where + ")";
  return e;
}

class running_proxy final : public bundled_proxy {
 public:
  running_proxy(std::unique_ptr<forward::proxy_service> s, configfile::access_log_file log,
                std::string where)
      : service_(std::move(s)), log_(std::move(log)), where_(std::move(where)) {}
  ~running_proxy() override { service_->stop(); }
  int port() const override { return service_->port(); }
  result<void> reopen_log() override {
    if (auto ok = log_.reopen(); !ok) return named(std::move(ok.error()), where_);
    return {};
  }

 private:
  std::unique_ptr<forward::proxy_service> service_;
  configfile::access_log_file log_;
  std::string where_;
};

}  // namespace

result<configfile::access_log_file> open_bundled_proxy_log(const bundled_proxy_config& settings) {
  if (!settings.enabled) return configfile::access_log_file{};
  auto log = configfile::open_access_log(settings.settings.access_log);
  if (!log) return named(std::move(log.error()), place_of(settings));
  return log;
}

result<std::unique_ptr<bundled_proxy>> start_bundled_proxy(const bundled_proxy_config& settings,
                                                           const std::vector<cidr>& clients,
                                                           configfile::access_log_file log) {
  if (!settings.enabled) return std::unique_ptr<bundled_proxy>();
  const std::string where = place_of(settings);

  forward::proxy_config pc = settings.settings.config;
  boost::system::error_code ec;
  pc.listen_address = boost::asio::ip::make_address(settings.listen.host, ec);
  if (ec) {
    return error(errc::config,
                 "proxy.listen: \"" + settings.listen.host + "\" is not an IP address")
        .at(where);
  }
  pc.listen_port = static_cast<std::uint16_t>(settings.listen.port);
  if (pc.allowed_clients.empty()) {
    // Unless [proxy] allowed_clients says otherwise, the proxy serves the clients the PAC is served
    // to; loopback always (the machine itself).
    pc.allowed_clients = clients;
    for (const char* loopback : {"127.0.0.0/8", "::1/128"}) {
      pc.allowed_clients.push_back(cidr::parse(loopback).value());
    }
  }
  if (auto ok = forward::validate_config(pc); !ok) return std::move(ok.error()).at(where);

  forward::proxy_services ps;
  ps.decisions = forward::fixed_decisions("DIRECT");
  ps.access_log = log.sink();
  ps.access_log_format = settings.settings.log_format;
  auto svc = forward::proxy_service::start(std::move(pc), std::move(ps));
  if (!svc) {
    auto e = svc.error();
    e.message = "bundled proxy on " + settings.listen.to_string() + ": " +
                (e.message.empty() ? e.code.message() : e.message);
    return std::move(e).at(where);
  }
  return std::unique_ptr<bundled_proxy>(
      std::make_unique<running_proxy>(std::move(*svc), std::move(log), where));
}

}  // namespace wpadkit::pacserver
