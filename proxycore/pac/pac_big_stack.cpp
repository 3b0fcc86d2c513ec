// pac::detail::run_on_big_stack — see pac_big_stack.hpp.
#include "proxycore/pac/pac_big_stack.hpp"

#include <pthread.h>

#include <cstddef>

namespace wpadkit::pac::detail {
namespace {

constexpr std::size_t compile_stack_bytes = 256u * 1024 * 1024;

}  // namespace

void run_on_big_stack(std::function<void()> fn) {
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return fn();
  pthread_attr_setstacksize(&attr, compile_stack_bytes);
  pthread_t th;
  auto body = [](void* p) -> void* {
    (*static_cast<std::function<void()>*>(p))();
    return nullptr;
  };
  int rc = pthread_create(&th, &attr, body, &fn);
  pthread_attr_destroy(&attr);
  if (rc != 0) return fn();
  pthread_join(th, nullptr);
}

}  // namespace wpadkit::pac::detail
