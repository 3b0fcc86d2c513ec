#include "proxycore/forward/ntlm.hpp"

#include <catch2/catch.hpp>
#include <functional>
#include <tuple>

using namespace wpadkit;
using namespace wpadkit::forward;

namespace {

// A result<T> in an assertion: its error text goes into the report when it holds no value.
template <class T>
bool ok(const result<T>& r) {
  if (!r) UNSCOPED_INFO(r.error().to_string());
  return r.has_value();
}

ntlm::bytes unhex(std::string_view h) {
  ntlm::bytes out;
  auto nibble = [](char c) {
    return static_cast<std::uint8_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  };
  for (std::size_t i = 0; i + 1 < h.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(nibble(h[i]) << 4 | nibble(h[i + 1])));
  }
  return out;
}

template <class Bytes>
std::string hex(const Bytes& b) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (auto c : b) {
    out += digits[static_cast<std::uint8_t>(c) >> 4];
    out += digits[static_cast<std::uint8_t>(c) & 0xf];
  }
  return out;
}

const ntlm::crypto& crypto() {
  static auto c = ntlm::crypto::create();
  if (!c) FAIL(c.error().to_string());
  return **c;
}

// MS-NLMP §4.2.4.3: the CHALLENGE_MESSAGE of the NTLMv2 example (server "Server", domain "Domain").
const std::string spec_challenge =
    "4e544c4d53535000020000000c000c003800000033828ae20123456789abcdef"
    "00000000000000002400240044000000060070170000000f5300650072007600"
    "6500720002000c0044006f006d00610069006e0001000c005300650072007600"
    "6500720000000000";
// ... and the AUTHENTICATE_MESSAGE the client sends for it.
const std::string spec_authenticate =
    "4e544c4d5353500003000000180018006c00000054005400840000000c000c00"
    "480000000800080054000000100010005c00000010001000d8000000358288e2"
    "0501280a0000000f44006f006d00610069006e00550073006500720043004f00"
    "4d005000550054004500520086c35097ac9cec102554764a57cccc19aaaaaaaa"
    "aaaaaaaa68cd0ab851e51c96aabc927bebef6a1c010100000000000000000000"
    "00000000aaaaaaaaaaaaaaaa0000000002000c0044006f006d00610069006e00"
    "01000c005300650072007600650072000000000000000000c5dad2544fc97990"
    "94ce1ce90bc9d03e";
const std::string spec_target_info =
    "02000c0044006f006d00610069006e0001000c0053006500720076006500720000000000";

ntlm::challenge8 eight(std::uint8_t v) {
  ntlm::challenge8 c;
  c.fill(v);
  return c;
}

}  // namespace

