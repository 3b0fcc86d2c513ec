#include "pactool/instrument.hpp"

#include <algorithm>
#include <cctype>

#include "pactool/js_tokens.hpp"

namespace pactool {
namespace {

using kind = js_token::kind;

// A token after which an expression is complete (so a line break may end the statement).
bool ends_expression(const js_token& t) {
  switch (t.type) {
    case kind::identifier:
    case kind::number:
    case kind::string:
    case kind::template_string:
    case kind::regex:
      return true;
    case kind::keyword:
      return t.text == "this" || t.text == "null" || t.text == "true" || t.text == "false";
    case kind::punct:
      return t.text == ")" || t.text == "]" || t.text == "}" || t.text == "++" || t.text == "--";
  }
  return false;
}

// A token that begins a new statement rather than continuing the previous line's expression.
bool starts_statement(const js_token& t) {
  switch (t.type) {
    case kind::identifier:
    case kind::number:
    case kind::string:
    case kind::template_string:
      return true;
    case kind::keyword:
      return t.text != "in" && t.text != "instanceof" && t.text != "of";
    case kind::punct:
      return t.text == "{" || t.text == "}" || t.text == "!" || t.text == "++" || t.text == "--";
    case kind::regex:
      return true;
  }
  return false;
}

// Index of the first token after the expression that starts at `i` (may be tokens.size()).
std::size_t expression_end(const std::vector<js_token>& tokens, std::size_t i) {
  int depth = 0;
  for (std::size_t k = i; k < tokens.size(); ++k) {
    const auto& t = tokens[k];
    if (k > i && depth == 0 && t.newline_before && ends_expression(tokens[k - 1]) &&
        starts_statement(t)) {
      return k;
    }
    if (t.type != kind::punct) continue;
    if (t.text == "(" || t.text == "[" || t.text == "{") {
      ++depth;
    } else if (t.text == ")" || t.text == "]" || t.text == "}") {
      if (depth == 0) return k;
      --depth;
    } else if (depth == 0 && t.text == ";") {
      return k;
    }
  }
  return tokens.size();
}

struct insertion {
  std::size_t offset;
  int order;  // at one offset: closings (0) before openings (1)
  std::string text;
};

constexpr const char* runtime_js =
    "\nfunction __wpadkit_ret(n, v) {"
    " var f = __wpadkit_ret; if (!f.hits) f.hits = {}; if (!f.seq) f.seq = [];"
    " f.hits[n] = (f.hits[n] || 0) + 1; f.seq.push(n); return v; }\n"
    "function __wpadkit_br(n, c) {"
    " var f = __wpadkit_ret; if (!f.br) f.br = {}; var k = n + (c ? 't' : 'f');"
    " f.br[k] = (f.br[k] || 0) + 1; return c; }\n";

// Index of the `)` matching the `(` at `open`, or tokens.size().
std::size_t matching_paren(const std::vector<js_token>& tokens, std::size_t open) {
  int depth = 0;
  for (std::size_t k = open; k < tokens.size(); ++k) {
    if (is_punct(tokens[k], "(")) ++depth;
    if (is_punct(tokens[k], ")") && --depth == 0) return k;
  }
  return tokens.size();
}

}  // namespace

instrumented_pac instrument_returns(std::string_view source) {
  auto tokens = tokenize_js(source);
  instrumented_pac out;
  std::vector<insertion> ins;
  int next_id = 1;
  int next_branch = 1;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const auto& t = tokens[i];
    if (t.type == kind::keyword && t.text == "if" && i + 1 < tokens.size() &&
        is_punct(tokens[i + 1], "(")) {
      std::size_t close = matching_paren(tokens, i + 1);
      if (close < tokens.size() && close > i + 2) {
        int id = next_branch++;
        const auto& open = tokens[i + 1];
        ins.push_back({open.offset + 1, 1, "__wpadkit_br(" + std::to_string(id) + ", ("});
        ins.push_back({tokens[close].offset, 0, "))"});
        std::size_t from = tokens[i + 2].offset;
        out.branches.push_back({id, t.line, t.column,
                                std::string(source.substr(from, tokens[close].offset - from))});
      }
      continue;
    }
    if (t.type != kind::keyword || t.text != "return") continue;
    // `x.return` is a property, not a statement.
    if (i > 0 && is_punct(tokens[i - 1], ".")) continue;
    int id = next_id++;
    std::size_t after = t.offset + t.text.size();
    std::string call = " __wpadkit_ret(" + std::to_string(id) + ", ";
    bool bare = i + 1 >= tokens.size() || tokens[i + 1].newline_before ||
                is_punct(tokens[i + 1], ";") || is_punct(tokens[i + 1], "}");
    if (bare) {
      bool newline = i + 1 < tokens.size() && tokens[i + 1].newline_before;
      ins.push_back({after, 1, call + "undefined)" + (newline ? ";" : "")});
      out.returns.push_back({id, t.line, t.column, ""});
      continue;
    }
    std::size_t end = expression_end(tokens, i + 1);
    std::size_t end_offset = end < tokens.size() ? tokens[end].offset : source.size();
    // Close right after the last token of the expression, not after the whitespace that follows.
    const auto& last = tokens[end - 1];
    std::size_t close_at = std::min(end_offset, last.offset + last.text.size());
    std::size_t expr_at = tokens[i + 1].offset;
    ins.push_back({expr_at, 1, (expr_at == after ? call : call.substr(1)) + "("});
    ins.push_back({close_at, 0, "))"});
    std::size_t expr_start = tokens[i + 1].offset;
    out.returns.push_back({id, t.line, t.column,
                           std::string(source.substr(expr_start, close_at - expr_start))});
  }
  std::stable_sort(ins.begin(), ins.end(), [](const insertion& a, const insertion& b) {
    return a.offset != b.offset ? a.offset < b.offset : a.order < b.order;
  });
  std::size_t at = 0;
  for (const auto& x : ins) {
    out.text.append(source.substr(at, x.offset - at));
    out.text += x.text;
    at = x.offset;
  }
  out.text.append(source.substr(at));
  out.text += runtime_js;
  return out;
}

std::vector<int> parse_sequence_json(std::string_view json) {
  std::vector<int> out;
  int v = 0;
  bool in = false;
  for (char c : json) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      v = v * 10 + (c - '0');
      in = true;
    } else {
      if (in) out.push_back(v);
      v = 0;
      in = false;
    }
  }
  if (in) out.push_back(v);
  return out;
}

std::map<int, long> parse_hits_json(std::string_view json) {
  // {"1":3,"4":1} — alternate key, value.
  auto numbers = parse_sequence_json(json);
  std::map<int, long> out;
  for (std::size_t i = 0; i + 1 < numbers.size(); i += 2) out[numbers[i]] = numbers[i + 1];
  return out;
}

std::map<int, branch_hits> parse_branch_json(std::string_view json) {
  // {"3t":5,"3f":2}
  std::map<int, branch_hits> out;
  std::size_t i = 0;
  while ((i = json.find('"', i)) != std::string_view::npos) {
    std::size_t k = i + 1;
    int id = 0;
    while (k < json.size() && std::isdigit(static_cast<unsigned char>(json[k]))) id = id * 10 + (json[k++] - '0');
    if (k >= json.size() || (json[k] != 't' && json[k] != 'f')) break;
    bool taken = json[k] == 't';
    k += 3;  // t":
    long n = 0;
    while (k < json.size() && std::isdigit(static_cast<unsigned char>(json[k]))) n = n * 10 + (json[k++] - '0');
    (taken ? out[id].taken : out[id].not_taken) = n;
    i = k;
  }
  return out;
}

}  // namespace pactool
