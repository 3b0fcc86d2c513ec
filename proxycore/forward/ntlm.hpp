#pragma once
// forward::ntlm — the client side of NTLMv2 (MS-NLMP), as we present it to an upstream proxy that
// answers 407 with `Proxy-Authenticate: NTLM`: the three messages, and the NTLMv2 response they
// carry. Only NTLMv2: no LM and no NTLMv1 response is ever computed (MS-NLMP §3.3.2). Names go as
// UTF-16LE when the proxy offers NEGOTIATE_UNICODE, else as OEM strings, which we send only for
// ASCII names (the proxy's OEM code page is unknown). The NTOWFv2 key is the same either way.
//
// The exchange (MS-NLMP §3.1.5.1; over HTTP as MS-NTHT describes, one TCP connection throughout):
//   we      → Proxy-Authorization: NTLM base64(NEGOTIATE_MESSAGE)        negotiate_message()
//   proxy   → 407, Proxy-Authenticate: NTLM base64(CHALLENGE_MESSAGE)    parse_challenge_header()
//   we      → Proxy-Authorization: NTLM base64(AUTHENTICATE_MESSAGE)     authenticate_message()
//   proxy   → anything but 407: the connection is authenticated (407 again: credentials refused)
//
// The key material (MS-NLMP §3.3.2):
//   NTOWFv2      = HMAC_MD5(MD4(UTF-16LE(password)), UTF-16LE(UPPER(user) + domain))
//   temp         = 0x01 0x01 Z(6) time(8, FILETIME LE) client_challenge(8) Z(4) target_info Z(4)
//   NTProofStr   = HMAC_MD5(NTOWFv2, server_challenge + temp)
//   NtChallengeResponse = NTProofStr + temp
//   LMv2         = HMAC_MD5(NTOWFv2, server_challenge + client_challenge) + client_challenge
//   SessionBaseKey = HMAC_MD5(NTOWFv2, NTProofStr)
// MsvAvTimestamp (§3.1.5.1.2): when the CHALLENGE's target info holds one, that server time goes
// into the blob instead of ours, the LmChallengeResponse is Z(24), and a MIC (HMAC_MD5 of the three
// messages under the exported session key) is sent, announced by MsvAvFlags 0x2 in the blob's copy
// of the target info.
//
// Upper-casing the user name folds ASCII letters only (a non-ASCII user name must be written in the
// case the domain controller stores, or NTOWFv2 differs).
//
// MD4 and RC4 live in OpenSSL 3's legacy provider: `crypto` loads it (with the default provider)
// into a library context of its own, so the process-wide default context is left as it was.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proxycore/base/error.hpp"

namespace wpadkit::forward::ntlm {

using bytes = std::vector<std::uint8_t>;
using key16 = std::array<std::uint8_t, 16>;
using challenge8 = std::array<std::uint8_t, 8>;

// NEGOTIATE flags (MS-NLMP §2.2.2.5) that we use.
namespace flag {
inline constexpr std::uint32_t unicode = 0x00000001;
inline constexpr std::uint32_t oem = 0x00000002;
inline constexpr std::uint32_t request_target = 0x00000004;
inline constexpr std::uint32_t ntlm = 0x00000200;
inline constexpr std::uint32_t always_sign = 0x00008000;
inline constexpr std::uint32_t extended_session_security = 0x00080000;
inline constexpr std::uint32_t target_info = 0x00800000;
inline constexpr std::uint32_t version = 0x02000000;
inline constexpr std::uint32_t n128 = 0x20000000;
inline constexpr std::uint32_t key_exch = 0x40000000;
inline constexpr std::uint32_t n56 = 0x80000000;
}  // namespace flag

// What we accept from a CHALLENGE (the AUTHENTICATE carries these ∩ the challenge's). No key
// exchange, no signing or sealing: an HTTP proxy authenticates the connection and uses no session
// key afterwards.
inline constexpr std::uint32_t our_flags =
    flag::unicode | flag::oem | flag::request_target | flag::ntlm | flag::always_sign |
    flag::extended_session_security | flag::target_info | flag::n128 | flag::n56;
// What we ask for in our NEGOTIATE: the same without NEGOTIATE_TARGET_INFO. A server doing NTLMv2
// sends its target info unasked (Windows always does), while a server that echoes our flags (Squid's
// ntlm_fake_auth) would otherwise claim target info it does not send. curl does not ask for it either.
inline constexpr std::uint32_t negotiate_flags = our_flags & ~flag::target_info;

// The hashes NTLM needs, from an OpenSSL library context of our own (default + legacy providers).
// Immutable once made and safe to share between threads (each call makes its own EVP contexts).
class crypto {
 public:
  // Errors: errc::unsupported when the legacy provider (MD4) cannot be loaded, naming the module
  // directory OpenSSL looked in and what to install.
  static result<std::shared_ptr<const crypto>> create();
  ~crypto();
  crypto(const crypto&) = delete;
  crypto& operator=(const crypto&) = delete;

  key16 md4(std::span<const std::uint8_t> data) const;
  key16 hmac_md5(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data) const;
  // RC4 of 16 bytes (the EncryptedRandomSessionKey, only with NTLMSSP_NEGOTIATE_KEY_EXCH).
  key16 rc4(const key16& key, const key16& data) const;
  // Cryptographically random bytes. Errors: errc::io when the generator fails.
  result<void> random(std::span<std::uint8_t> out) const;

