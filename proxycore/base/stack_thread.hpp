#pragma once
// base::stack_thread — a joinable thread with a stack of a chosen size, which std::thread cannot set.
// Threads that run Duktape need more than the default: its compiler, bytecode loader and native calls
// recurse in C (see proxycore/pac). The stack is reserved address space, committed only as touched.
#include <pthread.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "proxycore/base/error.hpp"

namespace wpadkit {

class stack_thread {
 public:
  // Starts `fn` on a new thread with `stack_bytes` of stack, named `name` where the system shows
  // thread names (top -H, ps -L, perf, /proc/PID/task/*/comm; Linux keeps 15 bytes). Errors:
  // errc::limit (the system refused the thread, e.g. EAGAIN), with the reason.
  static result<stack_thread> start(std::size_t stack_bytes, std::function<void()> fn,
                                    const std::string& name = {});

  stack_thread() = default;
  stack_thread(stack_thread&& other) noexcept;
  stack_thread& operator=(stack_thread&& other) noexcept;
  stack_thread(const stack_thread&) = delete;
  stack_thread& operator=(const stack_thread&) = delete;
  ~stack_thread();  // joins

  bool joinable() const noexcept { return running_; }
  void join();

 private:
  pthread_t thread_{};
  bool running_ = false;
  std::unique_ptr<std::function<void()>> fn_;  // outlives the thread: freed after join
};

}  // namespace wpadkit
