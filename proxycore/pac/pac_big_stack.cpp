// pac::detail::run_on_big_stack — see pac_big_stack.hpp.
#include "proxycore/pac/pac_big_stack.hpp"

#include <cstddef>

#include "proxycore/base/stack_thread.hpp"

namespace wpadkit::pac::detail {
namespace {

constexpr std::size_t compile_stack_bytes = 256u * 1024 * 1024;

}  // namespace

void run_on_big_stack(std::function<void()> fn) {
  auto t = stack_thread::start(compile_stack_bytes, [&fn] { fn(); }, "pac-compile");
  if (!t) return fn();
  t->join();
}

}  // namespace wpadkit::pac::detail
