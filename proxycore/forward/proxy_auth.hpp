#pragma once
// forward::proxy_auth — Basic proxy authentication (RFC 9110 §11.7, RFC 7617) in
// both directions: the users file the proxy's own accounts come from, checking a client's
// Proxy-Authorization against their crypt(3) hashes, and writing the Proxy-Authorization we present
// to an upstream proxy (Basic, or the NTLM identity that ntlm.hpp's messages are made for).
//
// Users file (htpasswd layout, as `htpasswd -B` and Squid's basic_ncsa_auth read it):
//   # comment                 ignored, as are blank lines and surrounding spaces
//   alice:$2y$10$…            bcrypt ($2a$, $2b$, $2y$)
//   bob:$6$salt$…             SHA-crypt ($5$, $6$; `openssl passwd -6`, mkpasswd)
//   carol:$y$j9T$…            yescrypt (Debian's default for mkpasswd)
//   dave:$apr1$…              → error: Apache MD5 cannot be verified by crypt(3); use htpasswd -B
//   erin:{SHA}…               → error: Apache SHA-1, same
//   frank:abJnggxhB/yWI       → error: traditional DES (only 8 characters of a password count)
//   grace                     → error: no ':' between the name and the hash
//   :$6$…                     → error: empty user name
//   alice:… (again)           → error: duplicate user
// Every error names "path:line" and the problem.
//
// Proxy-Authorization values (RFC 7617 §2: "Basic" 1*SP base64(user-id ":" password)):
//   "Basic YWxpY2U6czNjcmV0"        → alice / s3cret
//   "basic  YWxpY2U6czNjcmV0"       → the same (scheme is case-insensitive, spaces before the
//   token) "Basic Ym9iOnA6dzpk"            → bob / p:w:d (the password may hold ':'; the user-id
//   may not) "Digest username=…"             → errc::unsupported "unsupported scheme Digest: use
//   Basic" "Basic !!!", "Basic YWxpY2U"    → errc::parse (not base64; no ':' after decoding)
#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "proxycore/base/error.hpp"
#include "proxycore/forward/ntlm.hpp"
#include "proxycore/forward/proxy_config.hpp"
#include "proxycore/model/proxy_list.hpp"

namespace wpadkit::forward {

// Reads a users file. Errors: errc::io (cannot read `path`), errc::parse (a bad line, at path:line),
// errc::unsupported (a hash scheme this system's crypt(3) cannot verify, at path:line, with the fix).
result<std::vector<proxy_user>> load_users_file(const std::string& path);

// The same for text already read; `where` names it in errors (a file name).
result<std::vector<proxy_user>> parse_users(std::string_view text, const std::string& where);

// Whether this system's crypt(3) (libxcrypt) can verify `hash`. Errors: errc::unsupported naming the
// scheme and what to use instead.
result<void> check_hash_scheme(std::string_view hash);

// True when `password` hashes to `hash` under crypt(3). Deliberately slow (that is the point of these
// schemes); the comparison is constant-time. Thread-safe (crypt_rn with per-call state).
bool verify_password(std::string_view password, const std::string& hash);

struct basic_credentials {
  std::string user;
  std::string password;
};

// Parses a Proxy-Authorization (or Authorization) value. Errors: errc::unsupported (another scheme:
// "unsupported scheme X: use Basic"), errc::parse (malformed base64, no ':', control characters).
result<basic_credentials> parse_basic_credentials(std::string_view value);

// "Basic base64(user:password)" — the value we send to an upstream proxy.
std::string basic_credentials_value(std::string_view user, std::string_view password);

// The Proxy-Authenticate challenge: `Basic realm="<realm>"` (the realm is validated by
// validate_config: no quotes or control characters, so it needs no escaping).
std::string basic_challenge(std::string_view realm);

// How an upstream proxy is matched: "host:port" with the host in lower case and without brackets, so
// that "Proxy.Corp:3128" in the config matches "PROXY proxy.corp:3128" in a PAC result.
std::string proxy_key(std::string_view host, std::uint16_t port);

// What we present to upstream PROXY hops, by hop: a "Basic …" value, or an NTLM identity (its
// NTOWFv2 key computed once here; the password is not kept). Built once per proxy from a validated
// config (validate_config checked every "host:port"); immutable, so shared by every I/O thread.
class upstream_authorizer {
 public:
  // Errors: errc::unsupported when an NTLM entry needs MD4 and OpenSSL's legacy provider cannot be
  // loaded (ntlm::crypto::create); errc::parse for a user, domain or password that is not UTF-8.
  // Both name the proxy entry.
  static result<std::shared_ptr<const upstream_authorizer>> create(
      const std::vector<upstream_credentials>& credentials);

