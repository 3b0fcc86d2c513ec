// base::stack_thread — see stack_thread.hpp.
#include "proxycore/base/stack_thread.hpp"

#include <cstring>
#include <utility>

namespace wpadkit {

result<stack_thread> stack_thread::start(std::size_t stack_bytes, std::function<void()> fn,
                                         const std::string& name) {
  stack_thread t;
  t.fn_ = std::make_unique<std::function<void()>>(std::move(fn));
  pthread_attr_t attr;
  if (int rc = pthread_attr_init(&attr); rc != 0) {
    return error(errc::limit, std::string("cannot start a thread: ") + std::strerror(rc));
  }
  pthread_attr_setstacksize(&attr, stack_bytes);
  auto body = [](void* p) -> void* {
    (*static_cast<std::function<void()>*>(p))();
    return nullptr;
  };
  int rc = pthread_create(&t.thread_, &attr, body, t.fn_.get());
  pthread_attr_destroy(&attr);
  if (rc != 0) return error(errc::limit, std::string("cannot start a thread: ") + std::strerror(rc));
  t.running_ = true;
  // Best effort: a name is for people looking at the process, and its absence changes nothing else.
  if (!name.empty()) pthread_setname_np(t.thread_, name.substr(0, 15).c_str());
  return t;
}

stack_thread::stack_thread(stack_thread&& other) noexcept
    : thread_(other.thread_), running_(std::exchange(other.running_, false)), fn_(std::move(other.fn_)) {}

stack_thread& stack_thread::operator=(stack_thread&& other) noexcept {
  if (this != &other) {
    join();
    thread_ = other.thread_;
    running_ = std::exchange(other.running_, false);
    fn_ = std::move(other.fn_);
  }
  return *this;
}

stack_thread::~stack_thread() { join(); }

void stack_thread::join() {
  if (!running_) return;
  pthread_join(thread_, nullptr);
  running_ = false;
  fn_.reset();
}

}  // namespace wpadkit
