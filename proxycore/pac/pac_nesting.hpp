#pragma once
// pac::check_nesting — refuses a script nested deeper than the engine handles quickly, before the
// pre-pass and Duktape see it. The pre-pass's time grows with the square of the depth (40,000
// nested `(`: 10.8 s in the pre-pass, then 0.05 s in Duktape's compiler; 50,000 nested `(a) =>`:
// 50 s), and none of it ran under the load limit. This check reads the text once with
// the pre-pass lexer (pac_prepass_lexer.hpp) and names where the limit is passed. Duktape's compiler
// is bounded by the deadline besides (cmake/wpadkit_duktape.cmake), for what nests without brackets
// (`!!!…x`, `a || a || …`, `else if` chains) and for text compiled at run time (eval).
//
// Depth counts the open `(`, `[` and `{` around a point, plus the arrow functions whose expression
// body (`x => expr`, which the pre-pass turns into a function) the point is in; such a body ends at
// a `,` or `;` or the bracket around it (a body left open by automatic semicolon insertion counts
// until one comes). Brackets inside strings, comments, regular expressions and template literals do
// not count.
//
//   check_nesting("f((1))", "a.pac", 2)       → nullopt
//   check_nesting("f(((1)))", "a.pac", 2)     → pac_syntax at a.pac:1:4, "nested deeper than 2
//                                                levels here (the limit ...)"
//   check_nesting("f(a => b => 1)", "a.pac", 2) → pac_syntax at a.pac:1:10 (the second `=>`)
#include <optional>
#include <string>
#include <string_view>

#include "proxycore/base/error.hpp"

namespace wpadkit::pac {

// The deepest nesting a script may have. Why this value: pac_nesting.cpp.
inline constexpr int max_nesting_depth = 2500;

// nullopt if no point of `text` is nested deeper than `limit`; otherwise errc::pac_syntax at
// `source_name`, the line and column (1-based, in bytes) of the first bracket past the limit.
std::optional<error> check_nesting(std::string_view text, const std::string& source_name,
                                   int limit = max_nesting_depth);

}  // namespace wpadkit::pac
