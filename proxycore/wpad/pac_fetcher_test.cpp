// pac_fetcher against a real HTTP server on loopback (cpp-httplib's server, port 0, in a thread).
#include "proxycore/wpad/pac_fetcher.hpp"

#include <httplib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <thread>

using namespace wpadkit;
using namespace wpadkit::wpad;

namespace {

const char* const pac_text = "function FindProxyForURL(url, host) { return \"DIRECT\"; }\n";
const char* const pac_mime = "application/x-ns-proxy-autoconfig";

// A loopback HTTP server for the duration of one test; listens before the constructor returns.
class origin {
 public:
  origin() {
    server_.Get("/wpad.dat", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(pac_text, pac_mime);
      res.set_header("ETag", "\"v1\"");
    });
    server_.Get("/etag.dat", [](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("If-None-Match") == "\"v1\"") {
        res.status = 304;
        return;
      }
      res.set_content(pac_text, pac_mime);
      res.set_header("ETag", "\"v1\"");
    });
    server_.Get("/text.pac", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(pac_text, "text/plain; charset=utf-16");
    });
    server_.Get("/portal", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("<html><body>Log in to the Wi-Fi</body></html>", "text/html");
    });
    server_.Get("/empty.pac", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("", pac_mime);
    });
    server_.Get("/big.pac", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string("function FindProxyForURL(u,h){return 'DIRECT';}\n") +
                          std::string(2 * 1024 * 1024, '/'),
                      pac_mime);
    });
    server_.Get(R"(/hop/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
      const int n = std::stoi(req.matches[1]);
      if (n == 0) {
        res.set_redirect("/wpad.dat");
      } else {
        res.set_redirect("/hop/" + std::to_string(n - 1), 302);
      }
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~origin() {
    server_.stop();
    thread_.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

bool has_finding(const fetch_result& r, const std::string& needle) {
  for (const auto& f : r.findings) {
    if (f.message.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a 200 with the PAC MIME type is usable and keeps its validators") {
  origin o;
  auto r = fetch_pac(o.url("/wpad.dat"));
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK(r->usable());
  CHECK(r->findings.empty());
  CHECK(r->body == pac_text);
  CHECK(r->etag == "\"v1\"");
  CHECK(r->content_type == pac_mime);
  CHECK(r->final_url == o.url("/wpad.dat"));
}

TEST_CASE("a non-200 status is unusable and has no body") {
  origin o;
  auto r = fetch_pac(o.url("/missing.dat"));
  REQUIRE(r.has_value());
  CHECK(r->status == 404);
  CHECK_FALSE(r->usable());
  CHECK(r->body.empty());
  CHECK(has_finding(*r, "HTTP status 404"));
}

TEST_CASE("an HTML page is rejected and named as such") {
  origin o;
  auto r = fetch_pac(o.url("/portal"));
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK_FALSE(r->usable());
  CHECK(has_finding(*r, "looks like HTML"));
}

TEST_CASE("an empty body is unusable") {
  origin o;
  auto r = fetch_pac(o.url("/empty.pac"));
  REQUIRE(r.has_value());
  CHECK_FALSE(r->usable());
  CHECK(has_finding(*r, "empty"));
}

TEST_CASE("a wrong MIME type or charset is a warning, not a failure") {
  origin o;
  auto r = fetch_pac(o.url("/text.pac"));
  REQUIRE(r.has_value());
  CHECK(r->usable());
  CHECK(r->body == pac_text);
  CHECK(has_finding(*r, "Firefox expects"));
  CHECK(has_finding(*r, "utf-16"));
}

TEST_CASE("redirects are followed, recorded and limited") {
  origin o;
  SECTION("within the limit") {
    auto r = fetch_pac(o.url("/hop/2"));
    REQUIRE(r.has_value());
    CHECK(r->usable());
    CHECK(r->redirects.size() == 3);
    CHECK(r->final_url == o.url("/wpad.dat"));
  }
  SECTION("past the limit") {
    fetch_options opt;
    opt.max_redirects = 2;
    auto r = fetch_pac(o.url("/hop/5"), opt);
    REQUIRE(r.has_value());
    CHECK_FALSE(r->usable());
    CHECK(has_finding(*r, "more than 2 redirects"));
  }
}

TEST_CASE("a body over the limit is refused with errc::limit") {
  origin o;
  auto r = fetch_pac(o.url("/big.pac"));
  REQUIRE(r.has_error());
  CHECK(r.error().is(errc::limit));
}

TEST_CASE("a conditional fetch reports not-modified") {
  origin o;
  fetch_options opt;
  opt.if_none_match = "\"v1\"";
  auto r = fetch_pac(o.url("/etag.dat"), opt);
  REQUIRE(r.has_value());
  CHECK(r->not_modified);
  CHECK(r->usable());
}

TEST_CASE("connection failures and bad URLs are errors") {
  SECTION("refused") {
    // Bind a port and close it again: nothing listens there a moment later.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) == 0);
    ::close(fd);
    const int port = ntohs(sa.sin_port);
    auto r = fetch_pac("http://127.0.0.1:" + std::to_string(port) + "/wpad.dat");
    REQUIRE(r.has_error());
    CHECK(r.error().is(errc::http));
  }
  SECTION("unsupported scheme") {
    auto r = fetch_pac("ftp://example.test/wpad.dat");
    REQUIRE(r.has_error());
    CHECK(r.error().is(errc::unsupported));
  }
  SECTION("missing file") {
    auto r = fetch_pac("file:///nonexistent/wpadkit/proxy.pac");
    REQUIRE(r.has_error());
    CHECK(r.error().is(errc::io));
    CHECK(r.error().where == "/nonexistent/wpadkit/proxy.pac");
  }
}

TEST_CASE("file URLs and plain paths are read with the same checks") {
  char path[] = "/tmp/wpadkit-fetch-XXXXXX";
  const int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::close(fd);
  std::ofstream(path) << pac_text;
  auto by_url = fetch_pac(std::string("file://") + path);
  auto by_path = fetch_pac(path);
  std::remove(path);
  REQUIRE(by_url.has_value());
  REQUIRE(by_path.has_value());
  CHECK(by_url->usable());
  CHECK(by_url->body == pac_text);
  CHECK(by_path->body == pac_text);
}
