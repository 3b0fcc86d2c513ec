#include "proxycore/forward/stream.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// A connected loopback pair: `ours` wrapped in a forward::stream, `peer` a plain socket.
struct pair {
  asio::io_context ctx;
  tcp::acceptor acceptor{ctx, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  tcp::socket peer{ctx};
  std::unique_ptr<wpadkit::forward::stream> ours;

  pair() {
    tcp::socket s(ctx);
    s.connect(acceptor.local_endpoint());
    acceptor.accept(peer);
    ours = std::make_unique<wpadkit::forward::stream>(std::move(s));
  }
};

}  // namespace

TEST_CASE("stream: a read still pending at its deadline completes with timeout", "[stream]") {
  pair p;
  char byte = 0;
  boost::system::error_code result;
  bool done = false;
  p.ours->expires_after(30ms);
  p.ours->async_read_some(asio::buffer(&byte, 1), [&](boost::system::error_code ec, std::size_t) {
    result = ec;
    done = true;
  });
  p.ctx.run_for(2s);
  REQUIRE(done);
  CHECK(result == boost::beast::error::timeout);
  // The connection stays usable: a 408 can still be written on it.
  boost::system::error_code wec;
  asio::write(p.ours->socket(), asio::buffer("x", 1), wec);
  CHECK_FALSE(wec);
}

TEST_CASE("stream: a deadline pushed back before it passes does not fire", "[stream]") {
  pair p;
  char byte = 0;
  boost::system::error_code result = asio::error::would_block;
  p.ours->expires_after(50ms);
  p.ours->expires_after(10s);  // later: the first wait wakes up, sees the new time, sleeps again
  p.ours->async_read_some(asio::buffer(&byte, 1), [&](boost::system::error_code ec, std::size_t) { result = ec; });
  asio::steady_timer writer(p.ctx, 150ms);
  writer.async_wait([&](boost::system::error_code) { asio::write(p.peer, asio::buffer("y", 1)); });
  p.ctx.run_for(2s);
  CHECK_FALSE(result);
  CHECK(byte == 'y');
}

TEST_CASE("stream: an earlier deadline replaces a later one", "[stream]") {
  pair p;
  char byte = 0;
  boost::system::error_code result;
  p.ours->expires_after(10s);
  p.ours->expires_after(30ms);
  auto started = std::chrono::steady_clock::now();
  p.ours->async_read_some(asio::buffer(&byte, 1), [&](boost::system::error_code ec, std::size_t) { result = ec; });
  p.ctx.run_for(5s);
  CHECK(result == boost::beast::error::timeout);
  CHECK(std::chrono::steady_clock::now() - started < 5s);
}

TEST_CASE("stream: expires_never leaves operations without a deadline", "[stream]") {
  pair p;
  char byte = 0;
  boost::system::error_code result = asio::error::would_block;
  p.ours->expires_after(20ms);
  p.ours->expires_never();
  p.ours->async_read_some(asio::buffer(&byte, 1), [&](boost::system::error_code ec, std::size_t) { result = ec; });
  asio::steady_timer writer(p.ctx, 100ms);
  writer.async_wait([&](boost::system::error_code) { asio::write(p.peer, asio::buffer("z", 1)); });
  p.ctx.run_for(2s);
  CHECK_FALSE(result);
  CHECK(byte == 'z');
}

TEST_CASE("stream: destroying it with its deadline pending is safe", "[stream]") {
  pair p;
  p.ours->expires_after(20ms);
  p.ours.reset();
  // The timer's handler runs after the stream is gone (a use after free would show under ASan).
  CHECK(p.ctx.run_for(200ms) >= 1);
}
