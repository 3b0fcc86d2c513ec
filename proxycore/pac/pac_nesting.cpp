// pac::check_nesting — see pac_nesting.hpp.
//
// Why max_nesting_depth is 2,500. Measured (-O2, this project's Duktape 2.7; CPU time, on a 2-core
// machine shared with builds, where wall time ran up to 4x longer):
//   shape at depth 2,500                      pre-pass   Duktape's compiler
//   `(` … `)`                                  0.03 s     0.02 s
//   `(a) =>` (an arrow function per level)     0.10 s     0.15 s (as nested function expressions)
//   `(function () { return ` (1,250 levels)    0.06 s     0.15 s
// and both grow with the square of the depth: 40,000 `(` took 10.8 s in the pre-pass alone. So at
// 2,500 a load stays near a tenth of the 5 s load limit in the worst shape, while PAC files nest a
// few tens deep (generated ones included: their long lists are flat).
#include "proxycore/pac/pac_nesting.hpp"

#include <utility>
#include <vector>

#include "proxycore/pac/pac_prepass_lexer.hpp"

namespace wpadkit::pac {
namespace {

// The 1-based line and column of byte `offset` of `text` (line ends already made LF).
std::pair<int, int> line_column(std::string_view text, std::size_t offset) {
  int line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return {line, static_cast<int>(offset - line_start) + 1};
}

// Line ends as the pre-pass reads them (LF, CRLF, lone CR), each one LF, and every byte where it
// was: CRLF becomes " \n", so that offsets, and so columns, stay those of the original text.
std::string with_lf_line_ends(std::string_view text) {
  std::string out(text);
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '\r') out[i] = i + 1 < out.size() && out[i + 1] == '\n' ? ' ' : '\n';
  }
  return out;
}

}  // namespace

std::optional<error> check_nesting(std::string_view original, const std::string& source_name,
                                   int limit) {
  const std::string text = with_lf_line_ends(original);
  const auto tokens = detail::tokenizer(text).run();
  auto punct = [&](std::size_t k) {
    const auto& t = tokens[k];
    return t.kind == detail::tk::punct ? std::string_view(text).substr(t.begin, t.end - t.begin)
                                       : std::string_view();
  };
  auto next_significant = [&](std::size_t k) {
    while (++k < tokens.size()) {
      auto kind = tokens[k].kind;
      if (kind != detail::tk::ws && kind != detail::tk::newline && kind != detail::tk::comment) break;
    }
    return k;
  };
  // The open levels, innermost last: a bracket, or `>` for an arrow's expression body.
  std::vector<char> open;
  auto close_arrows = [&] {
    while (!open.empty() && open.back() == '>') open.pop_back();
  };
  for (std::size_t k = 0; k < tokens.size(); ++k) {
    if (tokens[k].kind == detail::tk::templ) {
      // The lexer reads a template, nested ones included, as one token, but the down-level compiler
      // (acorn in Duktape) recurses once per `${` and per brace inside it: count those too.
      std::size_t depth = 0, deepest = 0, deepest_at = tokens[k].begin;
      for (std::size_t i = tokens[k].begin; i < tokens[k].end; ++i) {
        if (text[i] == '{') {
          if (++depth > deepest) deepest = depth, deepest_at = i;
        } else if (text[i] == '}' && depth > 0) {
          --depth;
        }
      }
      if (open.size() + deepest > static_cast<std::size_t>(limit)) {
        auto [line, column] = line_column(text, deepest_at);
        return error(errc::pac_syntax, "nested deeper than " + std::to_string(limit) +
                                           " levels here (the limit for template substitutions "
                                           "and brackets)")
            .at(source_name, line, column);
      }
      continue;
    }
    auto p = punct(k);
    if (p.empty()) continue;
    bool opens = false;
    if (p == "(" || p == "[" || p == "{") {
      open.push_back(p[0]);
      opens = true;
    } else if (p == "=>") {
      // `x => {` nests by its brace; `x => expr` by its body, which the pre-pass wraps in a function.
      auto n = next_significant(k);
      if (n == tokens.size() || punct(n) != "{") {
        open.push_back('>');
        opens = true;
      }
    } else if (p == ")" || p == "]" || p == "}") {
      close_arrows();
      if (!open.empty()) open.pop_back();
    } else if (p == "," || p == ";") {
      close_arrows();  // an arrow's expression body is an AssignmentExpression: no comma in it
    }
    if (opens && open.size() > static_cast<std::size_t>(limit)) {
      auto [line, column] = line_column(text, tokens[k].begin);
      return error(errc::pac_syntax, "nested deeper than " + std::to_string(limit) +
                                         " levels here (the limit for brackets and arrow "
                                         "functions)")
          .at(source_name, line, column);
    }
  }
  return std::nullopt;
}

}  // namespace wpadkit::pac
