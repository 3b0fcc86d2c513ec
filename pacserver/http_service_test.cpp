#include "pacserver/http_service.hpp"

#include <httplib.h>

#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "pacserver/http_server.hpp"

using namespace wpadkit::pacserver;

TEST_CASE("http: Accept-Encoding gzip detection") {
  auto [header, yes] = GENERATE(table<std::string, bool>({
      {"gzip", true},
      {"deflate, gzip;q=1.0, *;q=0.5", true},
      {"GZIP", true},
      {"x-gzip", true},
      {"gzip;q=0", false},
      {"gzip; q=0.0", false},
      {"br, deflate", false},
      {"", false},
  }));
  CHECK(accepts_gzip(header) == yes);
}

TEST_CASE("http: If-None-Match lists") {
  CHECK(etag_listed("\"abc\"", "\"abc\""));
  CHECK(etag_listed("\"x\", W/\"abc\"", "\"abc\""));
  CHECK(etag_listed("*", "\"abc\""));
  CHECK_FALSE(etag_listed("\"abcd\"", "\"abc\""));
}

TEST_CASE("http: dates round-trip in IMF-fixdate") {
  const auto t = std::chrono::system_clock::from_time_t(784111777);
  CHECK(http_date(t) == "Sun, 06 Nov 1994 08:49:37 GMT");
  CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == t);
  CHECK_FALSE(parse_http_date("yesterday"));
}

TEST_CASE("http: gzip output is a gzip stream, hashes are stable") {
  const auto z = gzip("function FindProxyForURL(u, h) { return \"DIRECT\"; }");
  REQUIRE(z.size() > 10);
  CHECK(static_cast<unsigned char>(z[0]) == 0x1f);
  CHECK(static_cast<unsigned char>(z[1]) == 0x8b);
  CHECK(content_hash("abc", 16) == "ba7816bf8f01cfea");
}

namespace {

std::shared_ptr<const publication> publish_config(const std::string& proxy,
                                                  const publication* previous = nullptr) {
  auto config = std::make_shared<const server_config>(parse_config(R"(
[server]
allowed_clients = ["127.0.0.0/8"]
[[proxies]]
name = "main"
address = ")" + proxy + R"("
[rulesets.default]
default = ["main", "DIRECT"]
[[variants]]
name = "guest"
template = "sinkhole"
match_user_agents = ["Guest"]
[[variants]]
name = "default"
template = "corporate"
)",
                                                                   "svc.toml", ".")
                                                          .value());
  auto built = build_publication(config, previous, std::chrono::system_clock::now());
  REQUIRE(built.errors.empty());
  return built.pub;
}

// An http_service behind an http_server on a real loopback socket, driven by the cpp-httplib
// client (the client pactool fetch and the WPAD fetcher use).
struct running_service {
  http_service service;
  std::unique_ptr<http_server> server;
  int port = -1;

  explicit running_service(std::shared_ptr<const publication> pub)
      : service(std::move(pub), access_log::open("off").value()) {
    limits_config limits;
    limits.threads = 2;
    server = http_server::bind({listen_address{"127.0.0.1", 0}}, limits, service).value();
    port = server->addresses().at(0).port;
    server->start().value();
  }
};

service_request get(std::string_view path, const boost::beast::http::fields& f,
                    std::string_view method = "GET") {
  return {method, path, "wpad.test", "127.0.0.1", &f};
}

}  // namespace

