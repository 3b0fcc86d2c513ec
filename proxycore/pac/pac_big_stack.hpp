#pragma once
// pac::detail::run_on_big_stack — runs a function on a thread with a large stack and waits for it.
// Duktape's compiler recurses once per nesting level and per `||` term of a generated PAC
// (DUK_USE_COMPILER_RECLIMIT in cmake/duk_config_overrides.h), and so do bytecode dump and load
// (once per nested function). Internal to the engine.
#include <functional>

namespace wpadkit::pac::detail {

// The stack is reserved address space, committed only as touched. If no such thread can be made,
// `fn` runs on the caller's stack.
void run_on_big_stack(std::function<void()> fn);

}  // namespace wpadkit::pac::detail
