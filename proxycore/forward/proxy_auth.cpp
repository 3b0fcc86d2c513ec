#include "proxycore/forward/proxy_auth.hpp"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <boost/asio/post.hpp>
#include <boost/beast/core/string.hpp>
#include <cctype>
#include <fstream>
#include <memory>
#include <sstream>
#include <unordered_set>

#include "proxycore/forward/auth_base64.hpp"
#include "proxycore/forward/request_rewrite.hpp"

namespace wpadkit::forward {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

// What a hash that crypt(3) refuses probably is, so that the error can say how to replace it.
std::string describe_foreign_hash(std::string_view hash) {
  if (hash.starts_with("$apr1$")) return "an Apache MD5 ($apr1$) hash";
  if (hash.starts_with("{SHA}")) return "an Apache SHA-1 ({SHA}) hash";
  if (!hash.starts_with("$")) return "a plain-text password or unknown hash";
  auto end = hash.find('$', 1);
  return "a hash of the scheme '" + std::string(hash.substr(0, end == std::string_view::npos ? hash.size() : end + 1)) + "'";
}

// crypt_data is 32 KiB: on the heap rather than on an I/O thread's stack.
std::optional<std::string> crypt_of(std::string_view password, const std::string& setting) {
  auto data = std::make_unique<crypt_data>();
  std::string pw(password);  // crypt_rn wants a NUL-terminated string
  const char* out = crypt_rn(pw.c_str(), setting.c_str(), data.get(), sizeof(crypt_data));
  OPENSSL_cleanse(pw.data(), pw.size());
  // libxcrypt returns NULL, or a string starting with '*', for a setting it cannot use.
  if (out == nullptr || out[0] == '*') return std::nullopt;
  return std::string(out);
}

}  // namespace

result<void> check_hash_scheme(std::string_view hash) {
  const std::string h(hash);
  const std::string fix = ": re-create it with `htpasswd -B` (bcrypt) or `openssl passwd -6`";
  switch (crypt_checksalt(h.c_str())) {
    case CRYPT_SALT_OK:
      return {};
    case CRYPT_SALT_METHOD_LEGACY:
      // Verifiable ($1$, $5$ are legacy in libxcrypt's eyes but still fine to check), except
      // traditional DES: it reads only 8 characters of a password, and it is also what crypt(3)
      // makes of a plain-text password in the file.
      if (h.starts_with("$")) return {};
      return error(errc::unsupported, "the hash is " + describe_foreign_hash(hash) +
                                          " or traditional DES crypt, which checks only the first 8 "
                                          "characters of a password" + fix);
    case CRYPT_SALT_METHOD_DISABLED:
      return error(errc::unsupported, "the hash is " + describe_foreign_hash(hash) +
                                          ", a scheme disabled in this system's crypt(3)" + fix);
    default:
      return error(errc::unsupported, "the hash is " + describe_foreign_hash(hash) +
                                          ", which crypt(3) on this system cannot verify" + fix);
  }
}

result<std::vector<proxy_user>> parse_users(std::string_view text, const std::string& where) {
  std::vector<proxy_user> users;
  std::unordered_set<std::string> seen;
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    auto nl = text.find('\n');
    auto line = trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty() || line.front() == '#') continue;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      return error(errc::parse, "expected 'user:hash', found no ':'").at(where, line_no);
    }
    auto name = trim(line.substr(0, colon));
    auto hash = trim(line.substr(colon + 1));
    if (name.empty()) return error(errc::parse, "empty user name before ':'").at(where, line_no);
    if (has_control(name) || has_control(hash)) {
      return error(errc::parse, "control characters in user '" + std::string(name) + "'").at(where, line_no);
    }
    if (hash.empty()) {
      return error(errc::parse, "user '" + std::string(name) + "' has no hash after ':'").at(where, line_no);
    }
    if (auto ok = check_hash_scheme(hash); !ok) {
      auto e = ok.error();
      e.message = "user '" + std::string(name) + "': " + e.message;
      return std::move(e).at(where, line_no);
    }
    if (!seen.emplace(name).second) {
      return error(errc::parse, "duplicate user '" + std::string(name) + "'").at(where, line_no);
    }
    users.push_back({std::string(name), std::string(hash)});
  }
  return users;
}