TEST_CASE("NTLMv2 keys and responses match the MS-NLMP 4.2.4 vectors") {
  const auto& c = crypto();
  auto key = ntlm::ntowfv2(c, "User", "Domain", "Password");
  REQUIRE(ok(key));
  CHECK(hex(*key) == "0c868a403bfd7a93a3001ef22ef02e3f");  // §4.2.4.1.1
  // The user name is case-insensitive, the domain is not (MS-NLMP §3.3.2).
  CHECK(*ntlm::ntowfv2(c, "USER", "Domain", "Password") == *key);
  CHECK(*ntlm::ntowfv2(c, "User", "DOMAIN", "Password") != *key);

  auto server = ntlm::challenge8{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
  auto info = unhex(spec_target_info);
  auto r = ntlm::compute_v2_response(c, *key, server, eight(0xaa), 0, info, false);
  CHECK(hex(r.nt_proof) == "68cd0ab851e51c96aabc927bebef6a1c");                     // §4.2.4.2.2
  CHECK(hex(r.session_base_key) == "8de40ccadbc14a82f15cb0ad0de95ca3");             // §4.2.4.1.2
  CHECK(hex(r.lm_response) == "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa");  // §4.2.4.2.1
  CHECK(hex(r.nt_response) ==
        "68cd0ab851e51c96aabc927bebef6a1c0101000000000000"
        "0000000000000000"
        "aaaaaaaaaaaaaaaa00000000" +
            spec_target_info + "00000000");
  ntlm::key16 random;
  random.fill(0x55);
  CHECK(hex(c.rc4(r.session_base_key, random)) ==
        "c5dad2544fc9799094ce1ce90bc9d03e");  // §4.2.4.2.3
}

TEST_CASE(
    "the AUTHENTICATE message for the MS-NLMP 4.2.4.3 challenge is the spec's, byte for byte") {
  const auto& c = crypto();
  auto ch = ntlm::parse_challenge(unhex(spec_challenge));
  REQUIRE(ok(ch));
  CHECK(ch->flags == 0xe28a8233);
  CHECK(hex(ch->server_challenge) == "0123456789abcdef");
  CHECK(hex(ch->target_name) == "530065007200760065007200");  // "Server"
  CHECK(hex(ch->target_info) == spec_target_info);
  CHECK_FALSE(ch->timestamp.has_value());

  ntlm::identity who{"User", "Domain", "COMPUTER", *ntlm::ntowfv2(c, "User", "Domain", "Password")};
  ntlm::authenticate_inputs in;
  in.flags = 0xe2888235;  // the example's: KEY_EXCH, VERSION, ... (ours would offer fewer)
  in.client_challenge = eight(0xaa);
  in.time = 0;
  in.random_session_key.fill(0x55);
  in.version = std::array<std::uint8_t, 8>{0x05, 0x01, 0x28, 0x0a, 0, 0, 0, 0x0f};
  auto m = ntlm::authenticate_message(c, who, *ch, in);
  REQUIRE(ok(m));
  CHECK(hex(*m) == spec_authenticate);
}

TEST_CASE(
    "a challenge with MsvAvTimestamp: server time in the blob, LM Z(24), MsvAvFlags and a MIC") {
  const auto& c = crypto();
  // The spec's challenge with an MsvAvTimestamp (id 7) added before MsvAvEOL.
  auto info = unhex(
      "02000c0044006f006d00610069006e00"
      "07000800"
      "0102030405060708"
      "00000000");
  auto raw = unhex(spec_challenge.substr(0, 96));  // header up to the target name
  raw.resize(56);
  auto name = unhex("530065007200760065007200");
  raw.insert(raw.end(), name.begin(), name.end());
  raw[40] = static_cast<std::uint8_t>(info.size());
  raw[42] = static_cast<std::uint8_t>(info.size());
  raw.insert(raw.end(), info.begin(), info.end());
  auto ch = ntlm::parse_challenge(raw);
  REQUIRE(ok(ch));
  REQUIRE(ch->timestamp.has_value());
  CHECK(*ch->timestamp == 0x0807060504030201ull);

  ntlm::identity who{"User", "Domain", "", *ntlm::ntowfv2(c, "User", "Domain", "Password")};
  auto negotiate = ntlm::negotiate_message();
  auto in =
      ntlm::make_authenticate_inputs(c, *ch, negotiate, std::chrono::system_clock::time_point{});
  REQUIRE(ok(in));
  CHECK(in->flags == (ntlm::our_flags & 0xe28a8233 & ~ntlm::flag::oem));  // Unicode wins
  auto m = ntlm::authenticate_message(c, who, *ch, *in);
  REQUIRE(ok(m));
  auto u16 = [&](std::size_t at) { return static_cast<std::size_t>((*m)[at] | (*m)[at + 1] << 8); };
  auto u32 = [&](std::size_t at) { return u16(at) | u16(at + 2) << 16; };
  // LmChallengeResponse is Z(24).
  REQUIRE(u16(12) == 24);
  CHECK(hex(ntlm::bytes(m->begin() + static_cast<long>(u32(16)),
                        m->begin() + static_cast<long>(u32(16) + 24))) == std::string(48, '0'));
  // The blob carries the server's time, not ours (time_point{}: 1970, FILETIME 116444736000000000).
  const auto nt = u32(24);
  CHECK(hex(ntlm::bytes(m->begin() + static_cast<long>(nt + 24),
                        m->begin() + static_cast<long>(nt + 32))) == "0102030405060708");
  // ... and its target info has MsvAvFlags = 0x2 (MIC present) before MsvAvEOL.
  const std::string blob_info = hex(ntlm::bytes(m->begin() + static_cast<long>(nt + 44), m->end()));
  CHECK(blob_info.find("0600040002000000"
                       "00000000") != std::string::npos);
  // The MIC (offset 72) is HMAC_MD5(session key, NEGOTIATE + CHALLENGE + AUTHENTICATE with MIC 0).
  ntlm::bytes zeroed = *m;
  std::fill(zeroed.begin() + 72, zeroed.begin() + 88, 0);
  ntlm::bytes nt_proof(m->begin() + static_cast<long>(nt), m->begin() + static_cast<long>(nt + 16));
  auto session_key = c.hmac_md5(who.key, nt_proof);
  ntlm::bytes all = negotiate;
  all.insert(all.end(), raw.begin(), raw.end());
  all.insert(all.end(), zeroed.begin(), zeroed.end());
  CHECK(hex(c.hmac_md5(session_key, all)) == hex(ntlm::bytes(m->begin() + 72, m->begin() + 88)));
  // The payload starts after the MIC.
  CHECK(u32(32) == 88);
}

TEST_CASE("without MsvAvTimestamp our own time goes into the blob and no MIC is sent") {
  const auto& c = crypto();
  auto ch = ntlm::parse_challenge(unhex(spec_challenge));
  REQUIRE(ok(ch));
  auto in = ntlm::make_authenticate_inputs(c, *ch, ntlm::negotiate_message(),
                                           std::chrono::system_clock::time_point{});
  REQUIRE(ok(in));
  CHECK(in->time == 116444736000000000ull);  // the Unix epoch as FILETIME
  auto other = ntlm::make_authenticate_inputs(c, *ch, {}, std::chrono::system_clock::time_point{});
  CHECK(in->client_challenge != other->client_challenge);  // random
  ntlm::identity who{"User", "Domain", "", *ntlm::ntowfv2(c, "User", "Domain", "Password")};
  auto m = ntlm::authenticate_message(c, who, *ch, *in);
  REQUIRE(ok(m));
  CHECK((*m)[32] == 72);  // domain payload right after the Version field: no MIC
  CHECK(((*m)[60] | (*m)[61] << 8) == (ntlm::our_flags & 0xe28a8233 & ~ntlm::flag::oem & 0xffff));
}

TEST_CASE("the NEGOTIATE message and the header value") {
  auto m = ntlm::negotiate_message();
  CHECK(hex(m) ==
        "4e544c4d5353500001000000078208a0"
        "00000000200000000000000020000000");
  CHECK(ntlm::header_value(m) == "NTLM TlRMTVNTUAABAAAAB4IIoAAAAAAgAAAAAAAAACAAAAA=");
  CHECK(ntlm::split_domain_user("CORP\\alice") ==
        std::pair<std::string, std::string>{"alice", "CORP"});
  CHECK(ntlm::split_domain_user("alice") == std::pair<std::string, std::string>{"alice", ""});
}

TEST_CASE("malformed CHALLENGE messages are refused naming the problem") {
  auto good = unhex(spec_challenge);
  using row = std::tuple<std::string, std::function<void(ntlm::bytes&)>>;
  auto [says, change] = GENERATE_REF(table<std::string, std::function<void(ntlm::bytes&)>>({
      row{"31 bytes, shorter than the 32-byte header", [](ntlm::bytes& m) { m.resize(31); }},
      row{"the signature is not NTLMSSP", [](ntlm::bytes& m) { m[3] = 'X'; }},
      row{"message type 3, expected 2", [](ntlm::bytes& m) { m[8] = 3; }},
      row{"TargetInfo (offset 68, length 36) lies outside the 103-byte message",
          [](ntlm::bytes& m) { m.pop_back(); }},
      row{"TargetInfo (offset 4294967295, length 36) lies outside",
          [](ntlm::bytes& m) { std::fill(m.begin() + 44, m.begin() + 48, 0xff); }},
      row{"TargetInfo (offset 68, length 36) lies outside the 60-byte message",
          [](ntlm::bytes& m) { m.resize(60); }},
      row{"AV_PAIR 1 at offset 16 (length 255) overruns the 36-byte target info",
          [](ntlm::bytes& m) { m[68 + 18] = 0xff; }},
      row{"the target info ends at offset 36 without an MsvAvEOL",
          [](ntlm::bytes& m) { m[68 + 32] = 9; }},
      row{"MsvAvTimestamp of length 12, expected 8",
          [](ntlm::bytes& m) { m[68 + 16] = 7; }},  // the Server pair (length 12) becomes a
                                                    // timestamp
      row{"NEGOTIATE_TARGET_INFO is set but there is no target info",
          [](ntlm::bytes& m) { m[40] = m[41] = 0; }},
  }));
  CAPTURE(says);
  change(good);
  auto r = ntlm::parse_challenge(good);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().is(errc::parse));
  CHECK_THAT(r.error().message, Catch::Contains(says));
}

