// Tests for pactool's PAC file watch: the once-a-second check reloads a file whose mtime or size
// changed and leaves an unchanged one alone (only SIGHUP, reload(), forces it). The check is called
// directly, so no test waits for a timer.
#include "pactool/proxy_pac_watch.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "proxycore/dns/fixed_resolver.hpp"

using namespace wpadkit;

namespace {

forward::pac_decisions_options options() {
  forward::pac_decisions_options o;
  o.env.resolver = std::make_shared<dns::fixed_resolver>();
  o.env.local = pac::fixed_local_addresses({});
  o.threads = 1;
  return o;
}

std::string pac_returning(const std::string& route) {
  return "function FindProxyForURL(url, host) { return \"" + route + "\"; }\n";
}

void write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

// Sets the file's modification time to `ts`, so a rewrite of the same size looks unchanged.
void set_mtime(const std::filesystem::path& p, const timespec& ts) {
  timespec times[2] = {ts, ts};
  REQUIRE(::utimensat(AT_FDCWD, p.c_str(), times, 0) == 0);
}

struct temp_file {
  std::filesystem::path path;
  temp_file() {
    char name[] = "/tmp/wpadkit-watch-XXXXXX";
    int fd = ::mkstemp(name);
    REQUIRE(fd >= 0);
    ::close(fd);
    path = name;
  }
  ~temp_file() { std::filesystem::remove(path); }
};

}  // namespace

TEST_CASE("pac file watch: a check reloads a changed file and leaves an unchanged one alone") {
  temp_file f;
  write(f.path, pac_returning("PROXY a:1"));
  forward::pac_decisions d(options());
  auto watch = pactool::make_file_watch(f.path.string(), d, 1 << 20);
  REQUIRE(watch->start());
  REQUIRE(d.version() == 1);
  struct stat st {};
  REQUIRE(::stat(f.path.c_str(), &st) == 0);

  SECTION("same size and mtime: not reloaded by the check, reloaded by SIGHUP") {
    write(f.path, pac_returning("PROXY b:1"));
    set_mtime(f.path, st.st_mtim);
    watch->tick();
    watch->tick();
    CHECK(d.version() == 1);
    watch->reload();
    CHECK(d.version() == 2);
  }
  SECTION("a new size: reloaded by the check") {
    write(f.path, pac_returning("PROXY longer.example:3128"));
    set_mtime(f.path, st.st_mtim);
    watch->tick();
    CHECK(d.version() == 2);
  }
  SECTION("a new mtime, same text: reloaded by the check") {
    timespec later = st.st_mtim;
    later.tv_sec += 10;
    set_mtime(f.path, later);
    watch->tick();
    CHECK(d.version() == 2);
  }
}