  // Our "Basic …" value for `hop`, or nullptr: none configured for it, NTLM configured instead, or
  // not a PROXY/HTTP/HTTPS hop (a SOCKS or DIRECT hop never gets proxy credentials).
  const std::string* value_for(const proxy_server& hop) const;
  // Our NTLM identity for `hop`, or nullptr (as value_for).
  const ntlm::identity* ntlm_for(const proxy_server& hop) const;
  // Whether we hold credentials of either scheme for `hop`.
  bool holds_credentials(const proxy_server& hop) const;
  // The hashes NTLM uses; null when no entry is NTLM.
  const ntlm::crypto* ntlm_crypto() const { return crypto_.get(); }

 private:
  upstream_authorizer() = default;
  struct entry {
    std::string basic;  // "Basic …", empty for NTLM
    std::optional<ntlm::identity> ntlm;
  };
  const entry* find(const proxy_server& hop) const;
  std::unordered_map<std::string, entry> entries_;  // proxy_key → credentials
  std::shared_ptr<const ntlm::crypto> crypto_;
};

// Checks clients' Proxy-Authorization against a fixed set of users. Successful checks are cached
// (bounded, oldest evicted first), keyed by a keyed SHA-256 digest of the whole field value — never
// the password itself — so that a keep-alive client pays the slow hash once, not per request.
// Failures are never cached (a cached "no" would be a free oracle for guessing). Thread-safe: every
// I/O thread calls it.
//
// The hash itself (milliseconds for bcrypt at cost 5, ~0.1 s at cost 12) should not run on an I/O
// thread, where it would stall every other connection of that thread: async_authenticate runs it on
// the authenticator's own hashing thread. Destroying the authenticator waits for the hash in
// progress and drops the queued ones (their `done` is never called).
class client_authenticator {
 public:
  explicit client_authenticator(std::vector<proxy_user> users, std::size_t cache_entries = 4096);
  ~client_authenticator();
  client_authenticator(const client_authenticator&) = delete;
  client_authenticator& operator=(const client_authenticator&) = delete;

  // False when there are no users (client authentication is off).
  bool enabled() const noexcept { return !users_.empty(); }

  // The user a request's Proxy-Authorization value (nullopt: absent) authenticates, hashing on the
  // calling thread when the cache does not know the value. Errors, with the text a 407 body shows
  // (never saying whether the user or the password was wrong):
  //   errc::permission  "no Proxy-Authorization" / "credentials rejected"
  //   errc::unsupported "unsupported scheme X: use Basic"
  //   errc::parse       "malformed Basic credentials: ..."
  result<std::string> authenticate(std::optional<std::string_view> proxy_authorization);

  // The cached user for a value, without hashing (nullopt: not cached, call authenticate).
  std::optional<std::string> cached_user(std::string_view proxy_authorization);

  // authenticate() on the hashing thread; `done` is called on that thread.
  void async_authenticate(std::string proxy_authorization,
                          std::function<void(result<std::string>)> done);

  // Verifications answered from the cache (for tests and metrics).
  std::size_t cache_hits() const noexcept;
  std::size_t cache_size() const;

 private:
  std::string digest(std::string_view value) const;
  std::optional<std::string> cached(const std::string& key) const;
  void remember(std::string key, const std::string& user);

  std::vector<proxy_user> users_;  // immutable after construction
  std::size_t capacity_;
  std::string digest_key_;  // random per instance: cache keys are useless outside this process
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::string> cache_;  // digest → user name
  std::deque<std::string> order_;                       // insertion order, for eviction
  std::atomic<std::size_t> hits_{0};
  // Last: joined first on destruction, while everything its work uses still exists.
  std::unique_ptr<boost::asio::thread_pool> hashing_;
};

}  // namespace wpadkit::forward