TEST_CASE("the challenge is found among Proxy-Authenticate values") {
  auto found = ntlm::parse_challenge_header(
      {"Basic realm=\"x\"", "NTLM",
       "ntlm  TlRMTVNTUAACAAAAAAAAADAAAAABAgAAASNFZ4mrze8AAAAAAAAAAAAAAAAwAAAA "});
  REQUIRE(ok(found));
  CHECK(hex(found->server_challenge) == "0123456789abcdef");
  auto none = ntlm::parse_challenge_header({"Basic realm=\"x\"", "Negotiate"});
  REQUIRE_FALSE(none.has_value());
  CHECK(none.error().is(errc::http));
  CHECK(none.error().message ==
        "no NTLM challenge in the 407 (Proxy-Authenticate: Basic, Negotiate)");
  auto empty = ntlm::parse_challenge_header({});
  CHECK(empty.error().message == "no NTLM challenge in the 407 (Proxy-Authenticate: none)");
  auto bad = ntlm::parse_challenge_header({"NTLM !!!!"});
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().message == "NTLM challenge: the token is not base64");
  auto short_one = ntlm::parse_challenge_header({"NTLM TlRMTVNTUAACAAAA"});
  REQUIRE_FALSE(short_one.has_value());
  CHECK_THAT(short_one.error().message, Catch::Contains("shorter than the 32-byte header"));
}

