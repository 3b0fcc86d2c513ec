#pragma once
// pac::prepass — the compatibility pre-pass: PAC text as administrators write it → text Duktape (an
// ES5.1 engine) compiles, with every line kept on its original line number so that error lines still
// point into the file the user has.
//
// What it does (a small JavaScript tokenizer drives it, aware of strings, comments, regular
// expression literals and template literals, so nothing inside those is touched):
//   - drops a UTF-8 byte-order mark; turns CRLF and lone CR line ends into LF;
//   - `let` and `const` declarations → `var` (safe for PAC code: a block-scoped name becomes
//     function-scoped; a closure capturing a per-iteration `let` binding is the one case that differs,
//     and PAC files do not do that);
//   - simple arrow functions `x => expr`, `(a, b) => expr`, `(a) => { ... }` → `function` expressions
//     (`this`/`arguments` inside an arrow are not rebound; PAC helpers never use them);
//   - (bind_globals) in each top-level function, the PAC helpers and never-reassigned top-level
//     literal globals it uses become locals read at entry, on the line of its `{`;
//   - array and object literals of constants that are large (gfwlist-style lists of tens of thousands
//     of domains) → `JSON.parse('...')`, because Duktape limits the constants of one function.
// Syntax it cannot accept is left alone: the down-level compiler (pac_downlevel.hpp) takes the
// script, or Duktape reports the error and syntax_hint() names the construct.
//
// Examples:
//   "\xEF\xBB\xBFvar a=1;\r\n"        → "var a=1;\n"
//   "let x = 1; const y = 'let';"     → "var x = 1; var y = 'let';"
//   "var f = h => h + '.x';"          → "var f = function (h) { return h + '.x'; };"
//   "var l = ['a.com', ... 5,000 ...]" → "var l = JSON.parse('[\"a.com\", ...]')"
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wpadkit::pac {

struct prepass_options {
  // Array/object literals of only constants, at least this many bytes long, become JSON.parse.
  std::size_t json_literal_min_bytes = 4096;
  // In each top-level function, read the PAC helpers and top-level literal globals it uses into
  // locals at entry (one global lookup per call, not per use); see pac_prepass.cpp for the rules.
  // Only for whole scripts: it prepends `var __wpadkit_global__ = this;` to line 1.
  bool bind_globals = false;
};

// What prepass() saw on its way, from the tokens it reads anyway (no second pass over the text).
struct prepass_report {
  // Syntax past what the edits above translate exactly, which only the down-level compiler
  // (pac_downlevel.hpp) runs: template literals, spread/rest `...`, an arrow the rewrite leaves,
  // `class`, for-of, `?.`, `??`, `catch {`, numeric separators, destructuring `let`/`const`, a
  // `let`/`const` name declared twice (block scoping: `var` would merge the two), and a
  // `for (let ...)` loop that makes a closure (each iteration's binding is its own).
  bool modern_syntax = false;
  // Names an ES2015+ built-in that Duktape lacks (pac_polyfills.js): `Map`, `Set`, `WeakMap`, or a
  // member `.includes`, `.find`, `.padStart`, `.fromEntries`, ... .
  bool modern_builtins = false;
};

std::string prepass(std::string_view source, prepass_options options = {},
                    prepass_report* report = nullptr);

// The first step of the down-level path: line ends normalised as by prepass(), and each large
// constant literal that prepass() would turn into JSON.parse replaced by a placeholder identifier
// `__wpadkit_literal_N__`, padded with the literal's line breaks and spaces so that everything after
// it keeps its line and column. hidden[N] is the JSON.parse('...') text to put back
// (restore_large_literals). The down-level compiler then reads a placeholder, not 100 KB of list.
std::string hide_large_literals(std::string_view source, std::vector<std::string>& hidden,
                                std::size_t min_bytes = prepass_options{}.json_literal_min_bytes);
std::string restore_large_literals(std::string_view text, const std::vector<std::string>& hidden);

// A hint naming a construct that neither Duktape nor the down-level compiler runs, found on `line`
// (1-based) of `source` (the original text), e.g. "generators are not supported in PAC scripts";
// nullopt when nothing known is there.
std::optional<std::string> syntax_hint(std::string_view source, int line);

}  // namespace wpadkit::pac
