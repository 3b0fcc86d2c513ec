#pragma once
// pac::detail — the small JavaScript lexer and token editor under the compatibility pre-pass
// (pac_prepass.cpp). Tokens keep whitespace, newlines and comments, so that rendering the unedited
// list gives back the source byte for byte; regex literals are told from division by the previous
// significant token (and, for `)`, `}` and `++`/`--`, by what they close or follow), template
// literals are read with their ${...} substitutions. Internal.
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace wpadkit::pac::detail {

enum class tk { ws, newline, comment, string, templ, regex, ident, number, punct };

struct token {
  tk kind;
  std::size_t begin;
  std::size_t end;
};

inline bool ident_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c >= 0x80 ||
         c == '\\';
}
inline bool ident_part(unsigned char c) { return ident_start(c) || (c >= '0' && c <= '9'); }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

class tokenizer {
 public:
  explicit tokenizer(std::string_view s) : s_(s) {}

  std::vector<token> run() {
    while (i_ < s_.size()) next();
    return std::move(out_);
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
  std::vector<token> out_;
  int last_sig_ = -1;  // index of the last significant token

  // The open brackets, to know what a `)` or `}` closes: after the `)` of an if/while/for/with head
  // (`if (x) /re/.test(y)`) and a block's `}` a `/` starts a regex; after any other `)`, an object
  // literal's `}` (`{a: 1} / 2`) and a function expression's body's (`function () {} / 2`) it
  // divides. closed_no_expression_ is for the last of them, last_closed_ what it closed.
  enum class group { paren, head, bracket, block, object, expression_params, expression_body };
  std::vector<group> groups_;
  bool closed_no_expression_ = true;
  group last_closed_ = group::paren;
  bool function_expression_ = false;  // the last `function` began a function expression
  std::vector<int> saved_ternaries_;  // open_ternaries_ of the brackets around, one per group
  int open_ternaries_ = 0;
  bool ternary_colon_ = false;  // the last `:` was a ternary's

  char at(std::size_t k) const { return k < s_.size() ? s_[k] : '\0'; }

  void push(tk kind, std::size_t b) {
    if (kind == tk::punct) track_groups(s_.substr(b, i_ - b));
    if (kind == tk::ident && s_.substr(b, i_ - b) == "function" && !after_punct(".")) {
      function_expression_ = regex_allowed() && !statement_start();
    }
    out_.push_back({kind, b, i_});
    if (kind != tk::ws && kind != tk::newline && kind != tk::comment) {
      last_sig_ = static_cast<int>(out_.size()) - 1;
    }
  }

  std::string_view text(const token& t) const { return s_.substr(t.begin, t.end - t.begin); }

  // The significant token before `k` (-1: none).
  int prev_sig(int k) const {
    while (--k >= 0) {
      if (out_[k].kind != tk::ws && out_[k].kind != tk::newline && out_[k].kind != tk::comment) break;
    }
    return k;
  }
  // A line break follows the token at `k` among the tokens read so far.
  bool newline_after(int k) const {
    for (std::size_t j = static_cast<std::size_t>(k + 1); j < out_.size(); ++j) {
      if (text(out_[j]).find('\n') != std::string_view::npos) return true;
    }
    return false;
  }

  // The word at `k` is the keyword `w`: not a property name (`a.return`, §11.2.1).
  bool is_keyword_at(int k, std::string_view w) const {
    if (k < 0 || out_[k].kind != tk::ident || text(out_[k]) != w) return false;
    int before = prev_sig(k);
    return before < 0 || out_[before].kind != tk::punct || text(out_[before]) != ".";
  }
  bool after_ident(std::string_view w) const { return is_keyword_at(last_sig_, w); }
  bool after_punct(std::string_view p) const {
    return last_sig_ >= 0 && out_[last_sig_].kind == tk::punct && text(out_[last_sig_]) == p;
  }

  // What comes next starts a statement: after `;`, `{`, `}`, a head's or a function's `)`, `=>`,
  // `else`, `do`, a label's or a case's `:` (one outside brackets that no `?` waits for), and
  // where ASI ends the statement (§7.9): after `break`, `continue`, `debugger`, and
  // `return`/`throw` at the end of a line (`return` + newline + `{` is `return;` and a block).
  bool statement_start() const {
    bool outside_brackets = groups_.empty() || groups_.back() == group::block;
    return last_sig_ < 0 || after_punct(";") || after_punct("{") || after_punct("}") ||
           after_punct(")") || after_punct("=>") ||
           (after_punct(":") && outside_brackets && !ternary_colon_) ||
           after_ident("else") || after_ident("do") || after_ident("break") ||
           after_ident("continue") || after_ident("debugger") ||
           ((after_ident("return") || after_ident("throw")) && newline_after(last_sig_));
  }

  // Called before the punctuator `p` is added. A `{` opens an object literal where an expression
  // may start, except at a statement's start; after the `)` of a function expression's parameters
  // it opens that function's body, whose `}` is followed by a division like an object's.
  void track_groups(std::string_view p) {
    if (p == "(") {
      bool head = after_ident("if") || after_ident("while") || after_ident("for") ||
                  after_ident("with");
      bool params = after_ident("function") ||
                    (last_sig_ >= 0 && out_[last_sig_].kind == tk::ident &&
                     is_keyword_at(prev_sig(last_sig_), "function"));
      open(head                            ? group::head
           : params && function_expression_ ? group::expression_params
                                            : group::paren);
    } else if (p == "[") {
      open(group::bracket);
    } else if (p == "{") {
      bool body = after_punct(")") && last_closed_ == group::expression_params;
      open(body                                   ? group::expression_body
           : regex_allowed() && !statement_start() ? group::object
                                                   : group::block);
    } else if (p == ")" || p == "]" || p == "}") {
      // An unmatched `}` is taken for a block's, an unmatched `)` for an expression's.
      group g = !groups_.empty() ? groups_.back() : p == "}" ? group::block : group::paren;
      closed_no_expression_ = g == group::head || g == group::block;
      last_closed_ = g;
      if (!groups_.empty()) {
        groups_.pop_back();
        open_ternaries_ = saved_ternaries_.back();
        saved_ternaries_.pop_back();
      }
    } else if (p == "?") {
      ++open_ternaries_;
    } else if (p == ":") {
      ternary_colon_ = open_ternaries_ > 0;
      if (ternary_colon_) --open_ternaries_;
    }
  }

  // Each bracket counts the `?` in it still waiting for their `:`, so that `c ? 1 : {a: 1} / 2`
  // is told from a label's `x: {}`.
  void open(group g) {
    groups_.push_back(g);
    saved_ternaries_.push_back(open_ternaries_);
    open_ternaries_ = 0;
  }

  // `+` and `-` are one-character tokens here: the one at `k` ends `++`/`--` when it ends an even
  // run of them written together, which is postfix (`i++ / 2`) after an operand on the same line.
  bool ends_postfix_increment(int k) const {
    int first = k;
    while (first > 0 && out_[first - 1].kind == tk::punct &&
           text(out_[first - 1]) == text(out_[k])) {
      --first;
    }
    if ((k - first) % 2 == 0) return false;
    int before = first - 1;
    while (before >= 0 && (out_[before].kind == tk::ws || out_[before].kind == tk::newline ||
                           out_[before].kind == tk::comment)) {
      if (text(out_[before]).find('\n') != std::string_view::npos) return false;
      --before;
    }
    return before >= 0 && !regex_allowed_after(before);
  }

  bool regex_allowed() const { return regex_allowed_after(last_sig_); }

  // After `]`, an identifier, a literal, `)` or `}` as above, or a postfix `++`/`--`, `/` divides;
  // elsewhere it starts a regex, also after the keywords that take an operand and those that end
  // a statement by themselves (`break`, `continue`, `debugger`: a `/` cannot follow them, so after
  // a line break ASI ends the statement there), as in Duktape's lexer (which also divides after a
  // jump's label, an identifier). A keyword after `.` is a property name: `a.return / 2` divides.
  // `of`, `yield` and `await` are identifiers to Duktape (ES5.1: no for-of, generators or async),
  // so `of / 2` divides. `k` is a significant token (-1: none); when it is a `)` or `}`, it must be
  // the last one seen (the last significant token, or the one before a run of `+`/`-`).
  bool regex_allowed_after(int k) const {
    if (k < 0) return true;
    const token& t = out_[k];
    auto v = text(t);
    switch (t.kind) {
      case tk::punct:
        if (v == ")" || v == "}") return closed_no_expression_;
        if (v == "+" || v == "-") return !ends_postfix_increment(k);
        return v != "]";
      case tk::ident: {
        static constexpr std::array<std::string_view, 14> kw = {
            "return", "typeof", "instanceof", "in",    "new",      "delete",  "void",
            "throw",  "case",   "do",         "else",  "break",    "continue", "debugger"};
        for (auto w : kw) {
          if (is_keyword_at(k, w)) return true;
        }
        return false;
      }
      default: return false;
    }
  }

  void skip_string(char quote) {
    ++i_;
    while (i_ < s_.size() && s_[i_] != quote && s_[i_] != '\n') {
      if (s_[i_] == '\\') ++i_;
      ++i_;
    }
    if (i_ < s_.size() && s_[i_] == quote) ++i_;
  }

  // A template literal, `${ }` substitutions included (strings and nested templates inside them).
  void skip_template() {
    ++i_;
    while (i_ < s_.size() && s_[i_] != '`') {
      if (s_[i_] == '\\') {
        i_ += 2;
      } else if (s_[i_] == '$' && at(i_ + 1) == '{') {
        i_ += 2;
        int depth = 1;
        while (i_ < s_.size() && depth > 0) {
          char c = s_[i_];
          if (c == '{') {
            ++depth, ++i_;
          } else if (c == '}') {
            --depth, ++i_;
          } else if (c == '\'' || c == '"') {
            skip_string(c);
          } else if (c == '`') {
            skip_template();
          } else {
            ++i_;
          }
        }
      } else {
        ++i_;
      }
    }
    if (i_ < s_.size()) ++i_;
  }

  void skip_regex() {
    ++i_;
    bool in_class = false;
    while (i_ < s_.size() && s_[i_] != '\n') {
      char c = s_[i_];
      if (c == '\\') {
        i_ += 2;
        continue;
      }
      ++i_;
      if (c == '[') in_class = true;
      if (c == ']') in_class = false;
      if (c == '/' && !in_class) break;
    }
    while (i_ < s_.size() && ident_part(static_cast<unsigned char>(s_[i_]))) ++i_;
  }

  void next() {
    std::size_t b = i_;
    char c = s_[i_];
    if (c == '\n') {
      ++i_;
      return push(tk::newline, b);
    }
    if (c == ' ' || c == '\t' || c == '\v' || c == '\f') {
      while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\v' || s_[i_] == '\f')) ++i_;
      return push(tk::ws, b);
    }
    if (c == '/' && at(i_ + 1) == '/') {
      while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      return push(tk::comment, b);
    }
    if (c == '/' && at(i_ + 1) == '*') {
      auto e = s_.find("*/", i_ + 2);
      i_ = e == std::string_view::npos ? s_.size() : e + 2;
      return push(tk::comment, b);
    }
    if (c == '\'' || c == '"') {
      skip_string(c);
      return push(tk::string, b);
    }
    if (c == '`') {
      skip_template();
      return push(tk::templ, b);
    }
    if (c == '/' && regex_allowed()) {
      skip_regex();
      return push(tk::regex, b);
    }
    if (is_digit(c) || (c == '.' && is_digit(at(i_ + 1)))) {
      bool hex = c == '0' && (at(i_ + 1) == 'x' || at(i_ + 1) == 'X');
      while (i_ < s_.size() && (ident_part(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.')) {
        char d = s_[i_++];
        if (!hex && (d == 'e' || d == 'E') && (at(i_) == '+' || at(i_) == '-')) ++i_;
      }
      return push(tk::number, b);
    }
    if (ident_start(static_cast<unsigned char>(c))) {
      while (i_ < s_.size() && ident_part(static_cast<unsigned char>(s_[i_]))) {
        if (s_[i_] == '\\') ++i_;
        ++i_;
      }
      return push(tk::ident, b);
    }
    if (c == '=' && at(i_ + 1) == '>') {
      i_ += 2;
      return push(tk::punct, b);
    }
    if (c == '.' && at(i_ + 1) == '.' && at(i_ + 2) == '.') {
      i_ += 3;
      return push(tk::punct, b);
    }
    ++i_;
    push(tk::punct, b);
  }
};

// ---------------------------------------------------------------------------------------------

class editor {
 public:
  editor(std::string_view s, std::vector<token> t)
      : s_(s),
        t_(std::move(t)),
        replaced_(t_.size(), false),
        repl_(t_.size()),
        before_(t_.size()),
        after_(t_.size()) {}

  std::string_view text(std::size_t k) const { return s_.substr(t_[k].begin, t_[k].end - t_[k].begin); }
  const token& tok(std::size_t k) const { return t_[k]; }
  std::size_t size() const { return t_.size(); }
  bool significant(std::size_t k) const {
    return t_[k].kind != tk::ws && t_[k].kind != tk::newline && t_[k].kind != tk::comment;
  }
  bool touched(std::size_t k) const { return replaced_[k]; }
  // What token k renders as (its replacement when touched), without what is added around it.
  std::string_view rendered(std::size_t k) const { return replaced_[k] ? std::string_view(repl_[k]) : text(k); }

  void replace(std::size_t k, std::string with) {
    replaced_[k] = true;
    repl_[k] = std::move(with);
  }
  void append_after(std::size_t k, std::string_view with) { after_[k] += with; }
  void prepend_before(std::size_t k, std::string_view with) { before_[k].insert(0, with); }

  // Index of the next/previous significant token, or npos.
  std::size_t next_sig(std::size_t k) const {
    for (++k; k < t_.size(); ++k) {
      if (significant(k)) return k;
    }
    return npos;
  }
  std::size_t prev_sig(std::size_t k) const {
    while (k-- > 0) {
      if (significant(k)) return k;
    }
    return npos;
  }
  bool newline_between(std::size_t a, std::size_t b) const {
    for (std::size_t k = a + 1; k < b; ++k) {
      if (count_newlines(k) > 0) return true;
    }
    return false;
  }
  int count_newlines(std::size_t k) const {
    int n = 0;
    for (char c : text(k)) n += c == '\n';
    return n;
  }

  std::string render() const {
    std::string out;
    out.reserve(s_.size() + 64);
    for (std::size_t k = 0; k < t_.size(); ++k) {
      out += before_[k];
      if (replaced_[k]) {
        out += repl_[k];
      } else {
        out += text(k);
      }
      out += after_[k];
    }
    return out;
  }

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

 private:
  std::string_view s_;
  std::vector<token> t_;
  std::vector<bool> replaced_;
  std::vector<std::string> repl_;
  std::vector<std::string> before_;
  std::vector<std::string> after_;
};

inline bool is_punct(const editor& e, std::size_t k, std::string_view p) {
  return k != editor::npos && e.tok(k).kind == tk::punct && e.text(k) == p;
}
inline bool is_ident(const editor& e, std::size_t k, std::string_view p) {
  return k != editor::npos && e.tok(k).kind == tk::ident && e.text(k) == p;
}

}  // namespace wpadkit::pac::detail
