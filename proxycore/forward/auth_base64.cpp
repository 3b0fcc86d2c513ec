#include "proxycore/forward/auth_base64.hpp"

#include <boost/beast/core/detail/base64.hpp>

namespace wpadkit::forward {

namespace base64 = boost::beast::detail::base64;

std::string encode_base64(std::string_view bytes) {
  std::string out(base64::encoded_size(bytes.size()), '\0');
  out.resize(base64::encode(out.data(), bytes.data(), bytes.size()));
  return out;
}

std::optional<std::string> decode_base64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  std::size_t pad = 0;
  while (pad < 2 && text[text.size() - 1 - pad] == '=') ++pad;
  const auto* inverse = base64::get_inverse();
  for (std::size_t i = 0; i + pad < text.size(); ++i) {
    if (inverse[static_cast<unsigned char>(text[i])] == -1) return std::nullopt;
  }
  std::string out(base64::decoded_size(text.size()), '\0');
  auto [written, read] = base64::decode(out.data(), text.data(), text.size());
  if (read != text.size() - pad) return std::nullopt;
  out.resize(written);
  return out;
}

}  // namespace wpadkit::forward
