#include "pacserver/publication.hpp"

#include <openssl/evp.h>
#include <zlib.h>

#include <ctime>

#include "pacserver/pac_renderer.hpp"
#include "pacserver/pac_validator.hpp"

namespace wpadkit::pacserver {

std::string content_hash(std::string_view data, std::size_t hex_chars) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len && out.size() < hex_chars; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

std::string gzip(std::string_view data) {
  z_stream zs{};
  // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
  deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, data.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string http_date(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(const std::string& s) {
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

build_outcome build_publication(std::shared_ptr<const server_config> config,
                                const publication* previous,
                                std::chrono::system_clock::time_point now) {
  build_outcome out;
  auto pub = std::make_shared<publication>();
  pub->config = config;
  pub->generation = previous ? previous->generation + 1 : 1;
  const template_store templates(config->templates_dir);
  const auto stamp = std::chrono::floor<std::chrono::seconds>(now);
  for (const auto& v : config->variants) {
    auto text = render_pac(*config, v, templates);
    if (!text) {
      out.errors.push_back(text.error());
      continue;
    }
    auto problems = validate_pac(*text, *config, v);
    if (!problems.empty()) {
      out.errors.insert(out.errors.end(), problems.begin(), problems.end());
      continue;
    }
    published_pac p;
    p.variant = v.name;
    p.template_name = v.template_name;
    p.hash = content_hash(*text);
    p.etag = "\"" + p.hash + "\"";
    p.etag_gzip = "\"" + p.hash + "-gz\"";
    p.gzip_body = gzip(*text);
    p.body = std::move(*text);
    p.last_modified = stamp;
    if (previous) {
      const auto old = previous->variants.find(v.name);
      if (old != previous->variants.end() && old->second.hash == p.hash) {
        p.last_modified = old->second.last_modified;
      }
    }
    p.last_modified_http = http_date(p.last_modified);
    pub->variants.emplace(v.name, std::move(p));
  }
  if (out.errors.empty()) out.pub = std::move(pub);
  return out;
}

}  // namespace wpadkit::pacserver
