// pac::detail::builtins — see pac_builtins.hpp. Argument handling follows Chromium's bindings
// (services/proxy_resolver/proxy_resolver_v8.cc) for the helpers it implements in C++ (dnsResolve,
// dnsResolveEx, myIpAddress, myIpAddressEx, isPlainHostName, isInNetEx, sortIpAddressList, alert),
// and its JavaScript library for the rest: a native fast path for string arguments, the JavaScript
// reference implementation (pac_library.cpp) for anything else.
//
// Every function here that Duktape calls may be left by longjmp from any duk_* call: such frames hold
// only trivially destructible locals, and C++ work (which may allocate or throw) runs in guarded()
// before the next duk_* call.
#include "proxycore/pac/pac_builtins.hpp"

#include <idn2.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "proxycore/base/limits.hpp"
#include "proxycore/pac/natives.hpp"
#include "proxycore/pac/pac_library.hpp"

namespace wpadkit::pac::detail {
namespace {

enum helper : int {
  h_is_plain_host_name,
  h_dns_domain_is,
  h_local_host_or_domain_is,
  h_is_resolvable,
  h_is_in_net,
  h_dns_resolve,
  h_convert_addr,
  h_my_ip_address,
  h_dns_domain_levels,
  h_sh_exp_match,
  h_weekday_range,
  h_date_range,
  h_time_range,
  h_alert,
  h_is_resolvable_ex,
  h_is_in_net_ex,
  h_dns_resolve_ex,
  h_my_ip_address_ex,
  h_sort_ip_address_list,
  h_get_client_version,
  h_count,
};

constexpr const char* helper_names[h_count] = {
    "isPlainHostName", "dnsDomainIs",       "localHostOrDomainIs", "isResolvable",
    "isInNet",         "dnsResolve",        "convert_addr",        "myIpAddress",
    "dnsDomainLevels", "shExpMatch",        "weekdayRange",        "dateRange",
    "timeRange",       "alert",             "isResolvableEx",      "isInNetEx",
    "dnsResolveEx",    "myIpAddressEx",     "sortIpAddressList",   "getClientVersion",
};

builtins_state& state_of(duk_context* ctx) {
  duk_memory_functions funcs;
  duk_get_memory_functions(ctx, &funcs);
  return *static_cast<builtins_state*>(static_cast<heap_udata*>(funcs.udata)->owner);
}

std::optional<std::string_view> arg_string(duk_context* ctx, duk_idx_t i) {
  duk_size_t len = 0;
  const char* p = duk_get_lstring(ctx, i, &len);  // NULL for a non-string or a missing argument
  if (p == nullptr) return std::nullopt;
  return std::string_view(p, len);
}

bool is_ascii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

// Runs C++ work that may throw; on failure the message is kept for fail().
template <class F>
bool guarded(builtins_state& s, F&& f) noexcept {
  try {
    f();
    return true;
  } catch (const std::exception& e) {
    s.failure = e.what();
  } catch (...) {
    s.failure = "internal error";
  }
  return false;
}

duk_ret_t fail(duk_context* ctx, builtins_state& s) {
  return duk_error(ctx, DUK_ERR_ERROR, "%s", s.failure.c_str());
}

duk_ret_t push_scratch(duk_context* ctx, builtins_state& s) {
  duk_push_lstring(ctx, s.scratch.data(), s.scratch.size());
  return 1;
}

// Calls the JavaScript reference implementation of `id` with this call's arguments.
duk_ret_t call_js(duk_context* ctx, helper id) {
  duk_idx_t n = duk_get_top(ctx);
  duk_push_global_stash(ctx);
  duk_get_prop_index(ctx, -1, static_cast<duk_uarridx_t>(id));
  duk_remove(ctx, -2);
  duk_push_undefined(ctx);
  for (duk_idx_t i = 0; i < n; ++i) duk_dup(ctx, i);
  duk_call_method(ctx, n);
  return 1;
}

// ---- tracing -----------------------------------------------------------------------------------

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

// The value at `idx` as JSON text, using only Duktape reads that cannot throw.
std::string json_of(duk_context* ctx, duk_idx_t idx) {
  switch (duk_get_type(ctx, idx)) {
    case DUK_TYPE_NULL:
    case DUK_TYPE_UNDEFINED:
    case DUK_TYPE_NONE: return "null";
    case DUK_TYPE_BOOLEAN: return duk_get_boolean(ctx, idx) ? "true" : "false";
    case DUK_TYPE_NUMBER: {
      double d = duk_get_number(ctx, idx);
      if (!std::isfinite(d)) return "null";
      char buf[32];
      if (d == std::floor(d) && std::fabs(d) < 1e15) {
        std::snprintf(buf, sizeof buf, "%.0f", d);
      } else {
        std::snprintf(buf, sizeof buf, "%.17g", d);
      }
      return buf;
    }
    case DUK_TYPE_STRING: {
      std::string out;
      append_json_string(out, *arg_string(ctx, idx));
      return out;
    }
    default: return duk_is_function(ctx, idx) ? "\"[function]\"" : "\"[object]\"";
  }
}

std::size_t trace_begin(builtins_state& s, helper id, duk_context* ctx) noexcept {
  std::size_t slot = s.trace.size();
  guarded(s, [&] {
    call_trace_event ev;
    ev.function = helper_names[id];
    duk_idx_t n = duk_get_top(ctx);
    for (duk_idx_t i = 0; i < n; ++i) ev.arguments.push_back(json_of(ctx, i));
    s.trace.push_back(std::move(ev));
  });
  return slot;
}

void trace_end(builtins_state& s, std::size_t slot, duk_context* ctx, duk_ret_t rc,
               std::chrono::steady_clock::time_point t0) noexcept {
  if (slot >= s.trace.size()) return;
  guarded(s, [&] {
    s.trace[slot].result = rc > 0 ? json_of(ctx, -1) : "null";  // rc 0: the helper returned undefined
    s.trace[slot].elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
  });
}

using body_fn = duk_ret_t (*)(duk_context*, builtins_state&);

template <helper Id, body_fn Body>
duk_ret_t entry(duk_context* ctx) {
  builtins_state& s = state_of(ctx);
  if (!s.tracing) return Body(ctx, s);
  std::size_t slot = trace_begin(s, Id, ctx);
  auto t0 = std::chrono::steady_clock::now();
  duk_ret_t rc = Body(ctx, s);
  trace_end(s, slot, ctx, rc, t0);
  return rc;
}

// ---- DNS ---------------------------------------------------------------------------------------

// Chromium's GetHostnameArgument: a string, ASCII as is, otherwise IDNA-converted; else nullopt.
bool hostname_argument(duk_context* ctx, builtins_state& s, bool& ok) {
  auto host = arg_string(ctx, 0);
  ok = false;
  if (!host) return true;
  return guarded(s, [&] {
    if (is_ascii(*host)) {
      s.scratch.assign(host->data(), host->size());
      ok = true;
    } else if (auto ascii = idna_to_ascii(*host)) {
      s.scratch = std::move(*ascii);
      ok = true;
    }
  });
}

// Resolves the host name argument; on success the joined addresses are in s.scratch.
// `first_only`: dnsResolve's answer (one IPv4 address) rather than dnsResolveEx's list.
bool resolve_argument(duk_context* ctx, builtins_state& s, dns::family f, bool& found) {
  bool ok = false;
  found = false;
  if (!hostname_argument(ctx, s, ok)) return false;
  if (!ok) return true;
  return guarded(s, [&] {
    const auto* addrs = s.lookup(s.scratch, f);
    if (addrs == nullptr) return;
    found = true;
    s.scratch.clear();
    for (const auto& a : *addrs) {
      if (!s.scratch.empty()) s.scratch += ';';
      s.scratch += a.to_string();
      if (f == dns::family::v4) break;
    }
  });
}

duk_ret_t dns_resolve_body(duk_context* ctx, builtins_state& s) {
  bool found = false;
  if (!resolve_argument(ctx, s, dns::family::v4, found)) return fail(ctx, s);
  if (!found) {
    duk_push_null(ctx);
    return 1;
  }
  return push_scratch(ctx, s);
}

duk_ret_t is_resolvable_body(duk_context* ctx, builtins_state& s) {
  bool found = false;
  if (!resolve_argument(ctx, s, dns::family::v4, found)) return fail(ctx, s);
  duk_push_boolean(ctx, found);
  return 1;
}

duk_ret_t dns_resolve_ex_body(duk_context* ctx, builtins_state& s) {
  if (!duk_is_string(ctx, 0)) return 0;  // Chromium returns undefined here (no return value set)
  bool found = false;
  if (!resolve_argument(ctx, s, dns::family::any, found)) return fail(ctx, s);
  if (!found) s.scratch.clear();  // "" on failure
  return push_scratch(ctx, s);
}

duk_ret_t is_resolvable_ex_body(duk_context* ctx, builtins_state& s) {
  // Chromium's JS: dnsResolveEx(host) != ''; a non-string makes dnsResolveEx return undefined,
  // which is != '', hence true (a quirk kept on purpose).
  if (!duk_is_string(ctx, 0)) {
    duk_push_true(ctx);
    return 1;
  }
  bool found = false;
  if (!resolve_argument(ctx, s, dns::family::any, found)) return fail(ctx, s);
  duk_push_boolean(ctx, found);
  return 1;
}

duk_ret_t my_ip_address_body(duk_context* ctx, builtins_state& s) {
  bool ok = guarded(s, [&] {
    const auto& addrs = s.my_addresses();
    s.scratch = addrs.empty() ? std::string("127.0.0.1") : addrs.front().to_string();
  });
  if (!ok) return fail(ctx, s);
  return push_scratch(ctx, s);
}

duk_ret_t my_ip_address_ex_body(duk_context* ctx, builtins_state& s) {
  bool ok = guarded(s, [&] {
    s.scratch.clear();
    for (const auto& a : s.my_addresses()) {
      if (!s.scratch.empty()) s.scratch += ';';
      s.scratch += a.to_string();
    }
  });
  if (!ok) return fail(ctx, s);
  return push_scratch(ctx, s);
}

// ---- pure helpers ------------------------------------------------------------------------------

duk_ret_t is_plain_host_name_body(duk_context* ctx, builtins_state& s) {
  auto host = arg_string(ctx, 0);
  if (!host) return duk_type_error(ctx, "Requires 1 string parameter");
  bool r = false;
  if (!guarded(s, [&] { r = natives::is_plain_host_name(*host); })) return fail(ctx, s);
  duk_push_boolean(ctx, r);
  return 1;
}

template <helper Id, bool (*F)(std::string_view, std::string_view)>
duk_ret_t two_string_body(duk_context* ctx, builtins_state& s) {
  auto a = arg_string(ctx, 0);
  auto b = arg_string(ctx, 1);
  if (!a || !b) return call_js(ctx, Id);
  bool r = false;
  if (!guarded(s, [&] { r = F(*a, *b); })) return fail(ctx, s);
  duk_push_boolean(ctx, r);
  return 1;
}

duk_ret_t sh_exp_match_body(duk_context* ctx, builtins_state& s) {
  auto str = arg_string(ctx, 0);
  auto pattern = arg_string(ctx, 1);
  if (!str || !pattern) return call_js(ctx, h_sh_exp_match);
  std::optional<bool> r;
  if (!guarded(s, [&] { r = natives::sh_exp_match_unchecked(*str, *pattern); })) return fail(ctx, s);
  // Patterns with other regular-expression characters take Chromium's RegExp path, in JavaScript.
  if (!r) return call_js(ctx, h_sh_exp_match);
  duk_push_boolean(ctx, *r);
  return 1;
}

duk_ret_t dns_domain_levels_body(duk_context* ctx, builtins_state& s) {
  auto host = arg_string(ctx, 0);
  if (!host) return call_js(ctx, h_dns_domain_levels);
  (void)s;
  duk_push_int(ctx, natives::dns_domain_levels(*host));
  return 1;
}

duk_ret_t convert_addr_body(duk_context* ctx, builtins_state& s) {
  auto text = arg_string(ctx, 0);
  if (!text) return call_js(ctx, h_convert_addr);
  std::optional<unsigned long> v;
  if (!guarded(s, [&] { v = natives::convert_addr(*text); })) return fail(ctx, s);
  if (!v) return call_js(ctx, h_convert_addr);
  // JavaScript's `|` yields a signed 32-bit value: convert_addr("255.255.255.255") is -1.
  duk_push_int(ctx, static_cast<std::int32_t>(static_cast<std::uint32_t>(*v)));
  return 1;
}

// Chromium's isValidIpAddress: /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/, each part <= 255.
bool is_dotted_quad(std::string_view s) {
  int parts = 0;
  std::size_t i = 0;
  while (true) {
    int digits = 0;
    int value = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && digits < 4) {
      value = value * 10 + (s[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0 || digits > 3 || value > 255) return false;
    if (++parts == 4) return i == s.size();
    if (i >= s.size() || s[i] != '.') return false;
    ++i;
  }
}

duk_ret_t is_in_net_body(duk_context* ctx, builtins_state& s) {
  auto host = arg_string(ctx, 0);
  auto pattern = arg_string(ctx, 1);
  auto mask = arg_string(ctx, 2);
  if (!host || !pattern || !mask) return call_js(ctx, h_is_in_net);
  if (!is_dotted_quad(*pattern) || !is_dotted_quad(*mask)) {
    duk_push_false(ctx);
    return 1;
  }
  std::optional<bool> r;
  if (is_dotted_quad(*host)) {
    if (!guarded(s, [&] { r = natives::is_in_net_v4(*host, *pattern, *mask); })) return fail(ctx, s);
    duk_push_boolean(ctx, r.value_or(false));
    return 1;
  }
  // Chromium's JS calls dnsResolve(host) here: resolve through the global dnsResolve, so that the
  // lookup is counted, cached and traced like any other.
  duk_get_global_literal(ctx, "dnsResolve");
  duk_dup(ctx, 0);
  duk_call(ctx, 1);
  auto ip = arg_string(ctx, -1);
  if (!ip) {
    duk_push_false(ctx);
    return 1;
  }
  if (!guarded(s, [&] { r = natives::is_in_net_v4(*ip, *pattern, *mask); })) return fail(ctx, s);
  duk_push_boolean(ctx, r.value_or(false));
  return 1;
}

duk_ret_t is_in_net_ex_body(duk_context* ctx, builtins_state& s) {
  auto ip = arg_string(ctx, 0);
  auto prefix = arg_string(ctx, 1);
  if (!ip || !prefix) {
    duk_push_null(ctx);
    return 1;
  }
  bool r = false;
  if (!guarded(s, [&] {
        if (!is_ascii(*ip) || !is_ascii(*prefix)) return;
        auto addr = natives::parse_ip_literal(*ip);
        r = addr && natives::is_in_net_ex(*addr, *prefix);
      })) {
    return fail(ctx, s);
  }
  duk_push_boolean(ctx, r);
  return 1;
}

duk_ret_t sort_ip_address_list_body(duk_context* ctx, builtins_state& s) {
  auto list = arg_string(ctx, 0);
  if (!list || !is_ascii(*list)) {
    duk_push_null(ctx);
    return 1;
  }
  bool sorted = false;
  if (!guarded(s, [&] {
        auto r = natives::sort_ip_address_list(*list);
        if (r) {
          s.scratch = std::move(*r);
          sorted = true;
        }
      })) {
    return fail(ctx, s);
  }
  if (!sorted) {
    duk_push_false(ctx);
    return 1;
  }
  return push_scratch(ctx, s);
}

duk_ret_t alert_body(duk_context* ctx, builtins_state& s) {
  // Like Chromium (and Firefox): no argument reads "undefined"; arguments past the first are ignored.
  // String() may run the script's own toString(), which may throw: that propagates, as in Chromium.
  if (duk_get_top(ctx) == 0) duk_push_undefined(ctx);
  duk_size_t len = 0;
  const char* text = duk_to_lstring(ctx, 0, &len);
  if (!guarded(s, [&] { s.alerts.emplace_back(text, len); })) return fail(ctx, s);
  return 0;
}

duk_ret_t get_client_version_body(duk_context* ctx, builtins_state&) {
  // Microsoft's IPv6 PAC extensions: the version of the extension API, "1.0".
  duk_push_literal(ctx, "1.0");
  return 1;
}

duk_ret_t js_only_body_weekday(duk_context* ctx, builtins_state&) { return call_js(ctx, h_weekday_range); }
duk_ret_t js_only_body_date(duk_context* ctx, builtins_state&) { return call_js(ctx, h_date_range); }
duk_ret_t js_only_body_time(duk_context* ctx, builtins_state&) { return call_js(ctx, h_time_range); }

struct binding {
  helper id;
  duk_c_function fn;
};

constexpr binding bindings[] = {
    {h_is_plain_host_name, &entry<h_is_plain_host_name, is_plain_host_name_body>},
    {h_dns_domain_is,
     &entry<h_dns_domain_is, two_string_body<h_dns_domain_is, natives::dns_domain_is>>},
    {h_local_host_or_domain_is,
     &entry<h_local_host_or_domain_is,
            two_string_body<h_local_host_or_domain_is, natives::local_host_or_domain_is>>},
    {h_is_resolvable, &entry<h_is_resolvable, is_resolvable_body>},
    {h_is_in_net, &entry<h_is_in_net, is_in_net_body>},
    {h_dns_resolve, &entry<h_dns_resolve, dns_resolve_body>},
    {h_convert_addr, &entry<h_convert_addr, convert_addr_body>},
    {h_my_ip_address, &entry<h_my_ip_address, my_ip_address_body>},
    {h_dns_domain_levels, &entry<h_dns_domain_levels, dns_domain_levels_body>},
    {h_sh_exp_match, &entry<h_sh_exp_match, sh_exp_match_body>},
    {h_weekday_range, &entry<h_weekday_range, js_only_body_weekday>},
    {h_date_range, &entry<h_date_range, js_only_body_date>},
    {h_time_range, &entry<h_time_range, js_only_body_time>},
    {h_alert, &entry<h_alert, alert_body>},
    {h_is_resolvable_ex, &entry<h_is_resolvable_ex, is_resolvable_ex_body>},
    {h_is_in_net_ex, &entry<h_is_in_net_ex, is_in_net_ex_body>},
    {h_dns_resolve_ex, &entry<h_dns_resolve_ex, dns_resolve_ex_body>},
    {h_my_ip_address_ex, &entry<h_my_ip_address_ex, my_ip_address_ex_body>},
    {h_sort_ip_address_list, &entry<h_sort_ip_address_list, sort_ip_address_list_body>},
    {h_get_client_version, &entry<h_get_client_version, get_client_version_body>},
};

}  // namespace

void builtins_state::reset_call() {
  alerts.clear();
  trace.clear();
  dns_lookups = 0;
  dns_cache.clear();
  local_cache.reset();
}

const std::vector<dns::address>* builtins_state::lookup(const std::string& host, dns::family f) {
  std::string key = (f == dns::family::v4 ? "4:" : f == dns::family::v6 ? "6:" : "*:") + host;
  auto it = dns_cache.find(key);
  if (it == dns_cache.end()) {
    // Past the cap (errc::dns_limit) the helper answers as for a failed lookup; that answer is not
    // cached, so that each refused name is visible in a trace.
    if (dns_lookups >= max_dns_lookups) return nullptr;
    ++dns_lookups;
    std::optional<std::vector<dns::address>> answer;
    auto r = resolver->resolve(host, f);
    if (r && !r->addresses.empty()) answer = std::move(r->addresses);
    it = dns_cache.emplace(std::move(key), std::move(answer)).first;
  }
  return it->second ? &*it->second : nullptr;
}

const std::vector<dns::address>& builtins_state::my_addresses() {
  if (!local_cache) local_cache = local ? local->addresses() : std::vector<dns::address>{};
  return *local_cache;
}

std::optional<std::string> idna_to_ascii(std::string_view utf8_host) {
  std::string input(utf8_host);
  char* out = nullptr;
  int rc = idn2_to_ascii_8z(input.c_str(), &out, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
  if (rc != IDN2_OK || out == nullptr) {
    if (out != nullptr) idn2_free(out);
    return std::nullopt;
  }
  std::string result(out);
  idn2_free(out);
  return result;
}

namespace {

// [] -> [bytecode buffer]: the library expression compiled and dumped (nothing of it runs).
duk_ret_t compile_library(duk_context* ctx, void*) {
  duk_push_string(ctx, pac_library_js);
  duk_push_literal(ctx, "pac-library.js");
  duk_compile(ctx, DUK_COMPILE_EVAL);
  duk_dump_function(ctx);
  return 1;
}

result<std::vector<unsigned char>> make_library_bytecode() {
  // A heap of its own, used once: the library is small, the bounds are the defaults of a load.
  auto heap = duk_heap::create(limits::pac_memory_bytes);
  if (!heap) return heap.error();
  heap->begin(limits::pac_load_timeout);
  bool ok = heap->safe_call(&compile_library, nullptr, 0, 1);
  heap->end();
  if (!ok) return heap->take_error(errc::pac_load, "PAC helper library");
  duk_size_t size = 0;
  auto* bytes = static_cast<const unsigned char*>(duk_get_buffer(heap->ctx(), -1, &size));
  std::vector<unsigned char> out(bytes, bytes + size);
  duk_pop(heap->ctx());
  return out;
}

// Made at the first successful call and never changed after; the atomic publishes it
// (acquire/release), the mutex makes one compile at a time. A failure is not kept: the next call
// tries again. Never freed, on purpose: a thread still loading an engine while the process exits
// must not find it destroyed (it stays reachable through the pointer, so no leak is reported).
std::mutex library_mu;
std::atomic<const std::vector<unsigned char>*> library_code{nullptr};

}  // namespace

result<const std::vector<unsigned char>*> library_bytecode() {
  if (const auto* code = library_code.load(std::memory_order_acquire)) return code;
  std::lock_guard lock(library_mu);
  if (const auto* code = library_code.load(std::memory_order_relaxed)) return code;
  auto made = make_library_bytecode();
  if (!made) return made.error();
  const auto* code = new const std::vector<unsigned char>(std::move(*made));
  library_code.store(code, std::memory_order_release);
  return code;
}

duk_ret_t install_builtins(duk_context* ctx, void* arg) {
  const auto* library = static_cast<const std::vector<unsigned char>*>(arg);
  duk_push_global_stash(ctx);
  void* buf = duk_push_fixed_buffer(ctx, library->size());
  std::memcpy(buf, library->data(), library->size());
  duk_load_function(ctx);
  duk_call(ctx, 0);  // [stash library]
  for (int id = 0; id < h_count; ++id) {
    if (duk_get_prop_string(ctx, -1, helper_names[id])) {
      duk_put_prop_index(ctx, -3, static_cast<duk_uarridx_t>(id));
    } else {
      duk_pop(ctx);
    }
  }
  duk_pop_2(ctx);
  for (const auto& b : bindings) {
    duk_push_c_function(ctx, b.fn, DUK_VARARGS);
    duk_put_global_string(ctx, helper_names[b.id]);
  }
  // Browsers have no `Duktape` object: a script probing `typeof Duktape` must see what they see.
  // Duktape itself reaches its built-ins internally, not through this global.
  duk_push_global_object(ctx);
  duk_del_prop_string(ctx, -1, "Duktape");
  duk_pop(ctx);
  return 0;
}

}  // namespace wpadkit::pac::detail
