#include "pacserver/http_service.hpp"

#include "pacserver/variant_selector.hpp"

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

request_facts facts_of(const httplib::Request& req) {
  return {req.remote_addr, req.get_header_value("Host"), req.get_header_value("User-Agent"),
          req.get_header_value("X-Forwarded-For")};
}

void plain(httplib::Response& res, int status, const std::string& text) {
  res.status = status;
  res.set_content(text + "\n", "text/plain; charset=utf-8");
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

httplib::Server::HandlerResponse http_service::check_access(const httplib::Request& req,
                                                            httplib::Response& res) {
  const auto pub = current();
  auto client = client_address(facts_of(req), pub->config->trusted_proxies);
  if (!client) {
    plain(res, 400, "400 Bad Request: " + client.error().message);
    return httplib::Server::HandlerResponse::Handled;
  }
  if (!any_contains(pub->config->allowed_clients, *client)) {
    plain(res, 403,
          "403 Forbidden: client " + client->to_string() + " is not in server.allowed_clients");
    return httplib::Server::HandlerResponse::Handled;
  }
  return httplib::Server::HandlerResponse::Unhandled;
}

void http_service::serve_pac(const httplib::Request& req, httplib::Response& res,
                             const publication& pub, const published_pac& pac) const {
  const bool gz = accepts_gzip(req.get_header_value("Accept-Encoding"));
  const std::string& etag = gz ? pac.etag_gzip : pac.etag;
  res.set_header("ETag", etag);
  res.set_header("Last-Modified", pac.last_modified_http);
  res.set_header("Cache-Control", pub.config->cache_control);
  res.set_header("Vary", "Accept-Encoding, User-Agent, Host");
  res.set_header("X-Pac-Variant", pac.variant);
  bool not_modified = false;
  if (req.has_header("If-None-Match")) {
    const auto inm = req.get_header_value("If-None-Match");
    // Either representation's tag validates: the content behind both is the same version.
    not_modified = etag_listed(inm, pac.etag) || etag_listed(inm, pac.etag_gzip);
  } else if (req.has_header("If-Modified-Since")) {
    const auto since = parse_http_date(req.get_header_value("If-Modified-Since"));
    not_modified = since && pac.last_modified <= *since;
  }
  if (not_modified) {
    res.status = 304;  // its Content-Length is dropped in install()'s post-routing handler
    return;
  }
  res.status = 200;
  if (gz) {
    res.set_header("Content-Encoding", "gzip");
    res.set_content(pac.gzip_body, pac_type);
  } else {
    res.set_content(pac.body, pac_type);
  }
}

void http_service::serve_discovery(const httplib::Request& req, httplib::Response& res) {
  const auto pub = current();
  const auto facts = facts_of(req);
  // check_access already parsed the client; a failure here cannot happen, but stay total.
  auto client = client_address(facts, pub->config->trusted_proxies);
  if (!client) return plain(res, 400, "400 Bad Request: " + client.error().message);
  const variant& v = select_variant(*pub->config, *client, facts);
  serve_pac(req, res, *pub, pub->of(v));
}

void http_service::serve_named(const httplib::Request& req, httplib::Response& res) {
  const auto pub = current();
  const std::string name = req.matches[1];
  const auto it = pub->variants.find(name);
  if (it == pub->variants.end())
    return plain(res, 404, "404 Not Found: no variant \"" + name + "\"");
  serve_pac(req, res, *pub, it->second);
}

void http_service::log_request(const httplib::Request& req, const httplib::Response& res) {
  std::shared_ptr<const publication> pub;
  std::shared_ptr<access_log> log;
  {
    std::lock_guard lock(mutex_);
    pub = current_;
    log = log_;
  }
  access_entry e;
  e.peer = req.remote_addr;
  auto client = client_address(facts_of(req), pub->config->trusted_proxies);
  e.client = client ? client->to_string() : "-";
  e.method = req.method;
  e.path = req.path;
  e.variant = res.has_header("X-Pac-Variant") ? res.get_header_value("X-Pac-Variant") : "-";
  std::string etag = res.get_header_value("ETag");
  if (etag.size() > 2) etag = etag.substr(1, etag.size() - 2);
  if (etag.size() > 3 && etag.compare(etag.size() - 3, 3, "-gz") == 0) etag.resize(etag.size() - 3);
  e.version = etag.empty() ? "-" : etag;
  e.status = res.status;
  e.bytes = req.method == "HEAD" || res.status == 304 ? 0 : res.body.size();
  e.user_agent = req.get_header_value("User-Agent");
  if (log) log->write(e);
  // Metrics labels stay bounded: PAC paths only when a variant was served, else a fixed set.
  std::string path = "other";
  if (e.variant != "-" || req.path == "/wpad.dat" || req.path == "/proxy.pac" ||
      req.path == "/healthz" || req.path == "/metrics") {
    path = req.path;
  }
  metrics_.count_request(path, e.variant, res.status);
}

void http_service::install(httplib::Server& server) {
  server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    return check_access(req, res);
  });
  auto discovery = [this](const httplib::Request& req, httplib::Response& res) {
    serve_discovery(req, res);
  };
  server.Get("/wpad.dat", discovery);
  server.Get("/proxy.pac", discovery);
  server.Get(
      R"(/([A-Za-z0-9_-]+)\.pac)",
      [this](const httplib::Request& req, httplib::Response& res) { serve_named(req, res); });
  server.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    plain(res, 200, "ok generation=" + std::to_string(current()->generation));
  });
  server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_.render(*current()), "text/plain; version=0.0.4; charset=utf-8");
  });
  // Every path is read-only: other methods get 405 with Allow (RFC 9110 section 15.5.6).
  auto not_allowed = [](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Allow", "GET, HEAD");
    plain(res, 405, "405 Method Not Allowed: " + req.method + " (only GET and HEAD)");
  };
  const char* any = R"(/.*)";
  server.Post(any, not_allowed);
  server.Put(any, not_allowed);
  server.Patch(any, not_allowed);
  server.Delete(any, not_allowed);
  server.Options(any, not_allowed);
  server.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        if (res.status == 404) {
          plain(res, 404, "404 Not Found: " + req.path + " (PAC files: /wpad.dat, /proxy.pac)");
        }
        return httplib::Server::HandlerResponse::Handled;
      }));
  // cpp-httplib gives every response without a body "Content-Length: 0"; on a 304 that claims the
  // PAC is empty, which RFC 9110 section 8.6 forbids (only the length the 200 would have had may be
  // sent). A 304 ends at its head anyway (RFC 9112 section 6.3), so it goes without one. Not the
  // 200's length: cpp-httplib's own client (0.11) would then wait for that many body bytes.
  server.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.status == 304) res.headers.erase("Content-Length");
  });
  server.set_logger(
      [this](const httplib::Request& req, const httplib::Response& res) { log_request(req, res); });
}

}  // namespace wpadkit::pacserver