result<std::vector<proxy_user>> load_users_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return error(errc::io, "cannot read the users file (missing or not readable)").at(path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return error(errc::io, "reading the users file failed").at(path);
  return parse_users(text.str(), path);
}

bool verify_password(std::string_view password, const std::string& hash) {
  auto computed = crypt_of(password, hash);
  // The lengths are those of the stored hash's scheme, not secret; the bytes are compared in
  // constant time so that the time taken says nothing about how much of the hash matched.
  return computed && computed->size() == hash.size() &&
         CRYPTO_memcmp(computed->data(), hash.data(), hash.size()) == 0;
}

result<basic_credentials> parse_basic_credentials(std::string_view value) {
  value = trim(value);
  auto sp = value.find_first_of(" \t");
  auto scheme = value.substr(0, sp);
  if (!boost::beast::iequals(scheme, "Basic")) {
    std::string shown = scheme.empty() ? "(empty)" : std::string(scheme.substr(0, 32));
    std::replace_if(shown.begin(), shown.end(), [](unsigned char c) { return c < 0x21 || c > 0x7e; }, '_');
    return error(errc::unsupported, "unsupported scheme " + shown + ": use Basic");
  }
  auto token = sp == std::string_view::npos ? std::string_view{} : trim(value.substr(sp));
  auto decoded = decode_base64(token);
  if (!decoded) return error(errc::parse, "malformed Basic credentials: not base64");
  auto colon = decoded->find(':');
  if (colon == std::string::npos) {
    return error(errc::parse, "malformed Basic credentials: no ':' between user and password");
  }
  basic_credentials out{decoded->substr(0, colon), decoded->substr(colon + 1)};
  OPENSSL_cleanse(decoded->data(), decoded->size());
  // RFC 7617 §2: neither part may contain control characters.
  if (has_control(out.user) || has_control(out.password)) {
    return error(errc::parse, "malformed Basic credentials: control characters");
  }
  return out;
}

std::string basic_credentials_value(std::string_view user, std::string_view password) {
  std::string plain = std::string(user) + ":" + std::string(password);
  std::string out = encode_base64(plain);
  OPENSSL_cleanse(plain.data(), plain.size());
  return "Basic " + out;
}

std::string basic_challenge(std::string_view realm) {
  return "Basic realm=\"" + std::string(realm) + "\"";
}

std::string proxy_key(std::string_view host, std::uint16_t port) {
  std::string out(host);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out + ":" + std::to_string(port);
}

result<std::shared_ptr<const upstream_authorizer>> upstream_authorizer::create(
    const std::vector<upstream_credentials>& credentials) {
  std::shared_ptr<upstream_authorizer> out(new upstream_authorizer());
  for (const auto& c : credentials) {
    // Unparseable entries cannot match any hop; validate_config has already refused them.
    auto hp = parse_authority(c.proxy, 0);
    if (!hp) continue;
    entry e;
    if (c.scheme == upstream_scheme::basic) {
      e.basic = basic_credentials_value(c.user, c.password);
    } else {
      if (!out->crypto_) {
        auto made = ntlm::crypto::create();
        if (!made) {
          auto err = std::move(made).error();
          err.message = "upstream_auth for " + c.proxy + ": " + err.message;
          return err;
        }
        out->crypto_ = std::move(*made);
      }
      auto [user, domain] = c.domain.empty()
                                ? ntlm::split_domain_user(c.user)
                                : std::pair<std::string, std::string>{c.user, c.domain};
      auto key = ntlm::ntowfv2(*out->crypto_, user, domain, c.password);
      if (!key) {
        auto err = std::move(key).error();
        err.message = "upstream_auth for " + c.proxy + ": " + err.message;
        return err;
      }
      e.ntlm = ntlm::identity{std::move(user), std::move(domain), std::string(), *key};
    }
    out->entries_.emplace(proxy_key(hp->first, hp->second), std::move(e));
  }
  return std::shared_ptr<const upstream_authorizer>(std::move(out));
}

const upstream_authorizer::entry* upstream_authorizer::find(const proxy_server& hop) const {
  using scheme = proxy_server::scheme;
  if ((hop.type() != scheme::http && hop.type() != scheme::https) || entries_.empty())
    return nullptr;
  auto it = entries_.find(proxy_key(hop.host(), hop.port()));
  return it == entries_.end() ? nullptr : &it->second;
}