TEST_CASE("an OEM-only challenge with a broken TargetName (Squid's ntlm_fake_auth) is answered") {
  const auto& c = crypto();
  // Captured from Squid 5.7 with auth_param ntlm program ntlm_fake_auth: flags 0x00088206 (OEM, no
  // Unicode, no target info), TargetName "WORKGROUP" at the bogus offset 0xaaaaaaae.
  auto ch =
      ntlm::parse_challenge(unhex("4e544c4d535350000200000009000900aeaaaaaa0682080055cd33d7"
                                  "19450e760000000000003a00574f524b47524f5550"));
  REQUIRE(ok(ch));
  CHECK(ch->target_name.empty());  // out of range: ignored (NTLMv2 does not use it)
  CHECK(ch->target_info.empty());  // NEGOTIATE_TARGET_INFO clear: the fields are not read
  auto in = ntlm::make_authenticate_inputs(c, *ch, ntlm::negotiate_message(),
                                           std::chrono::system_clock::now());
  REQUIRE(ok(in));
  CHECK((in->flags & ntlm::flag::oem) != 0);
  CHECK((in->flags & ntlm::flag::unicode) == 0);
  ntlm::identity who{"alice", "CORP", "", *ntlm::ntowfv2(c, "alice", "CORP", "s3cret")};
  auto m = ntlm::authenticate_message(c, who, *ch, *in);
  REQUIRE(ok(m));
  auto u16 = [&](std::size_t at) { return static_cast<std::size_t>((*m)[at] | (*m)[at + 1] << 8); };
  auto text = [&](std::size_t fields) {
    auto at = u16(fields + 4);
    return std::string(m->begin() + static_cast<long>(at),
                       m->begin() + static_cast<long>(at + u16(fields)));
  };
  CHECK(text(28) == "CORP");  // OEM strings: bytes as they are
  CHECK(text(36) == "alice");
  CHECK(u16(20) == 16 + 28 + 4);  // NTProofStr + blob without target info
  ntlm::identity accented{"\xc3\xa9lise", "CORP", "", who.key};
  auto refused = ntlm::authenticate_message(c, accented, *ch, *in);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().message ==
        "NTLM: the proxy takes only OEM strings, and the user is not ASCII");
}

