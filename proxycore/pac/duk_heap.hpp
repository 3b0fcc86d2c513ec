#pragma once
// pac::duk_heap — one Duktape heap, owned (RAII), with the two bounds every PAC call runs under: a
// memory cap enforced by our allocator and a deadline enforced by Duktape's exec-timeout hook
// (cmake/duk_exec_timeout.c). It is also the one place where a Duktape error becomes a wpadkit::error.
//
// Duktape reports errors by longjmp. Everything that can throw runs inside safe_call(), whose callee
// is a plain function that keeps no C++ object with a destructor alive across duk_* calls; the value
// stack is balanced by the callers (safe_call leaves exactly `nrets` values, success or not).
//
// A heap belongs to one thread at a time. Not copyable; movable (the udata block stays put).
#include <chrono>
#include <cstddef>
#include <memory>

#include "proxycore/base/error.hpp"
#include "proxycore/pac/pac_environment.hpp"

extern "C" {
#include "duktape.h"
}

namespace wpadkit::pac {

// The heap's udata. Duktape's hooks read the first two members through the C struct
// wpadkit_duk_udata_head (cmake/duk_exec_timeout.c): keep them first and in this order.
struct heap_udata {
  int (*exec_timeout_check)(void* udata) = nullptr;
  double (*date_now)(void* udata) = nullptr;  // ms since the epoch; null: the system clock

  std::size_t allocated = 0;  // bytes handed to Duktape, headers included
  std::size_t limit = 0;      // allocation past this fails (Duktape then throws RangeError)
  bool limit_hit = false;     // an allocation was refused since the last begin()

  bool deadline_armed = false;
  bool timed_out = false;  // the hook fired since the last begin()
  std::chrono::steady_clock::time_point deadline{};

  const clock* time = nullptr;  // what `new Date()` reads; null: the system clock
  void* owner = nullptr;        // the bindings' state (pac_builtins.hpp)
};

class duk_heap {
 public:
  // Creates a heap capped at `memory_limit` bytes. Errors: pac_memory if even the empty heap
  // does not fit.
  static result<duk_heap> create(std::size_t memory_limit);

  duk_heap(duk_heap&&) noexcept;
  duk_heap& operator=(duk_heap&&) noexcept;
  ~duk_heap();

  duk_context* ctx() const noexcept { return ctx_; }
  heap_udata& udata() const noexcept { return *udata_; }

  // The clock scripts see through Date (null: the system clock). `c` must outlive the heap.
  void set_clock(const clock* c) noexcept { udata_->time = c; }

  // Starts a bounded operation: clears the timeout and memory flags, arms the deadline.
  void begin(std::chrono::milliseconds time_limit);
  // Disarms the deadline.
  void end();

  // duk_safe_call with the stack discipline described above. Returns true on success; on failure
  // the error value is the (single) value left on top (nrets must then be 1 for the caller to read
  // it with take_error, or the caller pops nrets values).
  bool safe_call(duk_safe_call_function fn, void* arg, duk_idx_t nargs, duk_idx_t nrets);

  // Pops the error value on top of the stack and turns it into our taxonomy: pac_timeout if the
  // deadline fired (also while describing the value), pac_memory if the cap was hit, otherwise
  // `kind`. The message is the JavaScript String(error) (at most 4 KiB); the line is the error's
  // lineNumber (or the "(line N)" Duktape puts in messages). Reading these may run the script's own
  // code (a thrown object's toString, a getter), so it runs under the deadline of the last begin().
  error take_error(errc kind, const std::string& where);

 private:
  // take_error's steps: [v] -> [v piece], the piece being what fn leaves from a copy of v, or
  // undefined (and false) if fn threw.
  bool describe(duk_safe_call_function fn, void* arg);

  duk_heap(duk_context* ctx, std::unique_ptr<heap_udata> u) : ctx_(ctx), udata_(std::move(u)) {}
  duk_context* ctx_ = nullptr;
  std::unique_ptr<heap_udata> udata_;
};

}  // namespace wpadkit::pac
