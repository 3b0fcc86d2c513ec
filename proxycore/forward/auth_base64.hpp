#pragma once
// forward::auth_base64 — the base64 of proxy credentials and challenges (RFC 4648 §4, with padding):
// Basic's user:password (RFC 7617) and NTLM's messages, over Beast's codec. Decoding is strict:
// Beast's decoder stops quietly at the first character outside the alphabet, so a value that is not
// whole base64 ("YWxp!!!", a wrong length) is refused here instead of decoding to a prefix.
#include <optional>
#include <string>
#include <string_view>

namespace wpadkit::forward {

std::string encode_base64(std::string_view bytes);

// The decoded bytes, or nullopt: empty, a length not a multiple of 4, a character outside the
// alphabet, or padding anywhere but at the end.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace wpadkit::forward
