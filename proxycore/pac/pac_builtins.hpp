#pragma once
// pac::detail::builtins — the PAC helper functions as Duktape globals: the hot ones native (natives.hpp
// holds their pure semantics), the DNS and local-address ones native over the injected environment,
// the date/time ones in JavaScript (pac_library.cpp) behind a native entry so that tracing sees them.
// Internal to the engine (pac_engine.cpp).
//
// Per-call state (alerts, trace, the DNS lookup count and cache) lives in builtins_state, reached from
// a native function through the heap's udata (heap_udata::owner). The state must outlive the heap.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "proxycore/pac/duk_heap.hpp"
#include "proxycore/pac/pac_engine.hpp"

namespace wpadkit::pac::detail {

struct builtins_state {
  std::shared_ptr<dns::host_resolver> resolver;
  std::shared_ptr<const local_addresses> local;
  int max_dns_lookups = 0;

  // Per call (reset_call()):
  bool tracing = false;
  std::vector<std::string> alerts;
  std::vector<call_trace_event> trace;
  int dns_lookups = 0;
  // Chromium caches DNS answers per FindProxyForURL call (ProxyResolverV8Tracing): a name asked
  // twice in one call is looked up once and counts once against the cap. Key: family tag + name.
  std::map<std::string, std::optional<std::vector<dns::address>>> dns_cache;
  std::optional<std::vector<dns::address>> local_cache;

  std::string scratch;  // result text handed to duk_push_lstring
  std::string failure;  // message of an internal C++ failure, thrown as a JS Error

  void reset_call();
  // The answer for `host` (already ASCII), or nullptr on failure or past the lookup cap.
  const std::vector<dns::address>* lookup(const std::string& host, dns::family f);
  const std::vector<dns::address>& my_addresses();
};

// The JavaScript helper library (pac_library.cpp) as Duktape bytecode: compiled once per process,
// on a heap of its own, at the first call that succeeds (thread-safe; a failure is not kept, the next
// call tries again), then immutable and shared by every heap until the process exits. Errors: pac_memory or pac_load, which only a
// machine out of memory can cause.
result<const std::vector<unsigned char>*> library_bytecode();

// Defines every helper as a global. Safe-call body: heap.udata().owner must point to the state.
// `arg` points to the library's bytecode (library_bytecode()), which is loaded, not compiled, in the
// heap. Leaves nothing on the stack.
duk_ret_t install_builtins(duk_context* ctx, void* arg);

// IDNA (UTS #46, non-transitional) to punycode, as Chromium's GetHostnameArgument does for a
// non-ASCII host; nullopt when the name is not a valid IDN.
std::optional<std::string> idna_to_ascii(std::string_view utf8_host);

}  // namespace wpadkit::pac::detail
