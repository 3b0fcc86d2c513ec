#include "proxycore/forward/proxy_chooser.hpp"

#include <catch2/catch.hpp>

using namespace wpadkit::forward;
using namespace std::chrono_literals;

namespace {

class test_clock final : public steady_clock_source {
 public:
  std::chrono::steady_clock::time_point now() const override { return now_; }
  void advance(std::chrono::milliseconds d) { now_ += d; }

 private:
  std::chrono::steady_clock::time_point now_{};
};

std::vector<std::string> reorder(const proxy_chooser& c, const std::vector<std::string>& keys) {
  std::vector<std::string> out;
  for (auto i : c.order(keys)) out.push_back(keys[i]);
  return out;
}

}  // namespace

TEST_CASE("a failed proxy moves to the end of the list for the retry delay") {
  auto clock = std::make_shared<test_clock>();
  proxy_chooser c(300s, clock);
  const std::vector<std::string> list = {"PROXY a:1", "PROXY b:1", "SOCKS5 c:1", "DIRECT"};
  CHECK(reorder(c, list) == list);

  c.mark_bad("PROXY a:1");
  CHECK(c.bad_count() == 1);
  CHECK(reorder(c, list) == std::vector<std::string>{"PROXY b:1", "SOCKS5 c:1", "DIRECT", "PROXY a:1"});

  SECTION("it comes back when the delay has passed") {
    clock->advance(299s);
    CHECK(c.is_bad("PROXY a:1"));
    clock->advance(1s);
    CHECK_FALSE(c.is_bad("PROXY a:1"));
    CHECK(c.bad_count() == 0);
    CHECK(reorder(c, list) == list);
  }
  SECTION("a success clears it at once") {
    c.mark_good("PROXY a:1");
    CHECK(reorder(c, list) == list);
  }
  SECTION("bad ones keep their PAC order among themselves; all bad are still tried") {
    c.mark_bad("SOCKS5 c:1");
    c.mark_bad("PROXY b:1");
    CHECK(reorder(c, list) ==
          std::vector<std::string>{"DIRECT", "PROXY a:1", "PROXY b:1", "SOCKS5 c:1"});
    CHECK(reorder(c, {"PROXY b:1", "PROXY a:1"}) == std::vector<std::string>{"PROXY b:1", "PROXY a:1"});
  }
  SECTION("marking again restarts the delay") {
    clock->advance(200s);
    c.mark_bad("PROXY a:1");
    clock->advance(200s);
    CHECK(c.is_bad("PROXY a:1"));
  }
}

TEST_CASE("DIRECT is never marked bad") {
  proxy_chooser c(300s, std::make_shared<test_clock>());
  c.mark_bad("DIRECT");
  CHECK_FALSE(c.is_bad("DIRECT"));
  CHECK(c.bad_count() == 0);
}