TEST_CASE("a proxy with neither Unicode nor OEM, and malformed UTF-8, are refused") {
  const auto& c = crypto();
  auto raw = unhex(spec_challenge);
  raw[20] &= 0xfc;  // clear NEGOTIATE_UNICODE and NEGOTIATE_OEM
  auto ch = ntlm::parse_challenge(raw);
  REQUIRE(ok(ch));
  auto in = ntlm::make_authenticate_inputs(c, *ch, {}, std::chrono::system_clock::now());
  REQUIRE_FALSE(in.has_value());
  CHECK(in.error().is(errc::unsupported));
  CHECK(in.error().message == "NTLM: the proxy offers neither Unicode nor OEM strings");
  auto bad = ntlm::ntowfv2(c, "User", "Domain", "\xff");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().message == "NTLM: the password is not valid UTF-8");
  CHECK(ntlm::utf16le("\xc3\xa9\xf0\x9f\x98\x80", "x").value() == unhex("e9003dd800de"));  // é 😀
  CHECK_FALSE(ntlm::utf16le("\xc0\xaf", "x").has_value());  // overlong '/'
}

TEST_CASE(
    "every truncation and single-byte corruption of a challenge is parsed or refused, never "
    "read out of bounds") {
  // Run under the sanitizer build (WPADKIT_SANITIZE) this proves the bounds checks, not just the
  // messages: a challenge that parses must also yield an AUTHENTICATE message or a clean error.
  const auto& c = crypto();
  ntlm::identity who{"User", "Domain", "", *ntlm::ntowfv2(c, "User", "Domain", "Password")};
  std::size_t parsed = 0, refused = 0;
  auto attempt = [&](const ntlm::bytes& m) {
    auto ch = ntlm::parse_challenge(m);
    if (!ch) {
      ++refused;
      CHECK(ch.error().is(errc::parse));
      return;
    }
    ++parsed;
    auto in = ntlm::make_authenticate_inputs(c, *ch, ntlm::negotiate_message(),
                                             std::chrono::system_clock::time_point{});
    if (in) CHECK(ntlm::authenticate_message(c, who, *ch, *in).has_value());
  };
  for (const auto& base : {unhex(spec_challenge), unhex("4e544c4d535350000200000009000900aeaaaaaa06"
                                                        "82080055cd33d719450e760000000000003a00574f"
                                                        "524b47524f5550")}) {
    for (std::size_t n = 0; n <= base.size(); ++n)
      attempt(ntlm::bytes(base.begin(), base.begin() + static_cast<long>(n)));
    for (std::size_t i = 0; i < base.size(); ++i) {
      for (std::uint8_t v : {0x00, 0x01, 0x07, 0x80, 0xff}) {
        auto m = base;
        m[i] = v;
        attempt(m);
      }
    }
  }
  CHECK(parsed > 0);
  CHECK(refused > 0);
}
