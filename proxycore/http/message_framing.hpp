#pragma once
// http1::message_framing — where an HTTP/1.1 message body ends, decided strictly (RFC 9112 §6,
// RFC 9110 §8.6), so that every hop sees the same message boundaries. A message that two parsers
// could delimit differently is refused, never passed on: on a shared (pooled or pipelined)
// connection the difference becomes a request smuggled past us, or another client's response.
// Independent of any proxy or server type: fields go in as (name, value) text, after a field parser
// (Beast's, cpp-httplib's) has split the lines and trimmed the optional whitespace around values.
//
// Accepted (names case-insensitive; values of all field lines of one name are taken together):
//   Transfer-Encoding := "chunked"        exactly one element, in one field line, HTTP/1.1 only;
//                                         case-insensitive (RFC 9112 §7)
//   Content-Length    := 1*DIGIT *( OWS "," OWS 1*DIGIT )   every member the same number (§8.6)
//   never both in one message.
//
// Requests. A refusal is errc::parse (answer 400) or errc::unsupported (answer 501, as Squid does
// for a coding it does not implement, RFC 9112 §6.1); the connection is closed after either (§6.3):
//   Transfer-Encoding: chunked                         → chunked            canonical
//   Content-Length: 5                                  → length 5           canonical
//   Content-Length: 5, 5  |  two lines "5" and "5"     → length 5           not canonical
//   Content-Length: 005                                → length 5           not canonical
//   Transfer-Encoding: Chunked                         → chunked            not canonical
//   (neither)                                          → none
//   Content-Length: 5, 6  |  two lines "5" and "6"     → errc::parse  differing lengths
//   Content-Length: +5 | -1 | 5a | 0x5 | "" | 5,       → errc::parse  not a length
//   Content-Length: 99999999999999999999               → errc::parse  too large
//   Transfer-Encoding: chunked, chunked | two lines    → errc::parse  chunked more than once
//   Transfer-Encoding: chunked + Content-Length: 5     → errc::parse  both
//   Transfer-Encoding: , chunked | chunked;x=1 | ""    → errc::parse  malformed element
//   Transfer-Encoding: chunked  in HTTP/1.0            → errc::parse  (§6.1: faulty framing)
//   Transfer-Encoding: gzip | xchunked | identity      → errc::unsupported  (names the coding)
//   Transfer-Encoding: chunked, identity | gzip, chunked → errc::unsupported
// Order of the checks: HTTP/1.0, malformed elements, Content-Length's own errors, both fields, an
// unknown coding, chunked twice; the first failing one is reported.
//
// Responses: the same rules (a proxy answers any refusal with 502 and closes the upstream
// connection; RFC 9112 §6.3 item 4 would read "Transfer-Encoding: gzip" until close, but Squid
// refuses it too, and a coding we cannot re-frame is not passed on). And:
//   to a HEAD request, status 1xx, 204, 304           → none (§6.3 item 1; the fields, still
//                                                       checked, describe the representation)
//   neither field                                      → until_close
//
// "canonical" means the framing fields are already as we would write them (one "Content-Length:
// <digits>" without leading zeros, or one "Transfer-Encoding: chunked"): a relay copies them; any
// other accepted message is re-framed: its Content-Length and Transfer-Encoding lines become one.
//
// What a conforming field parser refuses before this (Beast 1.81's, measured by the proxy's tests,
// tests/integration/test_proxy_framing.py): in the request line two spaces, a tab, a lower-case or
// missing version, a version other than HTTP/1.0 and 1.1, a CR in the target, a separator in the
// method; whitespace before the first field line or between a field name and the colon, a field
// name with a space or other non-token byte, a line without a colon; NUL / CR / DEL / other control
// bytes in a value, bare LF line endings; Content-Length lists with differing or malformed members,
// chunked followed by another Transfer-Encoding line, Content-Length before Transfer-Encoding.
// Beast ACCEPTS obs-fold (joining the lines with a space) and Transfer-Encoding it cannot use
// ("gzip", "chunked, chunked": then read as no body): find_obs_fold and framing_fields close those.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proxycore/base/error.hpp"

namespace wpadkit::http1 {

// How the body of one message is delimited (RFC 9112 §6.3).
enum class body_kind {
  none,         // no body
  length,       // exactly `length` bytes (0 included: "Content-Length: 0" is kept)
  chunked,      // chunked transfer coding
  until_close,  // a response whose body ends when the server closes
};

struct framing {
  body_kind body = body_kind::none;      // how this message's body is delimited
  body_kind declared = body_kind::none;  // what its framing fields say: the same, except for a
                                         // response without a body (HEAD, 1xx, 204, 304), whose
                                         // Content-Length describes the representation
  std::uint64_t length = 0;              // declared == body_kind::length only
  bool canonical = true;                 // false: re-frame (from `declared`) before passing it on
};

// Collects the framing fields of one message head; then request() or response() decides.
class framing_fields {
 public:
  // Every field line of the head, in order. Fields other than Content-Length and Transfer-Encoding
  // are ignored (after a length comparison, so feeding all of them is cheap).
  void add(std::string_view name, std::string_view value);
  // The same, for a parser that has already recognised the name.
  void add_content_length(std::string_view value);
  void add_transfer_encoding(std::string_view value);

  // `version` is 10 for HTTP/1.0, 11 for HTTP/1.1.
  result<framing> request(unsigned version) const;
  result<framing> response(unsigned version, unsigned status, bool to_head_request) const;

 private:
  result<framing> decide(unsigned version, bool is_request) const;

  // Content-Length
  unsigned cl_lines_ = 0;
  std::uint64_t cl_value_ = 0;
  bool cl_canonical_ = true;
  std::string cl_error_;  // first problem found, empty if none
  // Transfer-Encoding
  unsigned te_lines_ = 0;
  unsigned te_chunked_ = 0;
  bool te_canonical_ = true;
  std::optional<std::string> te_malformed_;  // the first value with a malformed element
  std::string te_unknown_;                   // the first coding other than chunked
  std::string te_twice_;                     // the value naming chunked the second time
};

// The 1-based line of the first obs-fold (a field line starting with SP or HTAB, continuing the
// previous one; RFC 9112 §5.2) in a raw head (start line, field lines, CRLF CRLF), or 0. A server
// or proxy may refuse such a message with 400 or replace each fold with SP; we refuse, since a hop
// that reads the fold differently sees different fields. Lines are split at LF.
unsigned find_obs_fold(std::string_view raw_head);

}  // namespace wpadkit::http1
