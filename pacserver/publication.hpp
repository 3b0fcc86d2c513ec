#pragma once
// publication: the immutable set of PAC files being served — one per variant, each rendered,
// validated, hashed (strong ETag), gzip-compressed once, and stamped with the time its content
// first went live. A reload builds a new publication and swaps it in whole; requests in flight keep
// the one they started with (shared_ptr<const publication>), so a reload drops no request.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pacserver/config.hpp"
#include "pacserver/template_store.hpp"

namespace wpadkit::pacserver {

struct published_pac {
  std::string variant;
  std::string template_name;
  std::string body;
  std::string gzip_body;
  std::string hash;  // hex content hash (the version shown in logs and metrics)
  std::string etag;  // "\"<hash>\"" for the identity body
  std::string
      etag_gzip;  // "\"<hash>-gz\"": a different representation needs a different strong ETag
  std::chrono::system_clock::time_point last_modified;  // whole seconds
  std::string last_modified_http;                       // IMF-fixdate (RFC 9110 section 5.6.7)
};

struct publication {
  std::shared_ptr<const server_config> config;
  std::map<std::string, published_pac, std::less<>> variants;
  unsigned long generation = 1;

  const published_pac& of(const variant& v) const { return variants.find(v.name)->second; }
};

struct build_outcome {
  std::shared_ptr<const publication> pub;  // null when any error
  std::vector<error> errors;
};

// Renders and validates every variant of `config`. Content identical to a variant of `previous`
// keeps its Last-Modified. `now` stamps new content.
build_outcome build_publication(std::shared_ptr<const server_config> config,
                                const publication* previous,
                                std::chrono::system_clock::time_point now);

// IMF-fixdate formatting and parsing ("Sun, 06 Nov 1994 08:49:37 GMT").
std::string http_date(std::chrono::system_clock::time_point t);
std::optional<std::chrono::system_clock::time_point> parse_http_date(const std::string& s);

// Hex SHA-256 of `data`, first `hex_chars` characters.
std::string content_hash(std::string_view data, std::size_t hex_chars = 32);

// gzip (RFC 1952) of `data`.
std::string gzip(std::string_view data);

}  // namespace wpadkit::pacserver
