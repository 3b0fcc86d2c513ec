// pac::prepass — see pac_prepass.hpp.
#include "proxycore/pac/pac_prepass.hpp"

namespace wpadkit::pac {

std::string prepass(std::string_view source, prepass_options) {
  if (source.starts_with("\xEF\xBB\xBF")) source.remove_prefix(3);
  std::string out;
  out.reserve(source.size());
  for (std::size_t i = 0; i < source.size(); ++i) {
    char c = source[i];
    if (c == '\r') {
      out += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::string> syntax_hint(std::string_view, int) { return std::nullopt; }

}  // namespace wpadkit::pac
