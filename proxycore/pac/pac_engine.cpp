// pac::engine — see pac_engine.hpp. Load = the script compiled to bytecode (pac_compiled.hpp: the
// pre-pass, then Duktape's compiler), a fresh capped heap, the helper library (its bytecode, compiled
// once per process: pac_builtins.hpp), then the bytecode loaded and its top level run once; a call =
// one protected call of the global FindProxyForURL (looked up at each call, as Chromium does, so a
// script that reassigns it is honoured).
//
// Error texts follow Chromium's where it has one ("FindProxyForURL is undefined or not a function.",
// "FindProxyForURL() did not return a string.", "... returned a non-ASCII string").
#include "proxycore/pac/pac_engine.hpp"

#include <cstring>
#include <optional>

#include "proxycore/pac/duk_heap.hpp"
#include "proxycore/pac/pac_big_stack.hpp"
#include "proxycore/pac/pac_builtins.hpp"
#include "proxycore/pac/pac_compiled.hpp"
#include "proxycore/pac/pac_downlevel.hpp"
#include "proxycore/pac/pac_nesting.hpp"
#include "proxycore/pac/pac_prepass.hpp"

namespace wpadkit::pac {
namespace {

// Safe-call arguments: plain data only (the bodies may be left by longjmp).
struct compile_args {
  const char* text;
  std::size_t size;
  const char* name;
  duk_uint_t flags;
  bool compiled;
};

// [] -> [value]: compiles and runs an expression; `compiled` tells a syntax error from a runtime one.
duk_ret_t compile_and_run(duk_context* ctx, void* p) {
  auto* a = static_cast<compile_args*>(p);
  duk_push_lstring(ctx, a->text, a->size);
  duk_push_string(ctx, a->name);
  duk_compile(ctx, a->flags);
  a->compiled = true;
  duk_call(ctx, 0);
  return 1;
}

struct program_args {
  const unsigned char* bytecode;
  std::size_t size;
};

// [] -> [value]: loads the program's bytecode (made by compiled_pac::compile in this process: see
// pac_compiled.hpp on trust) and runs its top level.
duk_ret_t load_and_run(duk_context* ctx, void* p) {
  auto* a = static_cast<program_args*>(p);
  void* buf = duk_push_fixed_buffer(ctx, a->size);
  std::memcpy(buf, a->bytecode, a->size);
  duk_load_function(ctx);
  duk_call(ctx, 0);
  return 1;
}

struct call_args {
  const char* url;
  std::size_t url_size;
  const char* host;
  std::size_t host_size;
  bool winhttp;  // profile::winhttp: FindProxyForURLEx first, when it is a function
  bool used_ex;  // out: FindProxyForURLEx was called
};

// [] -> [result]. The entry point is read here, under the deadline, not before: a script may define
// it as a getter (Object.defineProperty(this, ...)), which runs its code and may throw.
duk_ret_t call_entrypoint(duk_context* ctx, void* p) {
  auto* a = static_cast<call_args*>(p);
  a->used_ex = false;
  if (a->winhttp) {
    duk_get_global_literal(ctx, "FindProxyForURLEx");
    a->used_ex = duk_is_function(ctx, -1) != 0;
    if (!a->used_ex) duk_pop(ctx);
  }
  if (!a->used_ex) duk_get_global_literal(ctx, "FindProxyForURL");
  duk_push_lstring(ctx, a->url, a->url_size);
  duk_push_lstring(ctx, a->host, a->host_size);
  duk_call(ctx, 2);
  return 1;
}

// [] -> [whether the script defines an entry point]: as call_entrypoint, a global may be a getter.
duk_ret_t has_entrypoint(duk_context* ctx, void* p) {
  const bool winhttp = *static_cast<const bool*>(p);
  duk_get_global_literal(ctx, "FindProxyForURL");
  bool found = duk_is_function(ctx, -1) != 0;
  if (!found && winhttp) {
    duk_get_global_literal(ctx, "FindProxyForURLEx");
    found = duk_is_function(ctx, -1) != 0;
  }
  duk_push_boolean(ctx, found);
  return 1;
}

// [value] -> [json text or undefined]
duk_ret_t to_json(duk_context* ctx, void*) {
  if (!duk_is_undefined(ctx, -1)) duk_json_encode(ctx, -1);
  return 1;
}

const char* type_name(duk_context* ctx, duk_idx_t idx) {
  switch (duk_get_type(ctx, idx)) {
    case DUK_TYPE_UNDEFINED: return "undefined";
    case DUK_TYPE_NULL: return "null";
    case DUK_TYPE_BOOLEAN: return "a boolean";
    case DUK_TYPE_NUMBER: return "a number";
    case DUK_TYPE_STRING: return "a string";
    default: return duk_is_function(ctx, idx) ? "a function" : "an object";
  }
}

// Programs up to this size load on the caller's stack (engine::load_on).
constexpr std::size_t small_program_bytes = 64 * 1024;

}  // namespace

struct engine::impl {
  environment env;
  engine_options options;
  std::string source_name;
  detail::builtins_state state;
  duk_heap heap;
  bool reads_clock_or_address = false;