  struct handles;

 private:
  explicit crypto(std::unique_ptr<handles> h);
  std::unique_ptr<handles> h_;
};

// UTF-8 → UTF-16LE. Errors: errc::parse for malformed UTF-8 (`what` names the field).
result<bytes> utf16le(std::string_view utf8, std::string_view what);

// NTOWFv2 (MS-NLMP §3.3.2). Errors: those of utf16le.
result<key16> ntowfv2(const crypto& c, std::string_view user, std::string_view domain,
                      std::string_view password);

// Who we authenticate as: the NTOWFv2 key is computed once (the password itself is not kept).
struct identity {
  std::string user;
  std::string domain;
  std::string workstation;  // may be empty (MS-NLMP allows it)
  key16 key{};              // NTOWFv2
};

// Splits "DOMAIN\user" (a single backslash) into its parts; a name without one is returned whole
// with an empty domain.
std::pair<std::string, std::string> split_domain_user(std::string_view text);

// The NEGOTIATE_MESSAGE (type 1) with `flags`, no domain or workstation (MS-NLMP §2.2.1.1).
bytes negotiate_message(std::uint32_t flags = negotiate_flags);

// A parsed CHALLENGE_MESSAGE (type 2).
struct challenge {
  std::uint32_t flags = 0;
  challenge8 server_challenge{};
  bytes target_name;                       // as sent; empty when its field was out of range
  bytes target_info;                       // the AV_PAIR list as sent, MsvAvEOL included
  std::optional<std::uint64_t> timestamp;  // MsvAvTimestamp (FILETIME), when present
  bytes raw;                               // the whole message (for the MIC)
};

// Parses a CHALLENGE_MESSAGE. Hostile input: every offset and length is bounds-checked. The target
// info is read only when NEGOTIATE_TARGET_INFO is set (MS-NLMP §2.2.1.2: otherwise its fields are
// meaningless). The TargetName is not used by NTLMv2 (the target info carries the names), so an
// out-of-range TargetName is left empty rather than refused, as curl ignores it: Squid's
// ntlm_fake_auth sends one (offset 0xAAAAAAAE). Errors: errc::parse naming what was wrong
// ("shorter than the 32-byte header", "signature is not NTLMSSP", "message type 3, expected 2",
// "TargetInfo (offset O, length L) lies outside the N-byte message", "AV_PAIR at offset O overruns
// the target info", "no MsvAvEOL", "MsvAvTimestamp of length L", "NEGOTIATE_TARGET_INFO is set but
// there is no target info").
result<challenge> parse_challenge(std::span<const std::uint8_t> message);

// Finds the `NTLM <base64>` value among a 407's Proxy-Authenticate values and parses it. Errors:
// errc::http "no NTLM challenge ..." listing the schemes offered (none carrying a token), and
// errc::parse (not base64, or what parse_challenge says).
result<challenge> parse_challenge_header(const std::vector<std::string>& proxy_authenticate);

// Everything an AUTHENTICATE_MESSAGE depends on besides the identity and the challenge: given
// explicitly so that the MS-NLMP §4.2.4 vectors can be reproduced; make_authenticate_inputs() fills
// them for real use.
struct authenticate_inputs {
  std::uint32_t flags = 0;  // the negotiated flags written into the message
  challenge8 client_challenge{};
  std::uint64_t time = 0;      // FILETIME (100 ns since 1601) when the challenge has no timestamp
  key16 random_session_key{};  // used only when `flags` has NTLMSSP_NEGOTIATE_KEY_EXCH
  std::optional<std::array<std::uint8_t, 8>> version;  // the Version field (zeros when absent)
  bytes negotiate;  // our NEGOTIATE_MESSAGE as sent (for the MIC)
};

// Random client challenge and session key, `now` as FILETIME, flags = ours ∩ the challenge's.
// Errors: errc::io (no random bytes); errc::unsupported when the proxy offers neither Unicode nor
// OEM strings.
result<authenticate_inputs> make_authenticate_inputs(const crypto& c, const challenge& ch,
                                                     bytes negotiate,
                                                     std::chrono::system_clock::time_point now);

// The NTLMv2 response pieces (MS-NLMP §3.3.2), exposed for the test vectors.
struct v2_response {
  key16 nt_proof{};
  bytes nt_response;  // NTProofStr + temp
  bytes lm_response;  // LMv2, or Z(24) when the challenge carried MsvAvTimestamp
  key16 session_base_key{};
};
// `target_info` is what goes into the blob (the challenge's, possibly amended).
v2_response compute_v2_response(const crypto& c, const key16& ntowf, const challenge8& server,
                                const challenge8& client, std::uint64_t time,
                                std::span<const std::uint8_t> target_info, bool lm_zero);

// The AUTHENTICATE_MESSAGE (type 3). Payload order: domain, user, workstation, LM, NT, session key
// (as in MS-NLMP §4.2.4.3). Errors: those of utf16le; errc::unsupported for a non-ASCII name when
// only OEM strings were negotiated; errc::parse when the target info is too long
// to fit (its 16-bit length fields).
result<bytes> authenticate_message(const crypto& c, const identity& who, const challenge& ch,
                                   const authenticate_inputs& in);

// "NTLM " + base64(message): a Proxy-Authorization value.
std::string header_value(std::span<const std::uint8_t> message);

}  // namespace wpadkit::forward::ntlm
