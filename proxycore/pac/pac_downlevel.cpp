// pac::downlevel — see pac_downlevel.hpp. One transpiler heap per process, made at the first call
// (the bundle's bytecode, made at build time by cmake/downlevel_bytecode.c with this same Duktape
// build, loaded and run there: its definitions, ~10 ms, once), reused by every later call under a
// mutex, and replaced only after a call that ran out of time or memory (a transpile stopped half-way
// may leave the bundle's own state half-updated).
#include "proxycore/pac/pac_downlevel.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>

#include "proxycore/base/limits.hpp"
#include "proxycore/pac/duk_heap.hpp"
#include "proxycore/pac/pac_prepass.hpp"

namespace wpadkit::pac {
namespace detail {
// Generated at build time: the bundle's bytecode by cmake/downlevel_bytecode.c, the polyfills' text
// by cmake/make_downlevel_bundle.js.
extern const unsigned char pac_downlevel_bytecode[];
extern const std::size_t pac_downlevel_bytecode_size;
extern const char pac_polyfills_js[];
extern const std::size_t pac_polyfills_js_size;
}  // namespace detail

namespace {

// The transpiler's AST of a 1 MiB script (the largest a PAC may be) with its literals hidden fits;
// the heap is not a PAC's, so the PAC memory limit does not apply to it.
constexpr std::size_t transpiler_memory_bytes = 768 * 1024 * 1024;

std::atomic<std::uint64_t> runs{0};

// Safe-call arguments: plain data only (the bodies may be left by longjmp).
struct source_args {
  const char* text;
  std::size_t size;
  const char* name;
};

// [] -> [undefined]: loads and runs the bundle's bytecode, which defines __wpadkit_downlevel.
duk_ret_t start_bundle(duk_context* ctx, void*) {
  void* buf = duk_push_fixed_buffer(ctx, detail::pac_downlevel_bytecode_size);
  std::memcpy(buf, detail::pac_downlevel_bytecode, detail::pac_downlevel_bytecode_size);
  duk_load_function(ctx);
  duk_call(ctx, 0);
  duk_pop(ctx);
  duk_push_undefined(ctx);
  return 1;
}

// The fields of the transpiler's answer, pointing into strings that stay on the value stack.
struct answer_args {
  const char* text;
  std::size_t size;
  const char* code = nullptr;
  std::size_t code_size = 0;
  const char* message = nullptr;
  std::size_t message_size = 0;
  const char* construct = nullptr;
  std::size_t construct_size = 0;
  int line = 0;
  int column = 0;
};

// [] -> [answer object]
duk_ret_t run_downlevel(duk_context* ctx, void* p) {
  auto* a = static_cast<answer_args*>(p);
  duk_get_global_literal(ctx, "__wpadkit_downlevel");
  duk_push_lstring(ctx, a->text, a->size);
  duk_call(ctx, 1);
  if (!duk_is_object(ctx, -1)) return DUK_RET_TYPE_ERROR;
  if (duk_get_prop_literal(ctx, -1, "code")) {
    a->code = duk_require_lstring(ctx, -1, &a->code_size);
  }
  duk_pop(ctx);
  if (a->code == nullptr) {
    // Each string is converted in place and read back from the object, which keeps it alive.
    duk_get_prop_literal(ctx, -1, "message");
    duk_to_string(ctx, -1);
    duk_put_prop_literal(ctx, -2, "message");
    duk_get_prop_literal(ctx, -1, "message");
    a->message = duk_get_lstring(ctx, -1, &a->message_size);
    duk_pop(ctx);
    duk_get_prop_literal(ctx, -1, "construct");
    duk_to_string(ctx, -1);
    duk_put_prop_literal(ctx, -2, "construct");
    duk_get_prop_literal(ctx, -1, "construct");
    a->construct = duk_get_lstring(ctx, -1, &a->construct_size);
    duk_pop(ctx);
    duk_get_prop_literal(ctx, -1, "line");
    a->line = duk_to_int(ctx, -1);
    duk_pop(ctx);
    duk_get_prop_literal(ctx, -1, "column");
    a->column = duk_to_int(ctx, -1);
    duk_pop(ctx);
  }
  return 1;
}

// [] -> [bytecode buffer]
duk_ret_t compile_to_dump(duk_context* ctx, void* p) {
  auto* a = static_cast<source_args*>(p);
  duk_push_lstring(ctx, a->text, a->size);
  duk_push_string(ctx, a->name);
  duk_compile(ctx, 0);
  duk_dump_function(ctx);
  return 1;
}

std::mutex transpiler_mu;
// Reachable for the process's life, on purpose (see library_bytecode in pac_builtins.cpp).
duk_heap* transpiler = nullptr;

result<duk_heap*> transpiler_heap(std::chrono::milliseconds time_limit) {
  if (transpiler != nullptr) return transpiler;
  auto heap = duk_heap::create(transpiler_memory_bytes);
  if (!heap) return heap.error();
  // Starting the bundle is a fixed cost, not the script's: it gets its own time, at least 5 s.
  heap->begin(std::max(time_limit, std::chrono::milliseconds(5000)));
  bool ok = heap->safe_call(&start_bundle, nullptr, 0, 1);
  heap->end();
  if (!ok) return heap->take_error(errc::pac_load, "PAC down-level compiler");
  duk_pop(heap->ctx());
  transpiler = new duk_heap(std::move(*heap));
  return transpiler;
}

std::mutex polyfill_mu;
std::atomic<const std::vector<unsigned char>*> polyfill_code{nullptr};

}  // namespace

result<std::string> downlevel(std::string_view source, const std::string& source_name,
                              std::chrono::milliseconds time_limit) {
  std::lock_guard lock(transpiler_mu);
  runs.fetch_add(1, std::memory_order_relaxed);
  auto heap = transpiler_heap(time_limit);
  if (!heap) return heap.error();
  duk_heap& h = **heap;
  answer_args a{source.data(), source.size()};
  h.begin(time_limit);
  bool ok = h.safe_call(&run_downlevel, &a, 0, 1);
  h.end();
  if (!ok) {
    error e = h.take_error(errc::pac_load, source_name);
    if (e.is(errc::pac_timeout) || e.is(errc::pac_memory)) {
      delete transpiler;
      transpiler = nullptr;
    }
    e.line.reset();  // a line of the bundle, not of the script
    return e;
  }
  if (a.code != nullptr) {
    std::string out(a.code, a.code_size);
    duk_pop(h.ctx());
    return out;
  }
  std::string message = "SyntaxError: " + std::string(a.message, a.message_size);
  if (a.construct_size > 0) {
    message += " (hint: wpadkit runs ES2015-ES2021 PAC scripts by translating them to ES5 for "
               "Duktape, and this construct has no translation)";
  } else if (a.line > 0) {
    // A parse error: name the construct when it is one we know (ES2022+ or unsupported).
    if (auto hint = syntax_hint(source, a.line)) message += " (hint: " + *hint + ")";
  }
  duk_pop(h.ctx());
  std::optional<int> line;
  std::optional<int> column;
  if (a.line > 0) line = a.line;
  if (a.column > 0) column = a.column;
  return error(errc::pac_syntax, std::move(message)).at(source_name, line, column);
}

std::uint64_t downlevel_runs() { return runs.load(std::memory_order_relaxed); }

namespace detail {

result<const std::vector<unsigned char>*> polyfill_bytecode() {
  if (const auto* code = polyfill_code.load(std::memory_order_acquire)) return code;
  std::lock_guard lock(polyfill_mu);
  if (const auto* code = polyfill_code.load(std::memory_order_relaxed)) return code;
  auto heap = duk_heap::create(limits::pac_memory_bytes);
  if (!heap) return heap.error();
  source_args a{pac_polyfills_js, pac_polyfills_js_size, "pac-polyfills.js"};
  heap->begin(limits::pac_load_timeout);
  bool ok = heap->safe_call(&compile_to_dump, &a, 0, 1);
  heap->end();
  if (!ok) return heap->take_error(errc::pac_load, "PAC polyfills");
  duk_size_t size = 0;
  auto* bytes = static_cast<const unsigned char*>(duk_get_buffer(heap->ctx(), -1, &size));
  const auto* code = new const std::vector<unsigned char>(bytes, bytes + size);
  duk_pop(heap->ctx());
  polyfill_code.store(code, std::memory_order_release);
  return code;
}

duk_ret_t install_polyfills(duk_context* ctx, void* arg) {
  const auto* code = static_cast<const std::vector<unsigned char>*>(arg);
  void* buf = duk_push_fixed_buffer(ctx, code->size());
  std::memcpy(buf, code->data(), code->size());
  duk_load_function(ctx);
  duk_call(ctx, 0);  // a program: `this` is the global object
  return 1;
}

}  // namespace detail
}  // namespace wpadkit::pac