  impl(duk_heap h) : heap(std::move(h)) {}

  // Loads the program, runs its top level and checks that it defines an entry point.
  result<void> run_program(const std::vector<unsigned char>& bytecode);
};

result<void> engine::impl::run_program(const std::vector<unsigned char>& bytecode) {
  // The top level and the look-up of the entry point share the load's deadline.
  program_args a{bytecode.data(), bytecode.size()};
  heap.begin(options.load_timeout);
  bool ok = heap.safe_call(&load_and_run, &a, 0, 1);
  if (!ok) {
    heap.end();
    return heap.take_error(errc::pac_load, source_name);
  }
  duk_pop(heap.ctx());
  bool winhttp = options.compat == profile::winhttp;
  ok = heap.safe_call(&has_entrypoint, &winhttp, 0, 1);
  heap.end();
  if (!ok) return heap.take_error(errc::pac_load, source_name);
  bool found = duk_get_boolean(heap.ctx(), -1) != 0;
  duk_pop(heap.ctx());
  if (found) return {};
  return error(errc::pac_no_entrypoint, "FindProxyForURL is undefined or not a function.")
      .at(source_name);
}

result<engine> engine::load(std::string_view pac_text, std::string source_name, environment env,
                            engine_options options) {
  // The environment is checked first, so that a broken set-up is not reported as the script's fault.
  if (!env.resolver) return error(errc::config, "the PAC environment has no DNS resolver");
  if (auto e = compiled_pac::too_large(pac_text, source_name, options)) return std::move(*e);
  auto library = detail::library_bytecode();
  if (!library) return library.error();
  // The script compiles on the heap the engine keeps (no scratch heap), then loads from its own
  // bytecode there, as from a compiled_pac: a single engine's errors and a pool's cannot differ.
  auto heap = duk_heap::create(options.memory_limit);
  if (!heap) return heap.error();
  std::optional<result<engine>> out;
  detail::run_on_big_stack([&] {
    auto script = compiled_pac::compile_on(*heap, pac_text, std::move(source_name), options);
    if (!script) {
      out.emplace(script.error());
      return;
    }
    out.emplace(load_on(std::move(*heap), **script, std::move(env), options, **library, true));
  });
  return std::move(*out);
}

result<engine> engine::load(const compiled_pac& script, environment env, engine_options options) {
  if (!env.resolver) return error(errc::config, "the PAC environment has no DNS resolver");
  auto library = detail::library_bytecode();
  if (!library) return library.error();
  auto heap = duk_heap::create(options.memory_limit);
  if (!heap) return heap.error();
  return load_on(std::move(*heap), script, std::move(env), options, **library, false);
}

result<engine> engine::load_on(duk_heap&& heap, const compiled_pac& script, environment env,
                               const engine_options& options,
                               const std::vector<unsigned char>& library, bool on_big_stack) {
  if (!env.time) env.time = system_clock();
  if (!env.local) env.local = probed_local_addresses(env.resolver);

  auto p = std::make_unique<impl>(std::move(heap));
  p->env = std::move(env);
  p->options = options;
  p->source_name = script.source_name();
  p->state.resolver = p->env.resolver;
  p->state.local = p->env.local;
  p->state.max_dns_lookups = options.max_dns_lookups_per_call;
  p->heap.udata().owner = &p->state;
  p->heap.set_clock(p->env.time.get());
  p->reads_clock_or_address = script.reads_clock_or_local_address();

  p->heap.begin(options.load_timeout);
  bool installed = p->heap.safe_call(&detail::install_builtins,
                                     const_cast<std::vector<unsigned char>*>(&library), 0, 1);
  p->heap.end();
  if (!installed) return p->heap.take_error(errc::pac_load, "PAC helper library");
  duk_pop(p->heap.ctx());
  if (script.needs_polyfills()) {
    auto polyfills = detail::polyfill_bytecode();
    if (!polyfills) return polyfills.error();
    p->heap.begin(options.load_timeout);
    bool added = p->heap.safe_call(&detail::install_polyfills,
                                   const_cast<std::vector<unsigned char>*>(*polyfills), 0, 1);
    p->heap.end();
    if (!added) return p->heap.take_error(errc::pac_load, "PAC polyfills");
    duk_pop(p->heap.ctx());
  }

  // Loading recurses per nested function, like compiling, so a program that may nest deeply loads
  // (and runs its top level, as it did with the compile before) on the big stack. A small one cannot
  // nest deeply: every function takes at least 64 bytes of bytecode (its counts, lines, flags, one
  // instruction, name, file name, line table, variable map and formals, and the closure instruction
  // in its parent; measured: 74 bytes per level of empty nested function expressions), so within
  // small_program_bytes it nests at most 1,024 deep, and 1,000 levels load within 256 KiB of stack
  // (measured). It loads on the caller's stack, which must be large enough for find_proxy anyway, and
  // saves starting a thread.
  result<void> ran;
  if (on_big_stack || script.bytecode_.size() <= small_program_bytes) {
    ran = p->run_program(script.bytecode_);
  } else {
    detail::run_on_big_stack([&] { ran = p->run_program(script.bytecode_); });
  }
  if (!ran) return ran.error();
  return engine(std::move(p));
}

engine::engine(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
engine::engine(engine&&) noexcept = default;
engine& engine::operator=(engine&&) noexcept = default;
engine::~engine() = default;

result<evaluation> engine::find_proxy(std::string_view url, std::string_view host) {
  impl& m = *impl_;
  duk_context* ctx = m.heap.ctx();
  m.state.reset_call();
  call_args a{url.data(), url.size(), host.data(), host.size(), m.options.compat == profile::winhttp,
              false};
  m.heap.begin(m.options.call_timeout);
  bool ok = m.heap.safe_call(&call_entrypoint, &a, 0, 1);
  m.heap.end();
  if (!ok) return m.heap.take_error(errc::pac_exception, m.source_name);

  const char* fn = a.used_ex ? "FindProxyForURLEx()" : "FindProxyForURL()";
  duk_size_t len = 0;
  const char* text = duk_get_lstring(ctx, -1, &len);
  if (text == nullptr) {
    std::string msg = std::string(fn) + " did not return a string (it returned " +
                      type_name(ctx, -1) + ").";
    duk_pop(ctx);
    return error(errc::pac_bad_return, std::move(msg)).at(m.source_name);
  }
  evaluation out;
  out.result.assign(text, len);
  duk_pop(ctx);
  for (unsigned char c : out.result) {
    if (c >= 0x80) {
      return error(errc::pac_bad_return,
                   std::string(fn) + " returned a non-ASCII string: " + out.result)
          .at(m.source_name);
    }
  }
  out.alerts = std::move(m.state.alerts);
  out.trace = std::move(m.state.trace);
  return out;
}

result<std::string> engine::evaluate_expression(std::string_view expression) {
  impl& m = *impl_;
  duk_context* ctx = m.heap.ctx();
  m.state.reset_call();
  if (auto e = check_nesting(expression, "expression")) return std::move(*e);
  std::string text = prepass(expression);
  compile_args a{text.data(), text.size(), "expression", DUK_COMPILE_EVAL, false};
  m.heap.begin(m.options.call_timeout);
  bool ok = m.heap.safe_call(&compile_and_run, &a, 0, 1) && m.heap.safe_call(&to_json, nullptr, 1, 1);
  m.heap.end();
  if (!ok) return m.heap.take_error(a.compiled ? errc::pac_exception : errc::pac_syntax, "expression");
  duk_size_t len = 0;
  const char* json = duk_get_lstring(ctx, -1, &len);
  std::string out = json != nullptr ? std::string(json, len) : std::string("undefined");
  duk_pop(ctx);
  return out;
}

void engine::set_tracing(bool on) { impl_->state.tracing = on; }

bool engine::reads_clock_or_local_address() const { return impl_->reads_clock_or_address; }

}  // namespace wpadkit::pac