const std::string* upstream_authorizer::value_for(const proxy_server& hop) const {
  const auto* e = find(hop);
  return e && !e->ntlm ? &e->basic : nullptr;
}

const ntlm::identity* upstream_authorizer::ntlm_for(const proxy_server& hop) const {
  const auto* e = find(hop);
  return e && e->ntlm ? &*e->ntlm : nullptr;
}

bool upstream_authorizer::holds_credentials(const proxy_server& hop) const {
  return find(hop) != nullptr;
}

client_authenticator::client_authenticator(std::vector<proxy_user> users, std::size_t cache_entries)
    : users_(std::move(users)),
      capacity_(cache_entries),
      digest_key_(32, '\0'),
      hashing_(users_.empty() ? nullptr : std::make_unique<boost::asio::thread_pool>(1)) {
  if (RAND_bytes(reinterpret_cast<unsigned char*>(digest_key_.data()),
                 static_cast<int>(digest_key_.size())) != 1) {
    // Without a random key the digest is still one-way; the key only makes it useless elsewhere.
    digest_key_ = "wpadkit-proxy-auth";
  }
}

client_authenticator::~client_authenticator() {
  if (hashing_) {
    hashing_->stop();
    hashing_->join();
  }
}

std::string client_authenticator::digest(std::string_view value) const {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), digest_key_.data(), static_cast<int>(digest_key_.size()),
       reinterpret_cast<const unsigned char*>(value.data()), value.size(), md.data(), &len);
  return std::string(reinterpret_cast<const char*>(md.data()), len);
}

std::optional<std::string> client_authenticator::cached(const std::string& key) const {
  std::shared_lock lock(mutex_);
  auto it = cache_.find(key);
  if (it == cache_.end()) return std::nullopt;
  return it->second;
}

void client_authenticator::remember(std::string key, const std::string& user) {
  if (capacity_ == 0) return;
  std::unique_lock lock(mutex_);
  if (cache_.count(key) != 0) return;  // another thread verified the same value meanwhile
  while (cache_.size() >= capacity_ && !order_.empty()) {
    cache_.erase(order_.front());
    order_.pop_front();
  }
  order_.push_back(key);
  cache_.emplace(std::move(key), user);
}

result<std::string> client_authenticator::authenticate(std::optional<std::string_view> value) {
  if (!value) return error(errc::permission, "no Proxy-Authorization");
  auto key = digest(*value);
  if (auto user = cached(key)) {
    hits_.fetch_add(1, std::memory_order_relaxed);
    return std::move(*user);
  }
  auto creds = parse_basic_credentials(*value);
  if (!creds) return std::move(creds).error();
  auto it = std::find_if(users_.begin(), users_.end(),
                         [&](const proxy_user& u) { return u.name == creds->user; });
  bool ok = false;
  if (it != users_.end()) {
    ok = verify_password(creds->password, it->hash);
  } else if (!users_.empty()) {
    // An unknown user costs one hash too, so that timing does not tell which names exist.
    verify_password(creds->password, users_.front().hash);
  }
  OPENSSL_cleanse(creds->password.data(), creds->password.size());
  if (!ok) return error(errc::permission, "credentials rejected");
  remember(std::move(key), it->name);
  return it->name;
}

std::optional<std::string> client_authenticator::cached_user(std::string_view value) {
  auto user = cached(digest(value));
  if (user) hits_.fetch_add(1, std::memory_order_relaxed);
  return user;
}

void client_authenticator::async_authenticate(std::string value,
                                              std::function<void(result<std::string>)> done) {
  if (!hashing_) {
    done(authenticate(value));
    return;
  }
  boost::asio::post(*hashing_, [this, value = std::move(value), done = std::move(done)]() mutable {
    auto r = authenticate(value);
    OPENSSL_cleanse(value.data(), value.size());
    done(std::move(r));
  });
}

std::size_t client_authenticator::cache_hits() const noexcept {
  return hits_.load(std::memory_order_relaxed);
}

std::size_t client_authenticator::cache_size() const {
  std::shared_lock lock(mutex_);
  return cache_.size();
}

}  // namespace wpadkit::forward