TEST_CASE("http: the service answers the cpp-httplib client") {
  running_service rs(publish_config("p1.example:3128"));
  REQUIRE(rs.port > 0);
  httplib::Client cli("127.0.0.1", rs.port);
  cli.set_decompress(false);

  auto r = cli.Get("/wpad.dat", {{"Accept-Encoding", "identity"}});
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->get_header_value("Content-Type") ==
        "application/x-ns-proxy-autoconfig; charset=us-ascii");
  CHECK(r->get_header_value("X-Pac-Variant") == "default");
  CHECK(r->body.find("PROXY p1.example:3128; DIRECT") != std::string::npos);
  const auto etag = r->get_header_value("ETag");

  SECTION("304 on If-None-Match, HEAD without body, gzip when asked") {
    auto nm = cli.Get("/wpad.dat", {{"If-None-Match", etag}});
    REQUIRE(nm);
    CHECK(nm->status == 304);
    CHECK(nm->body.empty());
    auto head = cli.Head("/proxy.pac", {{"Accept-Encoding", "identity"}});
    REQUIRE(head);
    CHECK(head->status == 200);
    CHECK(head->body.empty());
    CHECK(head->get_header_value("ETag") == etag);
    auto gz = cli.Get("/wpad.dat", {{"Accept-Encoding", "gzip"}});
    REQUIRE(gz);
    CHECK(gz->get_header_value("Content-Encoding") == "gzip");
    CHECK(gz->get_header_value("ETag") != etag);
  }
  SECTION("variant by User-Agent, 404 for unknown paths") {
    auto g = cli.Get("/wpad.dat", {{"User-Agent", "Guest/1.0"}});
    REQUIRE(g);
    CHECK(g->get_header_value("X-Pac-Variant") == "guest");
    auto nf = cli.Get("/nothing");
    REQUIRE(nf);
    CHECK(nf->status == 404);
  }
  SECTION("publish() swaps the version served") {
    rs.service.publish(publish_config("p2.example:3128", rs.service.current().get()));
    auto r2 = cli.Get("/wpad.dat", {{"If-None-Match", etag}, {"Accept-Encoding", "identity"}});
    REQUIRE(r2);
    CHECK(r2->status == 200);
    CHECK(r2->body.find("PROXY p2.example:3128; DIRECT") != std::string::npos);
    CHECK(rs.service.current()->generation == 2);
  }
  SECTION("publish() with a log logs there from then on; without one the log stays") {
    const auto path = std::filesystem::temp_directory_path() /
                      ("wpadkit-http-log-" + std::to_string(::getpid()));
    std::filesystem::remove(path);
    rs.service.publish(publish_config("p2.example:3128", rs.service.current().get()),
                       access_log::open(path.string()).value());
    REQUIRE(cli.Get("/wpad.dat"));
    rs.service.publish(publish_config("p3.example:3128", rs.service.current().get()));
    REQUIRE(cli.Get("/proxy.pac"));
    // A line is written just after its response is sent: wait for both.
    std::string text;
    for (int i = 0; i < 500 && std::count(text.begin(), text.end(), '\n') < 2; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      std::ifstream in(path);
      text.assign(std::istreambuf_iterator<char>(in), {});
    }
    std::filesystem::remove(path);
    CHECK(text.find("path=\"/wpad.dat\"") != std::string::npos);
    CHECK(text.find("path=\"/proxy.pac\"") != std::string::npos);
  }
}

TEST_CASE("http: respond() routes, refuses other methods, and serves variants by name") {
  http_service service(publish_config("p1.example:3128"), access_log::open("off").value());
  boost::beast::http::fields none;
  auto r = service.respond(get("/wpad.dat", none));
  CHECK(r.result_int() == 200);
  CHECK(r["X-Pac-Variant"] == "default");
  CHECK(service.respond(get("/proxy.pac", none)).result_int() == 200);
  CHECK(service.respond(get("/guest.pac", none))["X-Pac-Variant"] == "guest");
  auto missing = service.respond(get("/nosuch.pac", none));
  CHECK(missing.result_int() == 404);
  CHECK(missing.body().find("nosuch") != std::string::npos);
  CHECK(service.respond(get("/index.html", none)).result_int() == 404);
  CHECK(service.respond(get("/wpad.dat.pac", none)).result_int() == 404);
  CHECK(service.respond(get("/healthz", none)).body() == "ok generation=1\n");
  auto post = service.respond(get("/wpad.dat", none, "POST"));
  CHECK(post.result_int() == 405);
  CHECK(post[boost::beast::http::field::allow] == "GET, HEAD");
  CHECK(service.respond(get("/wpad.dat", none, "HEAD")).result_int() == 200);
}

TEST_CASE("http: repeated fields are one list (RFC 9110 section 5.3)") {
  boost::beast::http::fields f;
  f.insert(boost::beast::http::field::if_none_match, "\"x\"");
  f.insert(boost::beast::http::field::user_agent, "t");
  f.insert(boost::beast::http::field::if_none_match, "\"y\"");
  const service_request req = get("/wpad.dat", f);
  CHECK(req.field(boost::beast::http::field::if_none_match) == "\"x\", \"y\"");
  CHECK(req.field(boost::beast::http::field::accept) == "");
  CHECK_FALSE(req.has(boost::beast::http::field::accept));
  // An ETag in the second If-None-Match line still validates.
  http_service service(publish_config("p1.example:3128"), access_log::open("off").value());
  boost::beast::http::fields none;
  const std::string etag(service.respond(get("/wpad.dat", none))[boost::beast::http::field::etag]);
  boost::beast::http::fields two;
  two.insert(boost::beast::http::field::if_none_match, "\"other\"");
  two.insert(boost::beast::http::field::if_none_match, etag);
  CHECK(service.respond(get("/wpad.dat", two)).result_int() == 304);
}
