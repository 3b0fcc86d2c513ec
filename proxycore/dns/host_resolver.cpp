// dns::answer_for_literal — see host_resolver.hpp.
#include "proxycore/dns/host_resolver.hpp"

#include <string>

namespace wpadkit::dns {

std::optional<result<answer>> answer_for_literal(std::string_view host, family f) {
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address(std::string(host), ec);
  std::optional<result<answer>> out;
  if (ec) return out;
  if (f == family::any || (f == family::v4 ? a.is_v4() : a.is_v6())) {
    out.emplace(answer{{a}, std::chrono::seconds(0)});
  } else {
    out.emplace(error(errc::dns_not_found,
                      "'" + std::string(host) + "' is an address of the other family"));
  }
  return out;
}

}  // namespace wpadkit::dns
