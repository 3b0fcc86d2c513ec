#pragma once
// request_checks: what pacserver requires of a request head once Beast's parser has read it, beyond
// what that parser already refuses. Pure (no I/O): http_server calls it for every request.
//
// Beast's parser itself refuses (→ 400) a field line without a colon, whitespace before the colon
// or inside a field name, a control byte in a value (NUL, a bare CR, a bare LF, DEL), a line not
// ended by CRLF, a control byte or a space inside the request-target, a Content-Length that is not
// one number, Content-Length with chunked; it bounds the whole head (header_limit → 431). Obs-fold
// is replaced by a space, as RFC 9112 §5.2 allows a server to do: pacserver forwards nothing, so
// no other hop can read the fold differently (the proxy refuses it: http1::find_obs_fold).
// Beast also refuses any version but HTTP/1.0 and HTTP/1.1 (bad_version): status_for_bad_version
// makes that 505 (RFC 9110 §15.6.6) when the version is well-formed, 400 when it is not one. (RFC
// 9112 §2.3 would read HTTP/1.2 as 1.1; no client sends it.) Then, in this order:
//
//   check                                   refusal
//   request-line ≤ max_line_bytes           414 (RFC 9112 §3: a target longer than we parse)
//   field count ≤ max_fields                431 (RFC 6585 §5)
//   each field line ≤ max_line_bytes        431, naming the field
//   one valid Host (forward/host_field)     400 (RFC 9112 §3.2)
//   Content-Length / Transfer-Encoding      400, or 501 for a coding other than chunked
//   judged by http1::framing_fields          (proxycore/http/message_framing.hpp: RFC 9112 §6)
//   the target is origin-form, absolute-    400 (RFC 9112 §3.2); "*" only with OPTIONS
//   form (http, https), or "*"
//   its path percent-decodes, without NUL   400
//
// On success: the path (percent-decoded, without the query) and the host the request names (from an
// absolute-form target, which wins over Host per RFC 9112 §3.2.2, else Host; empty when none).
//
//   target (Host: w.example)          → path           host
//   /wpad.dat                           /wpad.dat        w.example
//   /wpad.dat?x=1                       /wpad.dat        w.example
//   /wpad%2Edat                         /wpad.dat        w.example
//   http://wpad.corp/proxy.pac?v=2      /proxy.pac       wpad.corp
//   http://wpad.corp                    /                wpad.corp
//   *  (OPTIONS)                        *                w.example
//   wpad.dat, ftp://h/x, /a%zz, /a%00   → 400
#include <boost/beast/http/message.hpp>
#include <cstddef>
#include <string>
#include <variant>

namespace wpadkit::pacserver {

struct head_limits {
  std::size_t max_line_bytes = 4096;  // the request-line, and each field line
  std::size_t max_fields = 64;
};

// Why a head is refused: the status to answer (always with a close), and a reason for the body.
struct head_refusal {
  int status = 400;
  std::string reason;
};

struct checked_request {
  std::string path;  // percent-decoded, without the query
  std::string host;  // the authority the request names: absolute-form target, else Host
};

std::variant<checked_request, head_refusal> check_request_head(
    const boost::beast::http::request_header<>& req, const head_limits& limits);

// For a head Beast refused with bad_version, given its first bytes: 505 when its first line is
// method SP target SP "HTTP/" DIGIT "." DIGIT CRLF ("GET / HTTP/2.0"), else 400 ("GET / HTTP/x",
// "GET /a b HTTP/1.1", a line ended by a bare LF, "HELLO").
int status_for_bad_version(std::string_view head);

}  // namespace wpadkit::pacserver
