#pragma once
// pac::downlevel — the modern-JavaScript path of PAC loading: ES2015–ES2021 text → ES5 text that
// Duktape compiles, with every line of the user's text on its own line number, so that Duktape's
// error lines (syntax and run time) point into the user's file.
//
// Only a script that needs it pays (compiled_pac::compile decides): one whose pre-pass scan finds
// syntax the pre-pass cannot translate (prepass_report::modern_syntax), or one Duktape rejects (a
// default parameter, a destructured parameter, a method shorthand leave no single telling token).
// An ES5 script never reaches this file (downlevel_runs() counts the runs, for tests).
//
// How: Debian's Bublé 0.20 (acorn 8 + magic-string), itself down-levelled to ES5 at build time and
// embedded (cmake/make_downlevel_bundle.js), plus our glue for ES2018+ syntax and iterables
// (pac_downlevel_glue.js). The bundle is compiled to Duktape bytecode at build time, by the same
// Duktape build (cmake/downlevel_bytecode.c), and runs in one transpiler heap kept for the process
// (loading and starting it, ~10 ms, is paid once per process), one script at a time.
// Large constant literals are hidden from it first (hide_large_literals, pac_prepass.hpp): a
// gfwlist-style list of 100 KB is one placeholder to the parser, not 7,000 nodes.
//
// Examples (whitespace shortened):
//   "const f = ({a, b = 2}) => `${a}:${b}`;"
//       → "var f = function (ref) { var a = ref.a; var b = ref.b; if ( b === void 0 ) b = 2;
//          return (a + \":\" + b); };"
//   "for (const d of new Set(l)) x(d);"
//       → "for (var i = 0, list = __wpadkit_iter(new Set(l)); i < list.length; i += 1) {
//          var d = list[i]; x(d); }"
//   "x = o?.p ?? 'D';"
//       → "var ref, ref$1; x = ((ref$1 = ((ref = o) == null ? void 0 : ref.p)) != null ? ref$1 : 'D');"
//   "function* g() {}" → pac_syntax "SyntaxError: Transforming generators is not implemented (hint:
//       ...)" at line 1, column 1
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proxycore/base/error.hpp"

extern "C" {
#include "duktape.h"
}

namespace wpadkit::pac {

// `source` (the user's text) as ES5. Errors: pac_syntax when the text is not valid ES2021 or uses a
// construct the compiler cannot translate (generators, async functions): message
// "SyntaxError: <what>", line and 1-based column in the user's text, `where` = source_name;
// pac_timeout past `time_limit`; pac_memory; pac_load if the embedded bundle itself fails (a build
// problem).
result<std::string> downlevel(std::string_view source, const std::string& source_name,
                              std::chrono::milliseconds time_limit);

// How many times downlevel() has run in this process.
std::uint64_t downlevel_runs();

namespace detail {

// pac_polyfills.js as bytecode, compiled once per process (as library_bytecode(), pac_builtins.hpp).
result<const std::vector<unsigned char>*> polyfill_bytecode();

// Safe-call body: loads and runs the polyfills (arg: polyfill_bytecode()'s vector) in the heap.
duk_ret_t install_polyfills(duk_context* ctx, void* arg);

}  // namespace detail
}  // namespace wpadkit::pac
