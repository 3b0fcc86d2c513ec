#pragma once
// progress — "N/M" on stderr for long runs over big URL lists, only when stderr is a terminal.
#include <cstdio>

#include "pactool/output.hpp"

namespace pactool {

class progress {
 public:
  explicit progress(std::size_t total) : total_(total), on_(total >= 2000 && stderr_is_terminal()) {}
  ~progress() {
    if (on_ && shown_) std::fprintf(stderr, "\r%*s\r", 40, "");
  }
  void step(std::size_t done) {
    if (!on_ || done % 500 != 0) return;
    std::fprintf(stderr, "\r%zu/%zu", done, total_);
    shown_ = true;
  }

 private:
  std::size_t total_;
  bool on_;
  bool shown_ = false;
};

}  // namespace pactool
