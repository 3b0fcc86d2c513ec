#pragma once
// instrument — rewrites a PAC script so that each `return` reports itself: `return EXPR` becomes
// `return __wpadkit_ret(N, (EXPR))` (a bare `return` becomes `return __wpadkit_ret(N, undefined)`),
// and a function declaration `__wpadkit_ret` is appended at the end (declarations hoist, so the line
// numbers of the original script are unchanged and its errors still point at the right lines).
//
// The JS side keeps per-return hit counts in `__wpadkit_ret.hits` ({"N": count}) and the sequence of
// returns of the current call in `__wpadkit_ret.seq`; `explain` and `coverage` read them back with
// engine::evaluate_expression. Because an argument is evaluated before the call, the last entry of
// `seq` is the return of FindProxyForURL itself, the one that produced the result.
//
// Where an expression ends follows JavaScript's rules closely enough for PAC files: at a `;`, at a
// bracket closing an enclosing group, or at a line break between two tokens that cannot continue one
// expression (automatic semicolon insertion).
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pactool {

struct return_site {
  int id;      // N, from 1 in source order
  int line;    // 1-based line of the `return` keyword
  int column;  // 1-based column
  std::string expression;  // the returned expression as written (empty for a bare return)
};

// An `if` condition, wrapped as `if (__wpadkit_br(N, (COND)))` to count how often it was true and
// false (the branches of coverage).
struct branch_site {
  int id;
  int line;
  int column;
  std::string condition;
};

struct instrumented_pac {
  std::string text;
  std::vector<return_site> returns;
  std::vector<branch_site> branches;
};

struct branch_hits {
  long taken = 0;      // condition true
  long not_taken = 0;  // condition false
};

instrumented_pac instrument_returns(std::string_view source);

// JS that resets the per-call sequence; run it before each find_proxy.
inline constexpr const char* reset_sequence_js = "__wpadkit_ret.seq = []";
// JS whose JSON value is the per-call sequence ([N, ...]) and the hit counts ({"N": count}).
inline constexpr const char* sequence_js = "__wpadkit_ret.seq || []";
inline constexpr const char* hits_js = "__wpadkit_ret.hits || {}";
// JS whose JSON value is the branch counts ({"Nt": count, "Nf": count}).
inline constexpr const char* branches_js = "__wpadkit_ret.br || {}";

// Parses the JSON of `sequence_js` ("[1,4]") and `hits_js` ("{\"1\":3}"). Malformed text → empty.
std::vector<int> parse_sequence_json(std::string_view json);
std::map<int, long> parse_hits_json(std::string_view json);
std::map<int, branch_hits> parse_branch_json(std::string_view json);

}  // namespace pactool
