#include "pacserver/http_service.hpp"

#include "pacserver/variant_selector.hpp"

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <cctype>
#include <optional>

namespace wpadkit::pacserver {

namespace {

constexpr const char* pac_type = "application/x-ns-proxy-autoconfig; charset=us-ascii";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

template <class F>
void for_each_element(std::string_view list, F f) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    f(trim(list.substr(0, comma)));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
  }
}

namespace http = boost::beast::http;

request_facts facts_of(const service_request& req) {
  return {std::string(req.peer), std::string(req.host), req.field(http::field::user_agent),
          req.field("X-Forwarded-For")};
}

// A path name served by name: /<variant>.pac with the name in [A-Za-z0-9_-]+.
std::optional<std::string_view> variant_in_path(std::string_view path) {
  constexpr std::string_view suffix = ".pac";
  if (path.size() <= 1 + suffix.size() || path.front() != '/' ||
      path.substr(path.size() - suffix.size()) != suffix) {
    return std::nullopt;
  }
  const auto name = path.substr(1, path.size() - 1 - suffix.size());
  for (unsigned char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return std::nullopt;
  }
  return name;
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) {
  bool yes = false;
  for_each_element(accept_encoding, [&](std::string_view e) {
    const auto semi = e.find(';');
    auto token = trim(e.substr(0, semi));
    std::string t(token);
    for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (t != "gzip" && t != "x-gzip") return;
    if (semi != std::string_view::npos) {
      std::string params(e.substr(semi + 1));
      params.erase(std::remove(params.begin(), params.end(), ' '), params.end());
      if (params.rfind("q=0", 0) == 0 && params.find_first_not_of("0.", 2) == std::string::npos) {
        return;
      }
    }
    yes = true;
  });
  return yes;
}

bool etag_listed(std::string_view if_none_match, std::string_view etag) {
  bool found = false;
  for_each_element(if_none_match, [&](std::string_view e) {
    if (e.rfind("W/", 0) == 0) e.remove_prefix(2);
    if (e == "*" || e == etag) found = true;
  });
  return found;
}

std::string service_request::field(http::field name) const {
  return field(boost::beast::http::to_string(name));
}

std::string service_request::field(std::string_view name) const {
  std::string out;
  if (!fields) return out;
  // Beast keeps the lines of one name in the order received; each is visited (equal_range would
  // also span other fields between the first and the last line of that name).
  for (const auto& f : *fields) {
    if (!boost::beast::iequals(f.name_string(), name)) continue;
    if (!out.empty()) out += ", ";
    out.append(f.value());
  }
  return out;
}

bool service_request::has(http::field name) const {
  return fields && fields->find(name) != fields->end();
}

http_response plain_response(int status, const std::string& text) {
  http_response res{static_cast<http::status>(status), 11};
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.body() = text + "\n";
  return res;
}

http_service::http_service(std::shared_ptr<const publication> initial,
                           std::unique_ptr<access_log> log)
    : current_(std::move(initial)), log_(std::move(log)) {}

std::shared_ptr<const publication> http_service::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

void http_service::publish(std::shared_ptr<const publication> next,
                           std::shared_ptr<access_log> log) {
  std::lock_guard lock(mutex_);
  current_ = std::move(next);
  if (log) log_ = std::move(log);
}

result<void> http_service::reopen_log() {
  std::shared_ptr<access_log> log;
  {
    std::lock_guard lock(mutex_);
    log = log_;
  }
  return log ? log->reopen() : result<void>{};
}

