#include "proxycore/http/message_framing.hpp"

#include <cstring>

namespace wpadkit::http1 {
namespace {

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// `name` equals the lower-case `lowered`, ignoring case.
bool iequals_lower(std::string_view name, std::string_view lowered) {
  if (name.size() != lowered.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (lower(name[i]) != lowered[i]) return false;
  }
  return true;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// tchar (RFC 9110 §5.6.2).
bool is_tchar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

// Calls fn(element) for each comma-separated element, OWS trimmed, empty ones included.
template <class Fn>
void for_each_member(std::string_view v, Fn fn) {
  for (;;) {
    auto comma = v.find(',');
    fn(trim_ows(v.substr(0, comma)));
    if (comma == std::string_view::npos) return;
    v.remove_prefix(comma + 1);
  }
}

std::string quoted(std::string_view v) {
  return "'" + std::string(v) + "'";
}

}  // namespace

void framing_fields::add(std::string_view name, std::string_view value) {
  if (name.size() == 14 && iequals_lower(name, "content-length")) {
    add_content_length(value);
  } else if (name.size() == 17 && iequals_lower(name, "transfer-encoding")) {
    add_transfer_encoding(value);
  }
}

void framing_fields::add_content_length(std::string_view value) {
  ++cl_lines_;
  // The usual case first, on every response: one line of 1 to 19 digits, no leading zero (it cannot
  // overflow), which is canonical as it stands.
  if (cl_lines_ == 1 && !value.empty() && value.size() < 20 &&
      (value.front() != '0' || value.size() == 1)) {
    std::uint64_t n = 0;
    std::size_t i = 0;
    for (; i < value.size() && value[i] >= '0' && value[i] <= '9'; ++i) {
      n = n * 10 + static_cast<std::uint64_t>(value[i] - '0');
    }
    if (i == value.size()) {
      cl_value_ = n;
      return;
    }
  }
  if (cl_lines_ > 1) cl_canonical_ = false;
  if (!cl_error_.empty()) return;
  unsigned members = 0;
  for_each_member(value, [&](std::string_view member) {
    if (!cl_error_.empty()) return;
    ++members;
    // 1*DIGIT, no sign, no base prefix, no inner whitespace (RFC 9110 §8.6).
    std::uint64_t n = 0;
    bool digits = !member.empty();
    for (char c : member) {
      if (c < '0' || c > '9') {
        digits = false;
        break;
      }
      auto d = static_cast<std::uint64_t>(c - '0');
      if (n > (UINT64_MAX - d) / 10) {
        cl_error_ = "Content-Length " + quoted(value) + " is too large";
        return;
      }
      n = n * 10 + d;
    }
    if (!digits) {
      cl_error_ = "Content-Length " + quoted(value) + " is not a decimal length";
      return;
    }
    if (member.size() > 1 && member.front() == '0') cl_canonical_ = false;
    if ((cl_lines_ > 1 || members > 1) && n != cl_value_) {
      cl_error_ = "Content-Length has differing values (" + std::to_string(cl_value_) + " and " +
                  std::to_string(n) + ")";
      return;
    }
    cl_value_ = n;
  });
  if (members > 1 || value.size() != trim_ows(value).size()) cl_canonical_ = false;
}

void framing_fields::add_transfer_encoding(std::string_view value) {
  ++te_lines_;
  if (te_lines_ > 1 || value != "chunked") te_canonical_ = false;
  bool malformed = trim_ows(value).empty();
  for_each_member(value, [&](std::string_view coding) {
    if (!is_token(coding)) {
      malformed = true;  // an empty element, parameters (";q=1"), a quoted string...
    } else if (iequals_lower(coding, "chunked")) {
      if (++te_chunked_ == 2) te_twice_ = value;
    } else if (te_unknown_.empty()) {
      te_unknown_ = coding;
    }
  });
  if (malformed && !te_malformed_) te_malformed_ = std::string(value);
}

result<framing> framing_fields::decide(unsigned version, bool is_request) const {
  const char* what = is_request ? "request" : "response";
  if (te_lines_ > 0) {
    if (version < 11) {
      return error(errc::parse, std::string("Transfer-Encoding in an HTTP/1.0 ") + what +
                                    ": its framing is faulty (RFC 9112 §6.1)");
    }
    if (te_malformed_) {
      return error(errc::parse, "Transfer-Encoding " + quoted(*te_malformed_) +
                                    " has an empty or malformed element");
    }
  }
  if (!cl_error_.empty()) return error(errc::parse, cl_error_);
  if (te_lines_ > 0 && cl_lines_ > 0) {
    return error(errc::parse,
                 std::string("the ") + what +
                     " has both Transfer-Encoding and Content-Length, which hops can read "
                     "differently (request smuggling, RFC 9112 §6.1)");
  }
  framing out;
  if (te_lines_ > 0) {
    if (!te_unknown_.empty()) {
      return error(errc::unsupported, "the transfer coding " + quoted(te_unknown_) +
                                          " is not implemented (only chunked is)");
    }
    if (te_chunked_ > 1) {
      return error(errc::parse, "Transfer-Encoding " + quoted(te_twice_) +
                                    " names chunked more than once, which hops can read "
                                    "differently (request smuggling)");
    }
    out.body = out.declared = body_kind::chunked;
    out.canonical = te_canonical_;
  } else if (cl_lines_ > 0) {
    out.body = out.declared = body_kind::length;
    out.length = cl_value_;
    out.canonical = cl_canonical_;
  } else {
    out.body = out.declared = is_request ? body_kind::none : body_kind::until_close;
  }
  return out;
}

result<framing> framing_fields::request(unsigned version) const {
  return decide(version, true);
}

result<framing> framing_fields::response(unsigned version, unsigned status,
                                         bool to_head_request) const {
  auto out = decide(version, false);
  if (!out) return out;
  if (to_head_request || status / 100 == 1 || status == 204 || status == 304) {
    out->body = body_kind::none;
    if (out->declared == body_kind::until_close) out->declared = body_kind::none;
  }
  return out;
}

unsigned find_obs_fold(std::string_view raw_head) {
  unsigned line = 1;
  for (auto lf = raw_head.find('\n'); lf != std::string_view::npos;
       lf = raw_head.find('\n', lf + 1)) {
    ++line;
    if (lf + 1 < raw_head.size() && (raw_head[lf + 1] == ' ' || raw_head[lf + 1] == '\t'))
      return line;
  }
  return 0;
}

}  // namespace wpadkit::http1
