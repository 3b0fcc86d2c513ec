#pragma once
// pacserver's reader: the shared configfile::toml_reader (file:line and the dotted key in every
// error, unknown keys refused) plus the two things only pacserver's config needs — the place an
// entry came from (source_ref) and its cidr networks. Internal to pacserver's config loading.
#include "configfile/toml_reader.hpp"
#include "proxycore/model/cidr.hpp"
#include "pacserver/config.hpp"

namespace wpadkit::pacserver::detail {

class reader : public configfile::toml_reader {
 public:
  using toml_reader::toml_reader;

  source_ref ref(const toml::node& n, std::string key) const {
    return {file(), line_of(n), std::move(key)};
  }

  result<std::vector<cidr>> networks(const toml::node& n, const std::string& key) const {
    auto texts = strings(n, key);
    if (!texts) return texts.error();
    std::vector<cidr> out;
    const auto* a = n.as_array();
    for (std::size_t i = 0; i < texts->size(); ++i) {
      auto c = cidr::parse((*texts)[i]);
      if (!c) return fail((*a)[i], key + "[" + std::to_string(i) + "]", c.error().message);
      out.push_back(*c);
    }
    return out;
  }
};

}  // namespace wpadkit::pacserver::detail
