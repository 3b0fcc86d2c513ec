#include "proxycore/forward/origin_resolver.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>

namespace wpadkit::forward {
namespace {

std::string normalize(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::string out(name);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

result<void> add_host_entry(host_table& table, std::string_view text) {
  auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return error(errc::parse, "'" + std::string(text) + "' is not NAME=IP");
  }
  boost::system::error_code ec;
  auto ip = boost::asio::ip::make_address(std::string(text.substr(eq + 1)), ec);
  if (ec) return error(errc::parse, "'" + std::string(text.substr(eq + 1)) + "' is not an IP address");
  table[normalize(text.substr(0, eq))].push_back(ip);
  return {};
}

boost::asio::awaitable<result<std::vector<dns::address>>> origin_resolver::resolve(std::string host) {
  boost::system::error_code ec;
  auto literal = boost::asio::ip::make_address(host, ec);
  if (!ec) co_return std::vector<dns::address>{literal};
  if (auto it = table_.find(normalize(host)); it != table_.end()) {
    stats_.dns_table_hits.fetch_add(1, std::memory_order_relaxed);
    co_return it->second;
  }
  if (!dns_) co_return error(errc::dns_not_found, "'" + host + "' is not in the host table");
  stats_.dns_lookups.fetch_add(1, std::memory_order_relaxed);
  auto [err, ans] = co_await dns_->async_resolve(host, dns::family::any,
                                                 boost::asio::as_tuple(boost::asio::use_awaitable));
  if (err) {
    if (err.category() == wpadkit_category()) {
      co_return error(err, "cannot resolve '" + host + "': " + err.message());
    }
    co_return error(errc::dns_failure, "cannot resolve '" + host + "': " + err.message());
  }
  co_return std::move(ans.addresses);
}

}  // namespace wpadkit::forward