http_response http_service::serve_pac(const service_request& req, const publication& pub,
                                      const published_pac& pac) const {
  const bool gz = accepts_gzip(req.field(http::field::accept_encoding));
  http_response res{http::status::ok, 11};
  res.set(http::field::etag, gz ? pac.etag_gzip : pac.etag);
  res.set(http::field::last_modified, pac.last_modified_http);
  res.set(http::field::cache_control, pub.config->cache_control);
  res.set(http::field::vary, "Accept-Encoding, User-Agent, Host");
  res.set("X-Pac-Variant", pac.variant);
  bool not_modified = false;
  if (req.has(http::field::if_none_match)) {
    const auto inm = req.field(http::field::if_none_match);
    // Either representation's tag validates: the content behind both is the same version.
    not_modified = etag_listed(inm, pac.etag) || etag_listed(inm, pac.etag_gzip);
  } else if (req.has(http::field::if_modified_since)) {
    const auto since = parse_http_date(req.field(http::field::if_modified_since));
    not_modified = since && pac.last_modified <= *since;
  }
  if (not_modified) {
    res.result(http::status::not_modified);  // http_server sends it without body or length
    return res;
  }
  res.set(http::field::content_type, pac_type);
  if (gz) {
    res.set(http::field::content_encoding, "gzip");
    res.body() = pac.gzip_body;
  } else {
    res.body() = pac.body;
  }
  return res;
}

http_response http_service::respond(const service_request& req) const {
  const auto pub = current();
  const auto facts = facts_of(req);
  auto client = client_address(facts, pub->config->trusted_proxies);
  if (!client) return plain_response(400, "400 Bad Request: " + client.error().message);
  if (!any_contains(pub->config->allowed_clients, *client)) {
    return plain_response(
        403, "403 Forbidden: client " + client->to_string() + " is not in server.allowed_clients");
  }
  // Every path is read-only: other methods get 405 with Allow (RFC 9110 section 15.5.6).
  if (req.method != "GET" && req.method != "HEAD") {
    auto res = plain_response(
        405, "405 Method Not Allowed: " + std::string(req.method) + " (only GET and HEAD)");
    res.set(http::field::allow, "GET, HEAD");
    return res;
  }
  if (req.path == "/wpad.dat" || req.path == "/proxy.pac") {
    return serve_pac(req, *pub, pub->of(select_variant(*pub->config, *client, facts)));
  }
  if (auto name = variant_in_path(req.path)) {
    const auto it = pub->variants.find(std::string(*name));
    if (it == pub->variants.end()) {
      return plain_response(404, "404 Not Found: no variant \"" + std::string(*name) + "\"");
    }
    return serve_pac(req, *pub, it->second);
  }
  if (req.path == "/healthz") {
    return plain_response(200, "ok generation=" + std::to_string(pub->generation));
  }
  if (req.path == "/metrics") {
    http_response res{http::status::ok, 11};
    res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.body() = metrics_.render(*pub);
    return res;
  }
  return plain_response(
      404, "404 Not Found: " + std::string(req.path) + " (PAC files: /wpad.dat, /proxy.pac)");
}

void http_service::log(const service_request& req, const http_response& res) {
  std::shared_ptr<const publication> pub;
  std::shared_ptr<access_log> log;
  {
    std::lock_guard lock(mutex_);
    pub = current_;
    log = log_;
  }
  access_entry e;
  e.peer = std::string(req.peer);
  auto client = client_address(facts_of(req), pub->config->trusted_proxies);
  e.client = client ? client->to_string() : "-";
  e.method = std::string(req.method);
  e.path = std::string(req.path);
  const auto variant = res.find("X-Pac-Variant");
  e.variant = variant != res.end() ? std::string(variant->value()) : "-";
  std::string etag(res[http::field::etag]);
  if (etag.size() > 2) etag = etag.substr(1, etag.size() - 2);
  if (etag.size() > 3 && etag.compare(etag.size() - 3, 3, "-gz") == 0) etag.resize(etag.size() - 3);
  e.version = etag.empty() ? "-" : etag;
  e.status = res.result_int();
  e.bytes = req.method == "HEAD" || e.status == 304 ? 0 : res.body().size();
  e.user_agent = req.field(http::field::user_agent);
  if (log) log->write(e);
  // Metrics labels stay bounded: PAC paths only when a variant was served, else a fixed set.
  std::string path = "other";
  if (e.variant != "-" || req.path == "/wpad.dat" || req.path == "/proxy.pac" ||
      req.path == "/healthz" || req.path == "/metrics") {
    path = std::string(req.path);
  }
  metrics_.count_request(path, e.variant, e.status);
}

}  // namespace wpadkit::pacserver
