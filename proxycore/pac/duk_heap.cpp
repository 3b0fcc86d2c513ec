// pac::duk_heap — see duk_heap.hpp. The allocator keeps a 16-byte header holding each block's size so
// that realloc/free can account exactly; refusing an allocation makes Duktape run an emergency GC and
// retry, and only then throw, so a refused block means the script really is over its cap.
#include "proxycore/pac/duk_heap.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

extern "C" void wpadkit_duk_set_active(void* udata);  // cmake/duk_exec_timeout.c

namespace wpadkit::pac {
namespace {

constexpr std::size_t header_bytes = 16;  // keeps max_align_t alignment of the returned pointer

heap_udata& u_of(void* udata) { return *static_cast<heap_udata*>(udata); }

void* capped_alloc(void* udata, duk_size_t size) {
  heap_udata& u = u_of(udata);
  if (size == 0) return nullptr;
  // Once refused, refuse everything until the next begin(): otherwise a script just under its cap
  // makes every allocation run Duktape's emergency GC and crawls to the time limit instead.
  if (u.limit_hit || size > u.limit || u.allocated + size + header_bytes > u.limit) {
    u.limit_hit = true;
    return nullptr;
  }
  auto* block = static_cast<unsigned char*>(std::malloc(size + header_bytes));
  if (block == nullptr) return nullptr;
  std::memcpy(block, &size, sizeof size);
  u.allocated += size + header_bytes;
  return block + header_bytes;
}

void capped_free(void* udata, void* ptr) {
  if (ptr == nullptr) return;
  auto* block = static_cast<unsigned char*>(ptr) - header_bytes;
  std::size_t size = 0;
  std::memcpy(&size, block, sizeof size);
  u_of(udata).allocated -= size + header_bytes;
  std::free(block);
}

void* capped_realloc(void* udata, void* ptr, duk_size_t size) {
  if (ptr == nullptr) return capped_alloc(udata, size);
  if (size == 0) {
    capped_free(udata, ptr);
    return nullptr;
  }
  heap_udata& u = u_of(udata);
  auto* block = static_cast<unsigned char*>(ptr) - header_bytes;
  std::size_t old_size = 0;
  std::memcpy(&old_size, block, sizeof old_size);
  if (size > old_size &&
      (u.limit_hit || size > u.limit || u.allocated - old_size + size + header_bytes > u.limit)) {
    u.limit_hit = true;
    return nullptr;
  }
  auto* grown = static_cast<unsigned char*>(std::realloc(block, size + header_bytes));
  if (grown == nullptr) return nullptr;
  std::memcpy(grown, &size, sizeof size);
  u.allocated = u.allocated - old_size + size;
  return grown + header_bytes;
}

// Reached only on an error outside any protected call, which our call discipline rules out.
[[noreturn]] void fatal_handler(void*, const char* msg) {
  std::fprintf(stderr, "wpadkit: Duktape fatal error: %s\n", msg != nullptr ? msg : "(none)");
  std::abort();
}

int deadline_check(void* udata) {
  heap_udata& u = u_of(udata);
  if (!u.deadline_armed) return 0;
  if (u.timed_out || std::chrono::steady_clock::now() >= u.deadline) {
    u.timed_out = true;  // stays set: a script that catches the RangeError is interrupted again
    return 1;
  }
  return 0;
}

double date_now(void* udata) {
  const clock* c = u_of(udata).time;
  auto now = c != nullptr ? c->now() : std::chrono::system_clock::now();
  return static_cast<double>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
}

// Safe-call bodies that describe a thrown value, one piece each so that a piece that throws loses only
// itself. Each takes [value] and leaves [piece]; no C++ objects with destructors.
// String(value): may run the script's toString/valueOf (or a Proxy's traps).
duk_ret_t describe_text(duk_context* ctx, void*) {
  duk_to_string(ctx, -1);
  return 1;
}

// value[name] for an object (may run a getter, e.g. a thrown object's own `stack`); else undefined.
duk_ret_t describe_property(duk_context* ctx, void* name) {
  if (duk_is_object(ctx, -1)) {
    duk_get_prop_string(ctx, -1, static_cast<const char*>(name));
  } else {
    duk_push_undefined(ctx);
  }
  return 1;
}

// A thrown value's String() longer than this is cut (it ends up in one-line messages and 502 bodies).
constexpr std::size_t max_message_bytes = 4096;

// Duktape's compiler errors read "... (line N)"; find N.
std::optional<int> line_from_message(const std::string& msg) {
  auto pos = msg.rfind("(line ");
  if (pos == std::string::npos) return std::nullopt;
  int n = std::atoi(msg.c_str() + pos + 6);
  return n > 0 ? std::optional<int>(n) : std::nullopt;
}

// In a Duktape traceback ("    at f (name:12)"), the line of the first frame in `name`.
std::optional<int> line_in_stack(const std::string& stack, const std::string& name) {
  auto pos = stack.find("(" + name + ":");
  if (pos == std::string::npos) return std::nullopt;
  int n = std::atoi(stack.c_str() + pos + name.size() + 2);
  return n > 0 ? std::optional<int>(n) : std::nullopt;
}

}  // namespace

result<duk_heap> duk_heap::create(std::size_t memory_limit) {
  auto u = std::make_unique<heap_udata>();
  u->exec_timeout_check = &deadline_check;
  u->date_now = &date_now;
  u->limit = memory_limit;
  duk_context* ctx = duk_create_heap(&capped_alloc, &capped_realloc, &capped_free, u.get(), &fatal_handler);
  if (ctx == nullptr) {
    return error(errc::pac_memory, "cannot create a JavaScript heap within " +
                                       std::to_string(memory_limit) + " bytes");
  }
  return duk_heap(ctx, std::move(u));
}

duk_heap::duk_heap(duk_heap&& other) noexcept
    : ctx_(std::exchange(other.ctx_, nullptr)), udata_(std::move(other.udata_)) {}

duk_heap& duk_heap::operator=(duk_heap&& other) noexcept {
  if (this != &other) {
    if (ctx_ != nullptr) duk_destroy_heap(ctx_);
    ctx_ = std::exchange(other.ctx_, nullptr);
    udata_ = std::move(other.udata_);
  }
  return *this;
}

duk_heap::~duk_heap() {
  if (ctx_ != nullptr) duk_destroy_heap(ctx_);
}

void duk_heap::begin(std::chrono::milliseconds time_limit) {
  udata_->limit_hit = false;
  udata_->timed_out = false;
  udata_->deadline = std::chrono::steady_clock::now() + time_limit;
  udata_->deadline_armed = true;
  wpadkit_duk_set_active(udata_.get());
}

void duk_heap::end() {
  udata_->deadline_armed = false;
  wpadkit_duk_set_active(nullptr);
}

bool duk_heap::safe_call(duk_safe_call_function fn, void* arg, duk_idx_t nargs, duk_idx_t nrets) {
  return duk_safe_call(ctx_, fn, arg, nargs, nrets) == DUK_EXEC_SUCCESS;
}

bool duk_heap::describe(duk_safe_call_function fn, void* arg) {
  duk_dup(ctx_, -1);
  if (safe_call(fn, arg, 1, 1)) return true;
  duk_pop(ctx_);  // what describing threw: not described in turn
  duk_push_undefined(ctx_);
  return false;
}

error duk_heap::take_error(errc kind, const std::string& where) {
  // Describing the value runs script code as soon as the script threw an object of its own (its
  // toString, getters of lineNumber/fileName/stack, a Proxy's traps), so it runs under the deadline
  // of the operation that failed, never unbounded: a thrown {toString() { while (1) {} }} is then a
  // timeout, not a hang. If the deadline already fired, bytecode run here is interrupted at its first
  // check; Duktape's own errors are described by native code, which still runs.
  // The allocator gets a little room: the error object itself may be what filled the heap.
  const bool timed_out = udata_->timed_out;
  const bool limit_hit = udata_->limit_hit;
  udata_->limit_hit = false;
  const std::size_t saved_limit = udata_->limit;
  udata_->limit = saved_limit + saved_limit / 8 + 65536;
  udata_->deadline_armed = true;
  wpadkit_duk_set_active(udata_.get());

  std::optional<std::string> text;
  std::optional<int> line;
  std::string file;
  std::string stack;
  duk_size_t len = 0;
  if (describe(&describe_text, nullptr)) {
    const char* t = duk_get_lstring(ctx_, -1, &len);
    if (t != nullptr) {
      text.emplace(t, std::min<std::size_t>(len, max_message_bytes));
      if (len > max_message_bytes) *text += "...";
    }
  }
  duk_pop(ctx_);
  if (describe(&describe_property, const_cast<char*>("lineNumber")) && duk_is_number(ctx_, -1)) {
    double n = duk_get_number(ctx_, -1);
    if (n >= 1 && n < 1e9) line = static_cast<int>(n);
  }
  duk_pop(ctx_);
  if (describe(&describe_property, const_cast<char*>("fileName"))) {
    if (const char* f = duk_get_lstring(ctx_, -1, &len)) file.assign(f, len);
  }
  duk_pop(ctx_);
  if (describe(&describe_property, const_cast<char*>("stack"))) {
    if (const char* st = duk_get_lstring(ctx_, -1, &len)) stack.assign(st, len);
  }
  duk_pop_2(ctx_);  // the piece and the error value

  const bool timed_out_describing = !timed_out && udata_->timed_out;
  udata_->deadline_armed = false;
  udata_->timed_out = false;
  wpadkit_duk_set_active(nullptr);
  udata_->limit = saved_limit;
  udata_->limit_hit = false;

  std::string message = text ? std::move(*text) : std::string("an exception whose String() threw");
  if (!line) line = line_from_message(message);
  // An error thrown inside a helper (native, or in pac_library.cpp) names that code's file: report
  // instead the line of the innermost frame of the user's own file, from the traceback.
  if (!file.empty() && file != where) line = line_in_stack(stack, where);

  errc code = kind;
  bool out_of_memory = message.find("alloc failed") != std::string::npos ||
                       message.find("DoubleError") != std::string::npos;
  if (timed_out) {
    code = errc::pac_timeout;
    // Duktape's own text for the interrupt varies ("execution timeout", "C stack depth limit"); a
    // value the script threw instead may have no description left once the deadline has fired.
    message = text ? "the script ran past its time limit (" + message + ")"
                   : std::string("the script ran past its time limit");
  } else if (timed_out_describing) {
    code = errc::pac_timeout;
    message =
        "the script ran past its time limit while its exception was being described (String(), "
        "lineNumber, fileName or stack of the thrown value)";
  } else if (limit_hit && out_of_memory) {
    code = errc::pac_memory;
  }
  return error(code, std::move(message)).at(where, line);
}

}  // namespace wpadkit::pac
