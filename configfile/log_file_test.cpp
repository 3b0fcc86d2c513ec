#include "configfile/log_file.hpp"

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using namespace wpadkit;
using namespace wpadkit::configfile;
namespace fs = std::filesystem;

namespace {

// A fresh directory in the temp dir, removed with everything in it at the end of the test.
struct temp_dir {
  fs::path path;
  explicit temp_dir(const std::string& name)
      : path(fs::temp_directory_path() /
             ("wpadkit-logfile-" + std::to_string(::getpid()) + "-" + name)) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::vector<std::string> lines_of(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("log_file: a reopen after a rename sends the next lines to a new file at the path") {
  temp_dir dir("rename");
  const auto path = dir.path / "access.log";
  auto log = log_file::open(path.string());
  REQUIRE(log.has_value());
  (*log)->write_line("one");
  fs::rename(path, dir.path / "access.log.1");
  (*log)->write_line("two");  // still the renamed file: nothing told us yet
  REQUIRE((*log)->reopen().has_value());
  (*log)->write_line("three");
  CHECK(lines_of(dir.path / "access.log.1") == std::vector<std::string>{"one", "two"});
  CHECK(lines_of(path) == std::vector<std::string>{"three"});
}

TEST_CASE("log_file: a reopen that fails names the path and keeps writing to the old file") {
  temp_dir dir("fails");
  const auto path = dir.path / "access.log";
  auto log = log_file::open(path.string());
  REQUIRE(log.has_value());
  (*log)->write_line("before");
  fs::rename(path, dir.path / "access.log.1");
  // A directory where the log should be: opening it for writing fails even as root.
  fs::create_directory(path);
  auto ok = (*log)->reopen();
  REQUIRE_FALSE(ok.has_value());
  CHECK(ok.error().is(errc::io));
  CHECK(ok.error().where == path.string());
  CHECK(ok.error().message == "cannot reopen the access log: Is a directory");
  (*log)->write_line("after");
  CHECK(lines_of(dir.path / "access.log.1") == std::vector<std::string>{"before", "after"});
}

TEST_CASE("log_file: open names the path and the reason") {
  temp_dir dir("open");
  auto log = log_file::open((dir.path / "missing" / "access.log").string());
  REQUIRE_FALSE(log.has_value());
  CHECK(log.error().where == (dir.path / "missing" / "access.log").string());
  CHECK(log.error().message == "cannot open the access log: No such file or directory");
}

TEST_CASE("log_file: a stream is not reopened") {
  auto log = log_file::stream(STDERR_FILENO);
  CHECK(log->reopen().has_value());
  CHECK(log->path() == "-");
}

TEST_CASE("log_file: lines written while it is reopened are neither torn nor lost") {
  temp_dir dir("concurrent");
  const auto path = dir.path / "access.log";
  auto opened = log_file::open(path.string());
  REQUIRE(opened.has_value());
  log_file& log = **opened;
  constexpr int writers = 4;
  constexpr int per_writer = 2000;
  const std::string payload(300, 'x');  // long enough that a torn line would show
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < per_writer; ++i) {
        log.write_line("w" + std::to_string(w) + " i" + std::to_string(i) + " " + payload);
      }
    });
  }
  int rotations = 0;
  bool reopen_failed = false;  // Catch2's assertions are not for other threads
  std::thread rotator([&] {
    while (!done) {
      fs::rename(path, dir.path / ("access.log." + std::to_string(++rotations)));
      reopen_failed = reopen_failed || !log.reopen();
      std::this_thread::yield();
    }
  });
  for (auto& t : threads) t.join();
  done = true;
  rotator.join();
  CHECK_FALSE(reopen_failed);
  CHECK(rotations > 0);
  std::vector<int> next(writers, 0);  // each writer's lines arrive in order, once each
  std::size_t total = 0;
  // The files in the order they were written: access.log.1, .2, ..., then access.log.
  for (int r = 1; r <= rotations + 1; ++r) {
    const auto file = r <= rotations ? dir.path / ("access.log." + std::to_string(r)) : path;
    for (const auto& line : lines_of(file)) {
      int w = -1;
      int i = -1;
      char rest[512] = {};
      REQUIRE(std::sscanf(line.c_str(), "w%d i%d %511s", &w, &i, rest) == 3);
      REQUIRE(w >= 0);
      REQUIRE(w < writers);
      CHECK(i == next[static_cast<std::size_t>(w)]++);
      CHECK(std::string(rest) == payload);
      ++total;
    }
  }
  CHECK(total == std::size_t{writers} * per_writer);
}
