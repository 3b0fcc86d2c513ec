#include "proxycore/forward/ntlm.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <chrono>

#include "proxycore/forward/auth_base64.hpp"

namespace wpadkit::forward::ntlm {
namespace {

constexpr std::uint8_t signature[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
constexpr std::size_t challenge_header = 32;     // up to and including ServerChallenge
constexpr std::size_t challenge_with_info = 48;  // ... Reserved(8), TargetInfoFields(8)
constexpr std::size_t authenticate_header = 64;  // up to and including NegotiateFlags
constexpr std::size_t version_size = 8;
constexpr std::size_t mic_size = 16;
constexpr std::size_t mic_offset = authenticate_header + version_size;

// AV_PAIR ids (MS-NLMP §2.2.2.1).
constexpr std::uint16_t av_eol = 0;
constexpr std::uint16_t av_flags = 6;
constexpr std::uint16_t av_timestamp = 7;
constexpr std::uint32_t av_flag_mic = 0x2;

std::uint16_t le16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] | (b[at + 1] << 8));
}
std::uint32_t le32(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint32_t>(b[at]) | static_cast<std::uint32_t>(b[at + 1]) << 8 |
         static_cast<std::uint32_t>(b[at + 2]) << 16 | static_cast<std::uint32_t>(b[at + 3]) << 24;
}
std::uint64_t le64(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint64_t>(le32(b, at)) | static_cast<std::uint64_t>(le32(b, at + 4))
                                                       << 32;
}
void put16(bytes& out, std::size_t at, std::uint16_t v) {
  out[at] = static_cast<std::uint8_t>(v);
  out[at + 1] = static_cast<std::uint8_t>(v >> 8);
}
void put32(bytes& out, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    out[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
}
void append(bytes& out, std::span<const std::uint8_t> b) {
  out.insert(out.end(), b.begin(), b.end());
}
void append64(bytes& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// A payload field of a message: Len(2) MaxLen(2) Offset(4) at `at`, checked to lie inside `m`.
result<std::span<const std::uint8_t>> field(std::span<const std::uint8_t> m, std::size_t at,
                                            const char* name) {
  const std::size_t len = le16(m, at);
  const std::size_t offset = le32(m, at + 4);
  if (len == 0) return std::span<const std::uint8_t>{};
  if (offset > m.size() || len > m.size() - offset) {
    return error(errc::parse, std::string("NTLM challenge: ") + name + " (offset " +
                                  std::to_string(offset) + ", length " + std::to_string(len) +
                                  ") lies outside the " + std::to_string(m.size()) +
                                  "-byte message");
  }
  return m.subspan(offset, len);
}

// Walks an AV_PAIR list (MS-NLMP §2.2.2.1): every pair inside the list, an MsvAvEOL at the end.
// Returns the MsvAvTimestamp, if any.
result<std::optional<std::uint64_t>> walk_av_pairs(std::span<const std::uint8_t> info) {
  std::optional<std::uint64_t> timestamp;
  std::size_t at = 0;
  while (true) {
    if (info.size() - at < 4) {
      return error(errc::parse, "NTLM challenge: the target info ends at offset " +
                                    std::to_string(at) + " without an MsvAvEOL");
    }
    const auto id = le16(info, at);
    const std::size_t len = le16(info, at + 2);
    if (len > info.size() - at - 4) {
      return error(errc::parse, "NTLM challenge: AV_PAIR " + std::to_string(id) + " at offset " +
                                    std::to_string(at) + " (length " + std::to_string(len) +
                                    ") overruns the " + std::to_string(info.size()) +
                                    "-byte target info");
    }
    if (id == av_eol) return timestamp;
    if (id == av_timestamp) {
      if (len != 8) {
        return error(errc::parse, "NTLM challenge: MsvAvTimestamp of length " +
                                      std::to_string(len) + ", expected 8");
      }
      timestamp = le64(info, at + 4);
    }
    at += 4 + len;
  }
}

// The target info as the client puts it into its blob: the server's, with MsvAvFlags bit 0x2 (a MIC
// follows) when `mic` (MS-NLMP §3.1.5.1.2). The list was validated by parse_challenge.
bytes blob_target_info(std::span<const std::uint8_t> info, bool mic) {
  bytes out;
  std::size_t at = 0;
  bool flags_seen = false;
  while (at + 4 <= info.size()) {
    const auto id = le16(info, at);
    const std::size_t len = le16(info, at + 2);
    if (id == av_eol) break;
    const auto start = out.size();
    append(out, info.subspan(at, 4 + len));
    if (id == av_flags && len == 4 && mic) {
      flags_seen = true;
      put32(out, start + 4, le32(out, start + 4) | av_flag_mic);
    }
    at += 4 + len;
  }
  if (mic && !flags_seen) {
    out.insert(out.end(), {static_cast<std::uint8_t>(av_flags), 0, 4, 0});
    append(out, std::array<std::uint8_t, 4>{static_cast<std::uint8_t>(av_flag_mic), 0, 0, 0});
  }
  out.insert(out.end(), {0, 0, 0, 0});  // MsvAvEOL
  return out;
}

// An OEM string (no NEGOTIATE_UNICODE): ASCII is the same in every OEM code page; anything else
// would need the proxy's code page, which we do not know.
result<bytes> oem_string(std::string_view s, std::string_view what) {
  if (std::any_of(s.begin(), s.end(), [](unsigned char c) { return c >= 0x80; })) {
    return error(errc::unsupported, "NTLM: the proxy takes only OEM strings, and the " +
                                        std::string(what) + " is not ASCII");
  }
  return bytes(s.begin(), s.end());
}

std::string openssl_reason() {
  auto code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no reason given";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

}  // namespace

// ---- crypto -------------------------------------------------------------------------------------

struct crypto::handles {
  OSSL_LIB_CTX* ctx = nullptr;
  OSSL_PROVIDER* base = nullptr;
  OSSL_PROVIDER* legacy = nullptr;
  EVP_MD* md4 = nullptr;
  EVP_MAC* hmac = nullptr;
  EVP_CIPHER* rc4 = nullptr;
  ~handles() {
    EVP_CIPHER_free(rc4);
    EVP_MAC_free(hmac);
    EVP_MD_free(md4);
    if (legacy) OSSL_PROVIDER_unload(legacy);
    if (base) OSSL_PROVIDER_unload(base);
    OSSL_LIB_CTX_free(ctx);
  }
};

crypto::crypto(std::unique_ptr<handles> h) : h_(std::move(h)) {}
crypto::~crypto() = default;

result<std::shared_ptr<const crypto>> crypto::create() {
  auto h = std::make_unique<handles>();
  h->ctx = OSSL_LIB_CTX_new();
  if (!h->ctx) return error(errc::unsupported, "NTLM: cannot create an OpenSSL library context");
  h->base = OSSL_PROVIDER_load(h->ctx, "default");
  if (!h->base) {
    return error(errc::unsupported,
                 "NTLM: OpenSSL's default provider could not be loaded: " + openssl_reason());
  }
  h->legacy = OSSL_PROVIDER_load(h->ctx, "legacy");
  if (h->legacy) h->md4 = EVP_MD_fetch(h->ctx, "MD4", nullptr);
  if (!h->legacy || !h->md4) {
    const char* dir = OPENSSL_info(OPENSSL_INFO_MODULES_DIR);
    return error(
        errc::unsupported,
        std::string("NTLM needs MD4 from OpenSSL's legacy provider, which could not be loaded "
                    "from ") +
            (dir ? dir : "?") + " (or $OPENSSL_MODULES): " + openssl_reason() +
            "; install the package that ships ossl-modules/legacy.so (Debian: libssl3)");
  }
  h->hmac = EVP_MAC_fetch(h->ctx, "HMAC", nullptr);
  h->rc4 = EVP_CIPHER_fetch(h->ctx, "RC4", nullptr);
  if (!h->hmac || !h->rc4) {
    return error(errc::unsupported,
                 "NTLM: HMAC or RC4 unavailable from OpenSSL: " + openssl_reason());
  }
  return std::shared_ptr<const crypto>(new crypto(std::move(h)));
}

key16 crypto::md4(std::span<const std::uint8_t> data) const {
  key16 out{};
  unsigned int len = 0;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> c(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  // These fail only on allocation failure: a zero key then fails authentication, it cannot pass it.
  if (c && EVP_DigestInit_ex2(c.get(), h_->md4, nullptr) == 1 &&
      EVP_DigestUpdate(c.get(), data.data(), data.size()) == 1) {
    EVP_DigestFinal_ex(c.get(), out.data(), &len);
  }
  return out;
}

key16 crypto::hmac_md5(std::span<const std::uint8_t> key,
                       std::span<const std::uint8_t> data) const {
  key16 out{};
  std::size_t len = 0;
  std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> c(EVP_MAC_CTX_new(h_->hmac),
                                                              EVP_MAC_CTX_free);
  char digest[] = "MD5";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  if (c && EVP_MAC_init(c.get(), key.data(), key.size(), params) == 1 &&
      EVP_MAC_update(c.get(), data.data(), data.size()) == 1) {
    EVP_MAC_final(c.get(), out.data(), &len, out.size());
  }
  return out;
}

key16 crypto::rc4(const key16& key, const key16& data) const {
  key16 out{};
  int len = 0;
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> c(EVP_CIPHER_CTX_new(),
                                                                    EVP_CIPHER_CTX_free);
  if (c && EVP_EncryptInit_ex2(c.get(), h_->rc4, key.data(), nullptr, nullptr) == 1) {
    EVP_EncryptUpdate(c.get(), out.data(), &len, data.data(), static_cast<int>(data.size()));
  }
  return out;
}

result<void> crypto::random(std::span<std::uint8_t> out) const {
  if (RAND_bytes_ex(h_->ctx, out.data(), out.size(), 0) != 1) {
    return error(errc::io, "NTLM: no random bytes from OpenSSL: " + openssl_reason());
  }
  return {};
}

// ---- strings and keys ---------------------------------------------------------------------------

result<bytes> utf16le(std::string_view s, std::string_view what) {
  bytes out;
  out.reserve(s.size() * 2);
  auto bad = [&] {
    return error(errc::parse, "NTLM: the " + std::string(what) + " is not valid UTF-8");
  };
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = 0;
    std::size_t n = 0;
    if (c < 0x80) {
      cp = c, n = 1;
    } else if ((c & 0xe0) == 0xc0) {
      cp = c & 0x1f, n = 2;
    } else if ((c & 0xf0) == 0xe0) {
      cp = c & 0x0f, n = 3;
    } else if ((c & 0xf8) == 0xf0) {
      cp = c & 0x07, n = 4;
    } else {
      return bad();
    }
    if (i + n > s.size()) return bad();
    for (std::size_t k = 1; k < n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return bad();
      cp = cp << 6 | (cc & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8 (RFC 3629 §3).
    static constexpr std::uint32_t min_for[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return bad();
    i += n;
    auto unit = [&](std::uint32_t u) {
      out.push_back(static_cast<std::uint8_t>(u));
      out.push_back(static_cast<std::uint8_t>(u >> 8));
    };
    if (cp >= 0x10000) {
      cp -= 0x10000;
      unit(0xd800 + (cp >> 10));
      unit(0xdc00 + (cp & 0x3ff));
    } else {
      unit(cp);
    }
  }
  return out;
}

result<key16> ntowfv2(const crypto& c, std::string_view user, std::string_view domain,
                      std::string_view password) {
  auto pw = utf16le(password, "password");
  if (!pw) return std::move(pw).error();
  std::string upper(user);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char ch) {
    return static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
  });
  auto who = utf16le(upper + std::string(domain), "user or domain");
  if (!who) return std::move(who).error();
  auto nt_hash = c.md4(*pw);
  OPENSSL_cleanse(pw->data(), pw->size());
  auto key = c.hmac_md5(nt_hash, *who);
  OPENSSL_cleanse(nt_hash.data(), nt_hash.size());
  return key;
}

std::pair<std::string, std::string> split_domain_user(std::string_view text) {
  auto slash = text.find('\\');
  if (slash == std::string_view::npos) return {std::string(text), std::string()};
  return {std::string(text.substr(slash + 1)), std::string(text.substr(0, slash))};
}

// ---- messages -----------------------------------------------------------------------------------

bytes negotiate_message(std::uint32_t flags) {
  bytes m(32, 0);  // Signature, MessageType, NegotiateFlags, DomainNameFields, WorkstationFields
  std::copy(std::begin(signature), std::end(signature), m.begin());
  put32(m, 8, 1);
  put32(m, 12, flags);
  // Both payload fields are empty; their offsets point at the end of the message.
  put32(m, 20, 32);
  put32(m, 28, 32);
  return m;
}

result<challenge> parse_challenge(std::span<const std::uint8_t> m) {
  if (m.size() < challenge_header) {
    return error(errc::parse, "NTLM challenge: " + std::to_string(m.size()) +
                                  " bytes, shorter than the 32-byte header");
  }
  if (!std::equal(std::begin(signature), std::end(signature), m.begin())) {
    return error(errc::parse, "NTLM challenge: the signature is not NTLMSSP");
  }
  if (auto type = le32(m, 8); type != 2) {
    return error(errc::parse,
                 "NTLM challenge: message type " + std::to_string(type) + ", expected 2");
  }
  challenge ch;
  ch.flags = le32(m, 20);
  std::copy_n(m.begin() + 24, 8, ch.server_challenge.begin());
  if (auto name = field(m, 12, "TargetName")) ch.target_name.assign(name->begin(), name->end());
  if ((ch.flags & flag::target_info) && m.size() >= challenge_with_info) {
    auto info = field(m, 40, "TargetInfo");
    if (!info) return std::move(info).error();
    if (!info->empty()) {
      auto ts = walk_av_pairs(*info);
      if (!ts) return std::move(ts).error();
      ch.timestamp = *ts;
      ch.target_info.assign(info->begin(), info->end());
    }
  }
  if ((ch.flags & flag::target_info) && ch.target_info.empty()) {
    return error(errc::parse,
                 "NTLM challenge: NEGOTIATE_TARGET_INFO is set but there is no target info");
  }
  ch.raw.assign(m.begin(), m.end());
  return ch;
}

result<challenge> parse_challenge_header(const std::vector<std::string>& values) {
  std::string offered;
  for (const auto& v : values) {
    std::string_view s(v);
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    auto sp = s.find_first_of(" \t");
    auto scheme = s.substr(0, sp);
    std::string_view token = sp == std::string_view::npos ? std::string_view{} : s.substr(sp);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
      token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (boost::beast::iequals(scheme, "NTLM") && !token.empty()) {
      auto raw = decode_base64(token);
      if (!raw) return error(errc::parse, "NTLM challenge: the token is not base64");
      return parse_challenge(bytes(raw->begin(), raw->end()));
    }
    if (!offered.empty()) offered += ", ";
    offered += std::string(scheme.substr(0, 32));
  }
  return error(errc::http, "no NTLM challenge in the 407 (Proxy-Authenticate: " +
                               (offered.empty() ? std::string("none") : offered) + ")");
}

result<authenticate_inputs> make_authenticate_inputs(const crypto& c, const challenge& ch,
                                                     bytes negotiate,
                                                     std::chrono::system_clock::time_point now) {
  if (!(ch.flags & (flag::unicode | flag::oem))) {
    return error(errc::unsupported, "NTLM: the proxy offers neither Unicode nor OEM strings");
  }
  authenticate_inputs in;
  in.flags = our_flags & ch.flags;
  if (in.flags & flag::unicode) in.flags &= ~flag::oem;  // one character set (MS-NLMP §3.1.5.1.2)
  if (auto ok = c.random(in.client_challenge); !ok) return std::move(ok).error();
  // FILETIME: 100-ns intervals since 1601-01-01 (11644473600 s before the Unix epoch).
  using ticks = std::chrono::duration<std::int64_t, std::ratio<1, 10'000'000>>;
  auto since_unix = std::chrono::duration_cast<ticks>(now.time_since_epoch()).count();
  in.time = static_cast<std::uint64_t>(since_unix + 11'644'473'600LL * 10'000'000LL);
  in.negotiate = std::move(negotiate);
  return in;
}

v2_response compute_v2_response(const crypto& c, const key16& ntowf, const challenge8& server,
                                const challenge8& client, std::uint64_t time,
                                std::span<const std::uint8_t> target_info, bool lm_zero) {
  bytes temp = {0x01, 0x01, 0, 0, 0, 0, 0, 0};  // RespType, HiRespType, Reserved1, Reserved2
  append64(temp, time);
  append(temp, client);
  temp.insert(temp.end(), 4, 0);  // Reserved3
  append(temp, target_info);
  temp.insert(temp.end(), 4, 0);  // MS-NLMP §3.3.2: Z(4) after the AV pairs
  bytes proof_input(server.begin(), server.end());
  append(proof_input, temp);
  v2_response r;
  r.nt_proof = c.hmac_md5(ntowf, proof_input);
  r.nt_response.assign(r.nt_proof.begin(), r.nt_proof.end());
  append(r.nt_response, temp);
  if (lm_zero) {
    r.lm_response.assign(24, 0);
  } else {
    bytes lm_input(server.begin(), server.end());
    append(lm_input, client);
    auto lm = c.hmac_md5(ntowf, lm_input);
    r.lm_response.assign(lm.begin(), lm.end());
    append(r.lm_response, client);
  }
  r.session_base_key = c.hmac_md5(ntowf, r.nt_proof);
  return r;
}

result<bytes> authenticate_message(const crypto& c, const identity& who, const challenge& ch,
                                   const authenticate_inputs& in) {
  // MsvAvTimestamp present: the server's time goes into the blob, LM is Z(24), and a MIC is sent.
  const bool mic = ch.timestamp.has_value();
  const bool unicode = in.flags & flag::unicode;
  auto domain = unicode ? utf16le(who.domain, "domain") : oem_string(who.domain, "domain");
  auto user = unicode ? utf16le(who.user, "user") : oem_string(who.user, "user");
  auto workstation = unicode ? utf16le(who.workstation, "workstation")
                             : oem_string(who.workstation, "workstation");
  if (!domain) return std::move(domain).error();
  if (!user) return std::move(user).error();
  if (!workstation) return std::move(workstation).error();
  auto info = ch.target_info.empty() ? bytes{} : blob_target_info(ch.target_info, mic);
  auto v2 = compute_v2_response(c, who.key, ch.server_challenge, in.client_challenge,
                                mic ? *ch.timestamp : in.time, info, mic);
  // KXKEY for NTLMv2 is the SessionBaseKey (MS-NLMP §3.4.5.1); with KEY_EXCH the exported key is
  // random and travels RC4-encrypted under it.
  key16 exported = v2.session_base_key;
  bytes encrypted_key;
  if (in.flags & flag::key_exch) {
    auto k = c.rc4(v2.session_base_key, in.random_session_key);
    encrypted_key.assign(k.begin(), k.end());
    exported = in.random_session_key;
  }
  if (v2.nt_response.size() > 0xffff) {
    return error(errc::parse, "NTLM: the target info is too long for an AUTHENTICATE message");
  }
  const std::size_t header = authenticate_header + version_size + (mic ? mic_size : 0);
  bytes m(header, 0);
  std::copy(std::begin(signature), std::end(signature), m.begin());
  put32(m, 8, 3);
  auto add = [&](std::size_t fields_at, const bytes& payload) {
    put16(m, fields_at, static_cast<std::uint16_t>(payload.size()));
    put16(m, fields_at + 2, static_cast<std::uint16_t>(payload.size()));
    put32(m, fields_at + 4, static_cast<std::uint32_t>(m.size()));
    append(m, payload);
  };
  add(28, *domain);
  add(36, *user);
  add(44, *workstation);
  add(12, v2.lm_response);
  add(20, v2.nt_response);
  add(52, encrypted_key);
  put32(m, 60, in.flags);
  if (in.version)
    std::copy(in.version->begin(), in.version->end(), m.begin() + authenticate_header);
  if (mic) {
    bytes all = in.negotiate;
    append(all, ch.raw);
    append(all, m);
    auto code = c.hmac_md5(exported, all);
    std::copy(code.begin(), code.end(), m.begin() + mic_offset);
  }
  OPENSSL_cleanse(exported.data(), exported.size());
  return m;
}

std::string header_value(std::span<const std::uint8_t> message) {
  const std::string_view raw(reinterpret_cast<const char*>(message.data()), message.size());
  return "NTLM " + encode_base64(raw);
}

}  // namespace wpadkit::forward::ntlm
