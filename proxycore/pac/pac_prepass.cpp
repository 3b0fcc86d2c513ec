// pac::prepass — see pac_prepass.hpp. A token list (with whitespace, newlines and comments kept as
// tokens) is edited in place: each token may be replaced, and text appended after it. Every edit keeps
// the number of newlines it removes, re-emitting them where they cannot change the program (after a
// complete expression or inside a parameter list), so line numbers survive.
#include "proxycore/pac/pac_prepass.hpp"

#include "proxycore/pac/pac_prepass_lexer.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace wpadkit::pac {
namespace {

using namespace detail;

// ---- let / const → var ----------------------------------------------------------------------

void rewrite_declarations(editor& e) {
  for (std::size_t k = 0; k < e.size(); ++k) {
    if (e.tok(k).kind != tk::ident || e.touched(k)) continue;
    auto word = e.text(k);
    if (word != "let" && word != "const") continue;
    std::size_t nx = e.next_sig(k);
    if (nx == editor::npos || e.tok(nx).kind != tk::ident) continue;
    auto name = e.text(nx);
    if (name == "in" || name == "instanceof" || name == "of") continue;
    std::size_t pv = e.prev_sig(k);
    bool statement_start = pv == editor::npos || is_punct(e, pv, ";") || is_punct(e, pv, "{") ||
                           is_punct(e, pv, "}") || is_punct(e, pv, ")") || is_punct(e, pv, ":") ||
                           e.newline_between(pv, k) ||
                           (is_punct(e, pv, "(") && is_ident(e, e.prev_sig(pv), "for"));
    if (!statement_start) continue;
    e.replace(k, word == "let" ? "var" : "var  ");  // same width: columns stay right
  }
}

// ---- arrow functions --------------------------------------------------------------------------

// The `(` matching the `)` at `close`, when everything between is identifiers and commas.
std::size_t simple_params_open(const editor& e, std::size_t close) {
  for (std::size_t k = e.prev_sig(close); k != editor::npos; k = e.prev_sig(k)) {
    if (is_punct(e, k, "(")) return k;
    if (e.tok(k).kind == tk::ident && !e.touched(k)) continue;
    if (is_punct(e, k, ",")) continue;
    return editor::npos;
  }
  return editor::npos;
}

// The last token of an arrow's expression body starting at `b`.
std::size_t expression_end(const editor& e, std::size_t b) {
  int depth = 0;
  std::size_t last = b;
  for (std::size_t k = b; k < e.size(); ++k) {
    if (!e.significant(k)) {
      // A line break ends the body unless the expression visibly continues: the line ends in an
      // operator or the next line starts with one.
      if (depth == 0 && k > b && e.tok(k).kind == tk::newline) {
        std::size_t nx = e.next_sig(k);
        bool continues = (e.tok(last).kind == tk::punct && e.text(last) != ")" && e.text(last) != "]" &&
                          e.text(last) != "}") ||
                         (nx != editor::npos && e.tok(nx).kind == tk::punct && e.text(nx) != "(" &&
                          e.text(nx) != "[" && e.text(nx) != "{");
        if (!continues) return last;
      }
      continue;
    }
    if (e.tok(k).kind == tk::punct) {
      auto p = e.text(k);
      if (p == "(" || p == "[" || p == "{") {
        ++depth;
      } else if (p == ")" || p == "]" || p == "}") {
        if (depth == 0) return last;
        --depth;
      } else if (depth == 0 && (p == "," || p == ";")) {
        return last;
      }
    }
    last = k;
  }
  return last;
}

// The `}` matching the `{` at `open` (the last token when unbalanced).
std::size_t block_end(const editor& e, std::size_t open) {
  int depth = 0;
  for (std::size_t k = open; k < e.size(); ++k) {
    if (is_punct(e, k, "{")) ++depth;
    if (is_punct(e, k, "}") && --depth == 0) return k;
  }
  return e.size() - 1;
}

// `this` or `arguments` (not as a property name) among tokens first..last.
bool uses_this_or_arguments(const editor& e, std::size_t first, std::size_t last) {
  for (std::size_t k = first; k <= last && k < e.size(); ++k) {
    if (e.tok(k).kind != tk::ident || (e.text(k) != "this" && e.text(k) != "arguments")) continue;
    if (!is_punct(e, e.prev_sig(k), ".")) return true;
  }
  return false;
}

void rewrite_arrows(editor& e) {
  for (std::size_t k = 0; k < e.size(); ++k) {
    if (!is_punct(e, k, "=>") || e.touched(k)) continue;
    std::size_t pv = e.prev_sig(k);
    if (pv == editor::npos) continue;
    std::size_t open = editor::npos;
    std::string params;
    if (e.tok(pv).kind == tk::ident) {
      params = "(" + std::string(e.text(pv)) + ")";
      open = pv;
    } else if (is_punct(e, pv, ")")) {
      open = simple_params_open(e, pv);
      if (open == editor::npos) continue;
      for (std::size_t j = open; j <= pv; ++j) params += e.text(j);
    } else {
      continue;
    }
    if (is_ident(e, e.prev_sig(open), "async")) continue;  // async arrows: left for the hint
    std::size_t body = e.next_sig(k);
    if (body == editor::npos) continue;
    // An arrow reads `this` and `arguments` of the function around it, a function its own: such an
    // arrow is left for the down-level compiler (pac_downlevel.hpp), which keeps them.
    if (uses_this_or_arguments(e, body, is_punct(e, body, "{") ? block_end(e, body) : expression_end(e, body))) {
      continue;
    }
    // Newlines between the parameters and the body move after the body (see the file comment).
    int moved = 0;
    for (std::size_t j = pv + 1; j < body; ++j) moved += e.count_newlines(j);
    for (std::size_t j = open; j < body; ++j) e.replace(j, "");
    if (is_punct(e, body, "{")) {
      e.replace(open, "function " + params + " ");
      e.append_after(body, std::string(static_cast<std::size_t>(moved), '\n'));
    } else {
      std::size_t last = expression_end(e, body);
      e.replace(open, "function " + params + " { return ");
      e.append_after(last, "; }" + std::string(static_cast<std::size_t>(moved), '\n'));
    }
  }
}

// ---- long || chains → nested groups -----------------------------------------------------------
//
// Duktape compiles `a || b || c ...` recursively, one level per term, and frees no temporary register
// until the statement ends: a generated condition of 20,000 terms needs a deep compiler stack, hits
// the 32,768-register limit past that, and every helper call made while evaluating it clears the
// function's whole register file (quadratic time). Each group of 32 terms therefore becomes its own
// function, `(function () { return t1 || ... || t32; })()`, recursively: the same value and the same
// evaluation order (|| is associative), with few registers per function. Terms that use `this` or
// `arguments` (which a function would rebind) are left alone.

constexpr std::size_t chain_group = 32;

struct chain_term {
  std::size_t first;
  std::size_t last;
};

// The terms of the parenthesised expression (open, close), split at depth-0 `||`; empty when the
// expression has anything of lower precedence than || at depth 0 (?:, assignment, comma).
std::vector<chain_term> or_terms(const editor& e, std::string_view src, std::size_t open,
                                 std::size_t close) {
  std::vector<chain_term> terms;
  int depth = 0;
  std::size_t first = editor::npos;
  std::size_t last = editor::npos;
  for (std::size_t k = open + 1; k < close; ++k) {
    if (!e.significant(k)) continue;
    if (e.touched(k)) return {};
    if (e.tok(k).kind == tk::ident && (e.text(k) == "this" || e.text(k) == "arguments")) return {};
    if (e.tok(k).kind == tk::punct) {
      auto p = e.text(k);
      if (p == "(" || p == "[" || p == "{") ++depth;
      if (p == ")" || p == "]" || p == "}") --depth;
      if (depth == 0) {
        if (p == "?" || p == "," || p == ";" || p == "=>") return {};
        if (p == "=") {
          std::size_t at = e.tok(k).begin;
          char before = at > 0 ? src[at - 1] : ' ';
          char after = at + 1 < src.size() ? src[at + 1] : ' ';
          bool comparison = after == '=' || before == '=' || before == '!' || before == '<' ||
                            before == '>';
          if (!comparison) return {};
        }
        if (p == "|" && e.tok(k).begin + 1 < src.size() && src[e.tok(k).begin + 1] == '|') {
          std::size_t second = k + 1;
          if (first == editor::npos) return {};
          terms.push_back({first, last});
          first = editor::npos;
          k = second;
          continue;
        }
      }
    }
    if (first == editor::npos) first = k;
    last = k;
  }
  if (first == editor::npos || terms.empty()) return {};
  terms.push_back({first, last});
  return terms;
}

void group_terms(editor& e, std::vector<chain_term> terms) {
  while (terms.size() > chain_group) {
    std::vector<chain_term> groups;
    for (std::size_t i = 0; i < terms.size(); i += chain_group) {
      std::size_t j = std::min(terms.size(), i + chain_group) - 1;
      if (j > i) {
        e.prepend_before(terms[i].first, "(function () { return ");
        e.append_after(terms[j].last, "; })()");
      }
      groups.push_back({terms[i].first, terms[j].last});
    }
    terms = std::move(groups);
  }
}

void balance_or_chains(editor& e, std::string_view src) {
  std::vector<std::size_t> opens;
  for (std::size_t k = 0; k < e.size(); ++k) {
    if (e.tok(k).kind != tk::punct) continue;
    auto p = e.text(k);
    if (p == "(") {
      opens.push_back(k);
    } else if (p == ")" && !opens.empty()) {
      std::size_t open = opens.back();
      opens.pop_back();
      if (k - open < 4 * chain_group) continue;  // too short to matter
      auto terms = or_terms(e, src, open, k);
      if (terms.size() > chain_group) group_terms(e, std::move(terms));
    }
  }
}

// ---- global reads → function-entry locals ------------------------------------------------------
//
// Duktape resolves a global identifier by a property lookup on the global object at every use
// (duk__getvar_helper → hasprop + getprop): on a PAC that loops over a pattern list, reading
// `BYPASS` and `shExpMatch` was 43 % of the time. A top-level function therefore gets, on the line
// of its opening brace, `var shExpMatch = __wpadkit_global__.shExpMatch, ...;` for the names it
// uses that cannot change while it runs: the PAC helpers, and top-level `var NAME = <literal>`
// globals assigned nowhere else. The same value is read (a property read of the global object is
// what the identifier read did), once per call instead of once per use. Conservative by
// construction: any use of a name other than `NAME(`, `NAME[` or `NAME.` (assignment, declaration,
// parameter, `typeof`, `.NAME`, object key, label) drops that name; a function containing another
// function is left alone (a closure could outlive the call); `eval`, `with`, `this`, `arguments`,
// `Function`, `constructor`, `globalThis`, `toString`, "use strict", a template literal or our own
// prefix anywhere (but for the down-level helpers __wpadkit_iter and __wpadkit_super_get)
// disable the pass.

constexpr std::array<std::string_view, 20> bindable_helpers = {
    "isPlainHostName", "dnsDomainIs",   "localHostOrDomainIs", "isResolvable",
    "isInNet",         "dnsResolve",    "convert_addr",        "myIpAddress",
    "dnsDomainLevels", "shExpMatch",    "weekdayRange",        "dateRange",
    "timeRange",       "alert",         "isResolvableEx",      "isInNetEx",
    "dnsResolveEx",    "myIpAddressEx", "sortIpAddressList",   "getClientVersion",
};
constexpr std::string_view global_alias = "__wpadkit_global__";

// The globals down-levelled code calls (pac_polyfills.js): ours, never the alias.
bool down_level_helper(std::string_view v) { return v == "__wpadkit_iter" || v == "__wpadkit_super_get"; }

bool disables_binding(const editor& e, std::size_t k) {
  auto v = e.text(k);
  if (e.tok(k).kind == tk::string) return v.find("use strict") != std::string_view::npos;
  if (e.tok(k).kind == tk::templ) return true;
  if (e.tok(k).kind != tk::ident) return false;
  // Each is a way to reach the global object or a name without writing it (`constructor` gives
  // Function), or to see the function's text.
  return v == "eval" || v == "with" || v == "this" || v == "arguments" || v == "Function" ||
         v == "globalThis" || v == "constructor" || v == "toString" ||
         (v.find("__wpadkit") != std::string_view::npos && !down_level_helper(v)) ||
         v.find('\\') != std::string_view::npos;
}

// A use that reads the binding: `NAME(`, `NAME[`, `NAME.`, not preceded by `.`, `+`, `-`.
bool plain_read(const editor& e, std::size_t k) {
  std::size_t pv = e.prev_sig(k);
  std::size_t nx = e.next_sig(k);
  if (pv != editor::npos && e.tok(pv).kind == tk::punct &&
      (e.text(pv) == "." || e.text(pv) == "+" || e.text(pv) == "-")) {
    return false;
  }
  if (pv != editor::npos && (is_ident(e, pv, "var") || is_ident(e, pv, "function"))) return false;
  return is_punct(e, nx, "(") || is_punct(e, nx, "[") || is_punct(e, nx, ".");
}

struct top_function {
  std::size_t open;   // its `{`
  std::size_t close;  // its `}`
  bool nested;        // contains another function or an arrow
};

struct binding_scan {
  std::vector<top_function> functions;
  std::vector<std::pair<std::string_view, std::size_t>> literal_vars;  // name, its token
};

// `var NAME = <literal>` at depth 0: the literal starts with one of these.
bool literal_start(const editor& e, std::size_t k) {
  if (k == editor::npos) return false;
  auto kind = e.tok(k).kind;
  return kind == tk::string || kind == tk::number || kind == tk::regex || is_punct(e, k, "[") ||
         is_punct(e, k, "{");
}

bool statement_keyword(std::string_view w) {
  return w == "if" || w == "for" || w == "while" || w == "switch" || w == "catch" || w == "with";
}

bool scan_for_binding(const editor& e, binding_scan& out) {
  int depth = 0;  // (, [ and { together
  std::vector<std::size_t> opens;
  std::unordered_map<std::size_t, std::size_t> open_of;  // `)` → its `(`
  for (std::size_t k = 0; k < e.size(); ++k) {
    if (!e.significant(k)) continue;
    if (disables_binding(e, k)) return false;
    if (depth == 0 && is_ident(e, k, "var")) {
      std::size_t n = e.next_sig(k);
      if (n != editor::npos && e.tok(n).kind == tk::ident && is_punct(e, e.next_sig(n), "=") &&
          !is_punct(e, e.next_sig(e.next_sig(n)), "=") &&
          literal_start(e, e.next_sig(e.next_sig(n)))) {
        out.literal_vars.emplace_back(e.text(n), n);
      }
    }
    if (is_ident(e, k, "function") || is_punct(e, k, "=>")) {
      if (depth > 0) {
        for (auto& f : out.functions) {
          if (f.close == editor::npos) f.nested = true;
        }
      } else {
        // function [name] ( idents , ) {
        std::size_t n = e.next_sig(k);
        if (n != editor::npos && e.tok(n).kind == tk::ident) n = e.next_sig(n);
        if (!is_punct(e, n, "(")) continue;
        std::size_t close = e.next_sig(n);
        while (close != editor::npos &&
               (e.tok(close).kind == tk::ident || is_punct(e, close, ","))) {
          close = e.next_sig(close);
        }
        if (!is_punct(e, close, ")") || !is_punct(e, e.next_sig(close), "{")) continue;
        out.functions.push_back({e.next_sig(close), editor::npos, false});
      }
    }
    if (e.tok(k).kind != tk::punct) continue;
    auto p = e.text(k);
    if (p == "{" && depth > 0 && is_punct(e, e.prev_sig(k), ")")) {
      // `name(...) {` that is no statement: a getter, setter or method, i.e. a closure.
      std::size_t before = e.prev_sig(open_of[e.prev_sig(k)]);
      if (before == editor::npos || e.tok(before).kind != tk::ident ||
          !statement_keyword(e.text(before))) {
        for (auto& f : out.functions) {
          if (f.close == editor::npos) f.nested = true;
        }
      }
    }
    if (p == "(") opens.push_back(k);
    if (p == ")" && !opens.empty()) {
      open_of[k] = opens.back();
      opens.pop_back();
    }
    if (p == "(" || p == "[" || p == "{") {
      ++depth;
    } else if (p == ")" || p == "]" || p == "}") {
      if (--depth < 0) return false;
      if (depth == 0 && p == "}" && !out.functions.empty() &&
          out.functions.back().close == editor::npos) {
        out.functions.back().close = k;
      }
    }
  }
  return depth == 0;
}

void bind_globals_at_entry(editor& e) {
  binding_scan scan;
  if (!scan_for_binding(e, scan) || scan.functions.empty()) return;
  // Names whose every use is a plain read (a literal global: but for its one declaration); one
  // pass over the tokens, since generated PACs can have tens of thousands of top-level vars.
  std::unordered_map<std::string_view, int> declarations;
  std::unordered_set<std::size_t> declaration_tokens;
  for (auto [name, tok] : scan.literal_vars) {
    ++declarations[name];
    declaration_tokens.insert(tok);
  }
  std::unordered_set<std::string_view> written;
  for (std::size_t k = 0; k < e.size(); ++k) {
    if (e.tok(k).kind != tk::ident || declaration_tokens.count(k) != 0) continue;
    if (!plain_read(e, k)) written.insert(e.text(k));
  }
  std::unordered_set<std::string_view> names;
  for (auto h : bindable_helpers) {
    if (written.count(h) == 0) names.insert(h);
  }
  for (auto [name, count] : declarations) {
    bool helper =
        std::find(bindable_helpers.begin(), bindable_helpers.end(), name) != bindable_helpers.end();
    if (count == 1 && !helper && written.count(name) == 0) names.insert(name);
  }
  bool used_any = false;
  for (const auto& f : scan.functions) {
    // A closure created inside could outlive the call and must see a later global value.
    if (f.close == editor::npos || f.nested) continue;
    std::string decl;
    std::unordered_set<std::string_view> done;
    for (std::size_t k = f.open + 1; k < f.close; ++k) {
      if (e.tok(k).kind != tk::ident) continue;
      auto name = e.text(k);
      if (names.count(name) == 0 || !done.insert(name).second) continue;
      decl += decl.empty() ? " var " : ", ";
      decl += std::string(name) + " = " + std::string(global_alias) + "." + std::string(name);
    }
    if (decl.empty()) continue;
    e.append_after(f.open, decl + ";");
    used_any = true;
  }
  if (used_any) e.prepend_before(0, "var " + std::string(global_alias) + " = this; ");
}

// ---- large constant literals → JSON.parse -------------------------------------------------------

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool read_hex(std::string_view s, std::size_t& i, int digits, std::uint32_t& out) {
  out = 0;
  for (int d = 0; d < digits; ++d) {
    if (i >= s.size() || hex_value(s[i]) < 0) return false;
    out = out * 16 + static_cast<std::uint32_t>(hex_value(s[i++]));
  }
  return true;
}

// A JavaScript string literal's value as a JSON string; false for forms we do not convert
// (legacy octal escapes, lone surrogates, an unterminated literal).
bool string_to_json(std::string_view lit, std::string& out) {
  if (lit.size() < 2 || lit.back() != lit.front()) return false;
  std::string_view s = lit.substr(1, lit.size() - 2);
  std::string value;
  for (std::size_t i = 0; i < s.size();) {
    char c = s[i++];
    if (c != '\\') {
      value += c;
      continue;
    }
    if (i >= s.size()) return false;
    char x = s[i++];
    std::uint32_t cp = 0;
    switch (x) {
      case 'n': value += '\n'; break;
      case 't': value += '\t'; break;
      case 'r': value += '\r'; break;
      case 'b': value += '\b'; break;
      case 'f': value += '\f'; break;
      case 'v': value += '\v'; break;
      case '\n': break;  // line continuation
      case '0':
        if (i < s.size() && is_digit(s[i])) return false;
        value += '\0';
        break;
      case 'x':
        if (!read_hex(s, i, 2, cp)) return false;
        append_utf8(value, cp);
        break;
      case 'u':
        if (!read_hex(s, i, 4, cp) || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        append_utf8(value, cp);
        break;
      default:
        if (is_digit(x)) return false;
        value += x;
    }
  }
  out += '"';
  for (unsigned char c : value) {
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20) {
      static const char* hexd = "0123456789abcdef";
      out += "\\u00";
      out += hexd[c >> 4];
      out += hexd[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  return true;
}

bool json_number(std::string_view n) {
  std::size_t i = 0;
  if (i < n.size() && n[i] == '0') {
    ++i;
  } else {
    if (i >= n.size() || !is_digit(n[i]) || n[i] == '0') return false;
    while (i < n.size() && is_digit(n[i])) ++i;
  }
  if (i < n.size() && n[i] == '.') {
    ++i;
    if (i >= n.size() || !is_digit(n[i])) return false;
    while (i < n.size() && is_digit(n[i])) ++i;
  }
  if (i < n.size() && (n[i] == 'e' || n[i] == 'E')) {
    ++i;
    if (i < n.size() && (n[i] == '+' || n[i] == '-')) ++i;
    if (i >= n.size() || !is_digit(n[i])) return false;
    while (i < n.size() && is_digit(n[i])) ++i;
  }
  return i == n.size();
}

class literal_reader {
 public:
  explicit literal_reader(const editor& e) : e_(e) {}

  // Reads the value starting at significant token k; on success `k` is its last token.
  bool value(std::size_t& k, std::string& out, int depth = 0) {
    if (k == editor::npos || depth > 64) return false;
    const token& t = e_.tok(k);
    auto v = e_.text(k);
    switch (t.kind) {
      case tk::string: return string_to_json(v, out);
      case tk::number:
        if (!json_number(v)) return false;
        out += v;
        return true;
      case tk::ident:
        if (v != "true" && v != "false" && v != "null") return false;
        out += v;
        return true;
      case tk::punct:
        if (v == "-") {
          std::size_t n = e_.next_sig(k);
          if (n == editor::npos || e_.tok(n).kind != tk::number || !json_number(e_.text(n))) return false;
          out += '-';
          out += e_.text(n);
          k = n;
          return true;
        }
        if (v == "[") return array(k, out, depth);
        if (v == "{") return object(k, out, depth);
        return false;
      default: return false;
    }
  }

 private:
  const editor& e_;

  bool array(std::size_t& k, std::string& out, int depth) {
    out += '[';
    std::size_t n = e_.next_sig(k);
    bool first = true;
    while (n != editor::npos && !is_punct(e_, n, "]")) {
      if (!first) out += ',';
      first = false;
      if (!value(n, out, depth + 1)) return false;
      n = e_.next_sig(n);
      if (is_punct(e_, n, ",")) {
        n = e_.next_sig(n);
      } else if (!is_punct(e_, n, "]")) {
        return false;
      }
    }
    if (n == editor::npos) return false;
    out += ']';
    k = n;
    return true;
  }

  bool object(std::size_t& k, std::string& out, int depth) {
    out += '{';
    std::size_t n = e_.next_sig(k);
    bool first = true;
    while (n != editor::npos && !is_punct(e_, n, "}")) {
      if (!first) out += ',';
      first = false;
      auto kt = e_.tok(n).kind;
      auto key = e_.text(n);
      if (kt == tk::string) {
        if (key.substr(1, key.size() - 2) == "__proto__" || !string_to_json(key, out)) return false;
      } else if (kt == tk::ident && key != "__proto__" && key.find('\\') == std::string_view::npos) {
        out += '"';
        out += key;
        out += '"';
      } else {
        return false;  // numeric keys would need canonical number-to-string conversion
      }
      n = e_.next_sig(n);
      if (!is_punct(e_, n, ":")) return false;
      out += ':';
      n = e_.next_sig(n);
      if (!value(n, out, depth + 1)) return false;
      n = e_.next_sig(n);
      if (is_punct(e_, n, ",")) {
        n = e_.next_sig(n);
      } else if (!is_punct(e_, n, "}")) {
        return false;
      }
    }
    if (n == editor::npos) return false;
    out += '}';
    k = n;
    return true;
  }
};

// The JSON text as the body of a single-quoted JavaScript string.
std::string quote_for_js(std::string_view json) {
  std::string out;
  out.reserve(json.size() + json.size() / 8 + 16);
  for (std::size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (c == '\\' || c == '\'') {
      out += '\\';
      out += c;
    } else if (c == '\xE2' && i + 2 < json.size() && json[i + 1] == '\x80' &&
               (json[i + 2] == '\xA8' || json[i + 2] == '\xA9')) {
      out += json[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";  // line terminators in ES5 strings
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

void rewrite_large_literals(editor& e, std::size_t min_bytes) {
  literal_reader reader(e);
  for (std::size_t k = 0; k < e.size(); ++k) {
    if (!is_punct(e, k, "[") && !is_punct(e, k, "{")) continue;
    std::size_t pv = e.prev_sig(k);
    bool expression_start = pv != editor::npos &&
                            (is_punct(e, pv, "=") || is_punct(e, pv, "(") || is_punct(e, pv, ",") ||
                             is_punct(e, pv, ":") || is_ident(e, pv, "return"));
    if (!expression_start) continue;
    std::size_t end = k;
    std::string json;
    if (!reader.value(end, json)) continue;
    if (e.tok(end).end - e.tok(k).begin < min_bytes) {
      k = end;
      continue;
    }
    int newlines = 0;
    for (std::size_t j = k; j <= end; ++j) {
      newlines += e.count_newlines(j);
      e.replace(j, "");
    }
    e.replace(k, "JSON.parse('" + quote_for_js(json) + "')" +
                     std::string(static_cast<std::size_t>(newlines), '\n'));
    k = end;
  }
}

// ---- what needs the down-level compiler -------------------------------------------------------

bool adjacent(const editor& e, std::size_t a, std::size_t b) {
  return b == a + 1 && e.tok(a).end == e.tok(b).begin;
}

// After `for (` [var|let|const]: a name or a bracketed pattern, then `of`.
bool for_of_head(const editor& e, std::size_t open) {
  std::size_t k = e.next_sig(open);
  if (is_ident(e, k, "var") || is_ident(e, k, "let") || is_ident(e, k, "const")) k = e.next_sig(k);
  if (is_punct(e, k, "[") || is_punct(e, k, "{")) {
    int depth = 0;
    for (; k != editor::npos; k = e.next_sig(k)) {
      if (is_punct(e, k, "[") || is_punct(e, k, "{")) ++depth;
      if ((is_punct(e, k, "]") || is_punct(e, k, "}")) && --depth == 0) break;
    }
  } else if (k == editor::npos || e.tok(k).kind != tk::ident) {
    return false;
  }
  return k != editor::npos && is_ident(e, e.next_sig(k), "of");
}

// A function or an arrow in the head or the body of the loop whose head opens at `open`.
bool loop_has_closure(const editor& e, std::size_t open) {
  int depth = 0;
  std::size_t k = open;
  for (; k < e.size(); ++k) {  // the head, to its `)`
    if (is_ident(e, k, "function") || is_punct(e, k, "=>")) return true;
    if (is_punct(e, k, "(")) ++depth;
    if (is_punct(e, k, ")") && --depth == 0) break;
  }
  std::size_t body = k < e.size() ? e.next_sig(k) : editor::npos;
  if (body == editor::npos) return false;
  depth = 0;
  for (k = body; k < e.size(); ++k) {  // a block to its `}`, a statement to its `;`
    if (is_ident(e, k, "function") || is_punct(e, k, "=>")) return true;
    if (is_punct(e, k, "{") || is_punct(e, k, "(") || is_punct(e, k, "[")) ++depth;
    if (is_punct(e, k, "}") || is_punct(e, k, ")") || is_punct(e, k, "]")) --depth;
    if (depth <= 0 && (is_punct(e, k, "}") || is_punct(e, k, ";"))) break;
  }
  return false;
}

bool modern_member(std::string_view name) {
  static constexpr std::array<std::string_view, 18> names = {
      "includes", "find",    "findIndex", "fill",      "flat",     "flatMap",
      "from",     "of",      "entries",   "values",    "fromEntries", "padStart",
      "padEnd",   "trimStart", "trimEnd", "trimLeft",  "trimRight", "replaceAll"};
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Run on the tokens before any edit (rewrite_arrows is checked after it, by what it left: only
// when an arrow was seen, returned). Cheap on purpose, since every ES5 script runs it: a token is
// looked at further only when its first character can start one of the words or signs below.
bool scan_modern(const editor& e, prepass_report& r) {
  std::unordered_set<std::string_view> block_names;
  bool arrows = false;
  for (std::size_t k = 0; k < e.size(); ++k) {
    const token& t = e.tok(k);
    switch (t.kind) {
      case tk::templ: r.modern_syntax = true; break;
      case tk::number:
        if (e.text(k).find('_') != std::string_view::npos) r.modern_syntax = true;
        break;
      case tk::punct: {
        auto p = e.text(k);
        if (p[0] == '.' && p.size() == 3) {
          r.modern_syntax = true;  // `...`
        } else if (p[0] == '=' && p.size() == 2) {
          arrows = true;  // `=>`
        } else if (p[0] == '?' && k + 1 < e.size() && adjacent(e, k, k + 1)) {
          auto n = e.text(k + 1);
          // `?.` not before a digit (`c?.5:1` is a conditional), `??`
          bool chain = n == "." && !(k + 2 < e.size() && e.tok(k + 2).kind == tk::number &&
                                     adjacent(e, k + 1, k + 2));
          if (chain || n == "?") r.modern_syntax = true;
        }
        break;
      }
      case tk::ident: {
        auto w = e.text(k);
        switch (w[0]) {
          case 'M': case 'S': case 'W': case 'i': case 'f': case 'v': case 'o': case 'e':
          case 'p': case 't': case 'r': case 'c': case 'l': break;
          default: continue;
        }
        bool word = w == "for" || w == "let" || w == "const" || w == "class" || w == "catch" ||
                    w == "Map" || w == "Set" || w == "WeakMap";
        bool method = !word && modern_member(w);
        if (!word && !method) continue;
        bool member = is_punct(e, e.prev_sig(k), ".");
        if (method || member) {
          if (method && member) r.modern_builtins = true;
          continue;
        }
        if (w == "Map" || w == "Set" || w == "WeakMap") {
          r.modern_builtins = true;
        } else if (w == "class") {
          r.modern_syntax = true;
        } else if (w == "catch" && is_punct(e, e.next_sig(k), "{")) {
          r.modern_syntax = true;
        } else if (w == "for" && is_punct(e, e.next_sig(k), "(")) {
          std::size_t open = e.next_sig(k);
          bool lexical = is_ident(e, e.next_sig(open), "let") || is_ident(e, e.next_sig(open), "const");
          // Each iteration has its own `let` binding, which a closure made in the loop keeps
          // (§14.7.4.4 CreatePerIterationEnvironment); with `var` they would share the last value.
          if (for_of_head(e, open) || (lexical && loop_has_closure(e, open))) r.modern_syntax = true;
        } else if (w == "let" || w == "const") {
          std::size_t nx = e.next_sig(k);
          if (is_punct(e, nx, "[") || is_punct(e, nx, "{")) {
            r.modern_syntax = true;
          } else if (nx != editor::npos && e.tok(nx).kind == tk::ident &&
                     !block_names.insert(e.text(nx)).second) {
            r.modern_syntax = true;
          }
        }
        break;
      }
      default: break;
    }
  }
  return arrows;
}

bool arrows_left(const editor& e) {
  for (std::size_t k = 0; k < e.size(); ++k) {
    if (is_punct(e, k, "=>") && !e.touched(k)) return true;
  }
  return false;
}

std::string normalize_line_ends(std::string_view source) {
  if (source.starts_with("\xEF\xBB\xBF")) source.remove_prefix(3);
  std::string out;
  out.reserve(source.size());
  for (std::size_t i = 0; i < source.size(); ++i) {
    char c = source[i];
    if (c == '\r') {
      out += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string prepass(std::string_view source, prepass_options options, prepass_report* report) {
  std::string text = normalize_line_ends(source);
  editor e(text, tokenizer(text).run());
  bool arrows = report != nullptr && scan_modern(e, *report);
  rewrite_large_literals(e, options.json_literal_min_bytes);
  rewrite_declarations(e);
  rewrite_arrows(e);
  if (arrows && arrows_left(e)) report->modern_syntax = true;
  balance_or_chains(e, text);
  if (options.bind_globals) bind_globals_at_entry(e);
  return e.render();
}

std::string hide_large_literals(std::string_view source, std::vector<std::string>& hidden,
                                std::size_t min_bytes) {
  std::string text = normalize_line_ends(source);
  editor e(text, tokenizer(text).run());
  rewrite_large_literals(e, min_bytes);
  // Each replaced literal is one token rewritten to JSON.parse('...') followed by its line breaks,
  // and emptied tokens after it: the placeholder takes the JSON.parse text's place, and spaces up to
  // the column where the literal ended.
  for (std::size_t k = 0; k < e.size(); ++k) {
    if (!e.touched(k) || !e.rendered(k).starts_with("JSON.parse(")) continue;
    std::size_t end = k;
    while (end + 1 < e.size() && e.touched(end + 1) && e.rendered(end + 1).empty()) ++end;
    std::string_view literal(text.data() + e.tok(k).begin, e.tok(end).end - e.tok(k).begin);
    std::string json(e.rendered(k));
    json.erase(json.find_last_not_of('\n') + 1);
    std::string placeholder = "__wpadkit_literal_" + std::to_string(hidden.size()) + "__";
    hidden.push_back(std::move(json));
    std::size_t last_break = literal.rfind('\n');
    std::size_t breaks = static_cast<std::size_t>(std::count(literal.begin(), literal.end(), '\n'));
    // Spaces so that what follows keeps its column: on one line, up to the literal's length (a
    // literal is at least min_bytes long, a placeholder ~25 bytes); else the literal's last line.
    std::size_t pad = last_break == std::string_view::npos
                          ? (literal.size() > placeholder.size() ? literal.size() - placeholder.size() : 0)
                          : literal.size() - last_break - 1;
    e.replace(k, placeholder + std::string(breaks, '\n') + std::string(pad, ' '));
    k = end;
  }
  return e.render();
}

std::string restore_large_literals(std::string_view text, const std::vector<std::string>& hidden) {
  std::string out;
  out.reserve(text.size());
  std::size_t at = 0;
  constexpr std::string_view prefix = "__wpadkit_literal_";
  for (std::size_t p = text.find(prefix); p != std::string_view::npos; p = text.find(prefix, at)) {
    std::size_t digits = p + prefix.size();
    std::size_t n = 0;
    std::size_t q = digits;
    while (q < text.size() && is_digit(text[q])) n = n * 10 + static_cast<std::size_t>(text[q++] - '0');
    out.append(text, at, p - at);
    if (q > digits && text.substr(q, 2) == "__" && n < hidden.size()) {
      out += hidden[n];
      at = q + 2;
    } else {
      out.append(text, p, prefix.size());
      at = digits;
    }
  }
  out.append(text, at, std::string_view::npos);
  return out;
}

std::optional<std::string> syntax_hint(std::string_view source, int line) {
  std::string text = normalize_line_ends(source);
  std::size_t b = 0;
  for (int l = 1; l < line && b != std::string::npos; ++l) {
    b = text.find('\n', b);
    if (b != std::string::npos) ++b;
  }
  if (b == std::string::npos || b > text.size()) return std::nullopt;
  std::string_view ln(text);
  ln = ln.substr(b, ln.find('\n', b) == std::string_view::npos ? std::string_view::npos
                                                               : ln.find('\n', b) - b);
  struct rule {
    std::string_view needle;
    const char* hint;
  };
  // ES2015-ES2021 syntax runs (pac_downlevel.hpp); what is left has no ES5 translation or is
  // ES2022+, past what the down-level compiler reads.
  static constexpr std::array<rule, 6> rules = {{
      {"async ", "async functions are not supported in PAC scripts"},
      {"await ", "await is not supported in PAC scripts"},
      {"function*", "generators are not supported in PAC scripts"},
      {"yield", "generators are not supported in PAC scripts"},
      {"#", "private class members (#name) are not supported (ES2022)"},
      {"(?<", "lookbehind assertions and named groups in regular expressions are not supported by Duktape"},
  }};
  for (const auto& r : rules) {
    if (ln.find(r.needle) != std::string_view::npos) return std::string(r.hint);
  }
  return std::nullopt;
}

}  // namespace wpadkit::pac
