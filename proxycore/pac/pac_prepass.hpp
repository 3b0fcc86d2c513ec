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
// Syntax it cannot accept is left alone: Duktape reports it, and syntax_hint() names the construct.
//
// Examples:
//   "\xEF\xBB\xBFvar a=1;\r\n"        → "var a=1;\n"
//   "let x = 1; const y = 'let';"     → "var x = 1; var y = 'let';"
//   "var f = h => h + '.x';"          → "var f = function (h) { return h + '.x'; };"
//   "var l = ['a.com', ... 5,000 ...]" → "var l = JSON.parse('[\"a.com\", ...]')"
#include <optional>
#include <string>
#include <string_view>

namespace wpadkit::pac {

struct prepass_options {
  // Array/object literals of only constants, at least this many bytes long, become JSON.parse.
  std::size_t json_literal_min_bytes = 4096;
  // In each top-level function, read the PAC helpers and top-level literal globals it uses into
  // locals at entry (one global lookup per call, not per use); see pac_prepass.cpp for the rules.
  // Only for whole scripts: it prepends `var __wpadkit_global__ = this;` to line 1.
  bool bind_globals = false;
};

std::string prepass(std::string_view source, prepass_options options = {});

// A hint naming a construct Duktape does not support, found on `line` (1-based) of `source` (the
// original text), e.g. "template literals (`...`) are not supported by Duktape (ES5.1)"; nullopt when
// nothing known is there.
std::optional<std::string> syntax_hint(std::string_view source, int line);

}  // namespace wpadkit::pac
