#pragma once
// pac::engine — one loaded PAC script: compile once, then call FindProxyForURL any number of times.
//
// An engine owns one Duktape heap and belongs to one thread at a time (it is movable, not copyable,
// and not thread-safe). Use pac::engine_pool (pac_engine_pool.hpp) to evaluate from many threads.
//
// Semantics follow Chromium (net/proxy_resolution/pac_js_library.h and
// services/proxy_resolver/proxy_resolver_v8.cc): `url` and `host` are passed exactly as given; the
// helpers behave as Chromium's do, quirks included. With profile::winhttp, a script that defines
// FindProxyForURLEx is called through it instead (Windows' rule).
//
// Every call is bounded: a time limit enforced by Duktape's exec-timeout hook, and a memory cap
// enforced by the heap's allocator. After a timeout or memory error the engine still answers later
// calls correctly.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxycore/base/error.hpp"
#include "proxycore/base/limits.hpp"
#include "proxycore/pac/pac_environment.hpp"

namespace wpadkit::pac {

enum class profile {
  chrome,   // Chromium's behaviour (default)
  winhttp,  // Windows: FindProxyForURLEx takes precedence when defined
};

struct engine_options {
  std::chrono::milliseconds call_timeout = limits::pac_call_timeout;
  std::chrono::milliseconds load_timeout = limits::pac_load_timeout;
  std::size_t memory_limit = limits::pac_memory_bytes;
  std::size_t max_pac_bytes = limits::pac_max_bytes;
  int max_dns_lookups_per_call = limits::pac_dns_lookups_per_call;
  profile compat = profile::chrome;
};

// What one call observed, besides its result.
struct call_trace_event {
  std::string function;               // helper name, e.g. "dnsResolve"
  std::vector<std::string> arguments; // each argument as JSON text
  std::string result;                 // the helper's result as JSON text
  std::chrono::microseconds elapsed{0};
};

struct evaluation {
  std::string result;                  // exactly what FindProxyForURL returned
  std::vector<std::string> alerts;     // alert() messages, in order
  std::vector<call_trace_event> trace; // filled only when tracing is enabled on the engine
};

class compiled_pac;  // pac_compiled.hpp
class duk_heap;      // duk_heap.hpp

class engine {
 public:
  // Compiles `pac_text` (after the compatibility pre-pass) and runs its top-level code.
  // `source_name` appears in error messages. Errors: config (no resolver), pac_too_large,
  // pac_syntax (with line), pac_load, pac_no_entrypoint, pac_timeout, pac_memory.
  static result<engine> load(std::string_view pac_text, std::string source_name,
                             environment env, engine_options options = {});
  // The same from a script compiled before (compiled_pac::compile), without compiling again: many
  // engines load one compiled script (engine_pool does, one per worker). Errors: as above, less
  // pac_too_large and pac_syntax, which compiling reported.
  static result<engine> load(const compiled_pac& script, environment env,
                             engine_options options = {});

  engine(engine&&) noexcept;
  engine& operator=(engine&&) noexcept;
  ~engine();

  // Calls FindProxyForURL(url, host). Errors: pac_exception (message, line), pac_bad_return,
  // pac_timeout, pac_memory. Never returns an empty "DIRECT" in place of an error.
  result<evaluation> find_proxy(std::string_view url, std::string_view host);

  // Evaluates a JavaScript expression in the PAC's global environment and returns its value as JSON
  // text (undefined → "undefined"). Errors: pac_syntax, pac_exception, pac_timeout, pac_memory.
  result<std::string> evaluate_expression(std::string_view expression);

  // When on, each helper call made by find_proxy is recorded in evaluation::trace.
  void set_tracing(bool on);

  // True if the loaded script refers to the clock (Date, *Range) or the local address (myIpAddress*).
  // A textual check: false does not make answers a function of (url, host) (a script can keep state
  // in a global, or call Math.random()), so it is no ground for caching decisions.
  bool reads_clock_or_local_address() const;

 private:
  struct impl;
  explicit engine(std::unique_ptr<impl> p);
  // Both loads end here, once the heap exists: the helpers, then the program. `on_big_stack`: the
  // caller already runs on the big compile stack (pac_big_stack.hpp).
  static result<engine> load_on(duk_heap&& heap, const compiled_pac& script, environment env,
                                const engine_options& options,
                                const std::vector<unsigned char>& library, bool on_big_stack);
  std::unique_ptr<impl> impl_;
};

}  // namespace wpadkit::pac
