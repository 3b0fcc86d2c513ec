#include "pactool/js_tokens.hpp"

#include <array>
#include <cctype>

namespace pactool {
namespace {

// Keywords, literals and the reserved words PAC files meet. Not `of`, `yield` or `await`: Duktape
// (ES5.1, no for-of, generators or async) reads them as identifiers, so `of / 2` divides.
constexpr std::array<std::string_view, 34> keywords = {
    "break",  "case",   "catch",    "const",    "continue", "debugger", "default", "delete",
    "do",     "else",   "finally",  "for",      "function", "if",       "in",      "instanceof",
    "let",    "new",    "return",   "switch",   "this",     "throw",    "try",     "typeof",
    "var",    "void",   "while",    "with",     "null",     "true",     "false",   "class",
    "extends", "super"};

// Keywords after which a `/` begins a regex rather than a division: those that take an operand,
// and those that end a statement by themselves (§7.9: `break`/`continue`/`debugger` cannot be
// followed by a `/`, so after a line break ASI ends the statement and the `/` starts the next).
// Duktape's lexer decides the same way; after a jump's label (`break outer`), an identifier, it
// reads a division, so a `/re/` on the next line is a syntax error there, and a division here.
constexpr std::array<std::string_view, 14> regex_after = {
    "return", "typeof", "instanceof", "in",    "new",      "delete",  "void",
    "throw",  "case",   "do",         "else",  "break",    "continue", "debugger"};

bool is_keyword(std::string_view w) {
  for (auto k : keywords) {
    if (k == w) return true;
  }
  return false;
}

bool ident_start(unsigned char c) { return std::isalpha(c) || c == '_' || c == '$' || c >= 0x80; }
bool ident_part(unsigned char c) { return ident_start(c) || std::isdigit(c); }

// Three-, two- and one-character punctuators, longest first.
constexpr std::array<std::string_view, 26> long_puncts = {
    ">>>=", "===", "!==", ">>>", "<<=", ">>=", "**=", "...", "=>", "==", "!=", "<=", ">=",
    "&&",   "||",  "??",  "?.",  "++",  "--",  "+=",  "-=",  "*=", "/=", "%=", "&=", "|="};

class tokenizer {
 public:
  explicit tokenizer(std::string_view s) : s_(s) {}

  std::vector<js_token> run() {
    while (true) {
      bool nl = skip_space_and_comments();
      if (pos_ >= s_.size()) break;
      start_ = pos_;
      start_line_ = line_;
      start_col_ = col();
      bool operand = regex_allowed();  // an expression may start here
      js_token::kind k = scan();
      out_.push_back(js_token{k, s_.substr(start_, pos_ - start_), start_, start_line_, start_col_, nl});
      track_groups(out_.back(), operand);
    }
    return std::move(out_);
  }

 private:
  int col() const { return static_cast<int>(pos_ - line_start_) + 1; }

  void advance() {
    if (s_[pos_] == '\n') {
      ++line_;
      line_start_ = pos_ + 1;
    }
    ++pos_;
  }

  bool skip_space_and_comments() {
    bool nl = false;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '\n') {
        nl = true;
        advance();
      } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
        advance();
      } else if (c == '/' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '/') {
        while (pos_ < s_.size() && s_[pos_] != '\n') advance();
      } else if (c == '/' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '*') {
        advance();
        advance();
        while (pos_ < s_.size() && !(s_[pos_] == '*' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '/')) {
          if (s_[pos_] == '\n') nl = true;
          advance();
        }
        if (pos_ < s_.size()) {
          advance();
          advance();
        }
      } else if (static_cast<unsigned char>(c) == 0xEF && s_.substr(pos_, 3) == "\xEF\xBB\xBF") {
        pos_ += 3;  // byte-order mark
      } else {
        break;
      }
    }
    return nl;
  }

  // What a `/` after `)`, `}`, `++` or `--` is depends on more than that token, so each sets
  // ends_no_expression_ (true: a `/` right after it starts a regex), as JavaScript tokenizers do:
  //   `)` closing the head of if/while/for/with: `if (x) /re/.test(y)`; other `)` divide;
  //   `}` closing a block: `if (x) {} /re/.test(y)`; an object literal's or a function
  //   expression's body's divides: `{a: 1} / 2`, `f = function () {} / 2`;
  //   `++`/`--` after an operand on its line is postfix and divides: `i++ / 2`; a prefix one
  //   takes an operand: `++/re/.lastIndex`.
  // A `{` opens an object literal, and `function` a function expression, where an expression may
  // start, except at a statement's start (see statement_start). The stack holds each open bracket;
  // expression_params is the parameter list of a function expression, whose `)` makes the next `{`
  // its body.
  enum class group { paren, head, bracket, block, object, expression_params, expression_body };

  // `t` starts a statement, given the token before it (at `prev_index`, npos: none): after `;`,
  // `{`, `}`, a head's or a function's `)`, `=>`, `else`, `do`, a label's or a case's `:` (one
  // outside brackets that no `?` waits for), and where ASI ends the statement before `t`
  // (§7.9): after `break`, `continue`, `debugger`, and `return`/`throw` at the end of a line
  // (`return` + newline + `{` is `return;` and a block).
  bool statement_start(std::size_t prev_index, const js_token& t) const {
    if (prev_index == npos) return true;
    const js_token* prev = &out_[prev_index];
    auto keyword = [&](std::string_view w) {
      return prev->type == js_token::kind::keyword && prev->text == w;
    };
    bool outside_brackets = groups_.empty() || groups_.back() == group::block;
    return is_punct(*prev, ";") || is_punct(*prev, "{") || is_punct(*prev, "}") ||
           is_punct(*prev, ")") || is_punct(*prev, "=>") ||
           (is_punct(*prev, ":") && outside_brackets && !ternary_colon_) || keyword("else") ||
           keyword("do") ||
           keyword("break") || keyword("continue") || keyword("debugger") ||
           ((keyword("return") || keyword("throw")) && t.newline_before);
  }

  void track_groups(const js_token& t, bool operand) {
    std::size_t prev_index = out_.size() >= 2 ? out_.size() - 2 : npos;
    const js_token* prev = prev_index != npos ? &out_[prev_index] : nullptr;
    auto prev_keyword = [&](std::string_view w) {
      return prev && prev->type == js_token::kind::keyword && prev->text == w;
    };
    if (t.type == js_token::kind::keyword && t.text == "function") {
      function_expression_ = operand && !statement_start(prev_index, t);
      return;
    }
    if (t.type != js_token::kind::punct) return;
    if (t.text == "(") {
      bool head = prev_keyword("if") || prev_keyword("while") || prev_keyword("for") ||
                  prev_keyword("with");
      bool params = prev_keyword("function") ||
                    (prev && prev->type == js_token::kind::identifier && out_.size() >= 3 &&
                     out_[out_.size() - 3].type == js_token::kind::keyword &&
                     out_[out_.size() - 3].text == "function");
      open(head                            ? group::head
           : params && function_expression_ ? group::expression_params
                                            : group::paren);
    } else if (t.text == "[") {
      open(group::bracket);
    } else if (t.text == "{") {
      bool body = prev && is_punct(*prev, ")") && last_closed_ == group::expression_params;
      open(body                                       ? group::expression_body
           : operand && !statement_start(prev_index, t) ? group::object
                                                     : group::block);
    } else if (t.text == ")" || t.text == "]" || t.text == "}") {
      // An unmatched `}` is taken for a block's, an unmatched `)` for an expression's.
      group g = !groups_.empty() ? groups_.back() : t.text == "}" ? group::block : group::paren;
      ends_no_expression_ = g == group::head || g == group::block;
      last_closed_ = g;
      if (!groups_.empty()) {
        groups_.pop_back();
        open_ternaries_ = saved_ternaries_.back();
        saved_ternaries_.pop_back();
      }
    } else if (t.text == "?") {
      ++open_ternaries_;
    } else if (t.text == ":") {
      ternary_colon_ = open_ternaries_ > 0;
      if (ternary_colon_) --open_ternaries_;
      // In an object literal a reserved word before `:` is a property name (`{return: 1}`).
      std::size_t n = out_.size();
      if (!ternary_colon_ && !groups_.empty() && groups_.back() == group::object && n >= 3 &&
          out_[n - 2].type == js_token::kind::keyword &&
          (is_punct(out_[n - 3], "{") || is_punct(out_[n - 3], ","))) {
        out_[n - 2].type = js_token::kind::identifier;
      }
    } else if (t.text == "++" || t.text == "--") {
      ends_no_expression_ = operand || t.newline_before;
    }
  }

  // Each bracket counts the `?` in it still waiting for their `:`, so that `c ? 1 : {a: 1} / 2`
  // is told from a label's `x: {}`.
  void open(group g) {
    groups_.push_back(g);
    saved_ternaries_.push_back(open_ternaries_);
    open_ternaries_ = 0;
  }

  bool regex_allowed() const {
    if (out_.empty()) return true;
    const auto& p = out_.back();
    switch (p.type) {
      case js_token::kind::identifier:
      case js_token::kind::number:
      case js_token::kind::string:
      case js_token::kind::template_string:
      case js_token::kind::regex:
        return false;
      case js_token::kind::keyword:
        for (auto k : regex_after) {
          if (k == p.text) return true;
        }
        return false;
      case js_token::kind::punct:
        if (p.text == ")" || p.text == "}" || p.text == "++" || p.text == "--") {
          return ends_no_expression_;
        }
        return p.text != "]";
    }
    return true;
  }

  void scan_quoted(char quote) {
    advance();
    while (pos_ < s_.size() && s_[pos_] != quote && s_[pos_] != '\n') {
      if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) advance();
      advance();
    }
    if (pos_ < s_.size() && s_[pos_] == quote) advance();
  }

  void scan_template() {
    advance();
    int depth = 0;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (depth == 0 && c == '`') {
        advance();
        return;
      }
      if (c == '\\' && pos_ + 1 < s_.size()) {
        advance();
      } else if (depth == 0 && c == '$' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '{') {
        advance();
        depth = 1;
      } else if (depth > 0 && c == '{') {
        ++depth;
      } else if (depth > 0 && c == '}') {
        --depth;
      } else if (depth > 0 && (c == '"' || c == '\'')) {
        scan_quoted(c);
        continue;
      }
      advance();
    }
  }

  void scan_regex() {
    advance();
    bool in_class = false;
    while (pos_ < s_.size() && s_[pos_] != '\n') {
      char c = s_[pos_];
      if (c == '\\' && pos_ + 1 < s_.size()) {
        advance();
      } else if (c == '[') {
        in_class = true;
      } else if (c == ']') {
        in_class = false;
      } else if (c == '/' && !in_class) {
        advance();
        break;
      }
      advance();
    }
    while (pos_ < s_.size() && ident_part(static_cast<unsigned char>(s_[pos_]))) advance();
  }

  js_token::kind scan() {
    unsigned char c = static_cast<unsigned char>(s_[pos_]);
    if (ident_start(c)) {
      while (pos_ < s_.size() && ident_part(static_cast<unsigned char>(s_[pos_]))) advance();
      // After `.` a reserved word is a property name (§11.2.1: `a.return / 2` divides).
      bool property = !out_.empty() && is_punct(out_.back(), ".");
      return !property && is_keyword(s_.substr(start_, pos_ - start_)) ? js_token::kind::keyword
                                                                       : js_token::kind::identifier;
    }
    if (std::isdigit(c) || (c == '.' && pos_ + 1 < s_.size() &&
                            std::isdigit(static_cast<unsigned char>(s_[pos_ + 1])))) {
      while (pos_ < s_.size()) {
        unsigned char d = static_cast<unsigned char>(s_[pos_]);
        if (std::isalnum(d) || d == '.' || d == '_') {
          advance();
        } else if ((d == '+' || d == '-') &&
                   (s_[pos_ - 1] == 'e' || s_[pos_ - 1] == 'E') &&
                   !(s_.size() > start_ + 1 && (s_[start_ + 1] == 'x' || s_[start_ + 1] == 'X'))) {
          advance();
        } else {
          break;
        }
      }
      return js_token::kind::number;
    }
    if (c == '"' || c == '\'') {
      scan_quoted(static_cast<char>(c));
      return js_token::kind::string;
    }
    if (c == '`') {
      scan_template();
      return js_token::kind::template_string;
    }
    if (c == '/' && regex_allowed()) {
      scan_regex();
      return js_token::kind::regex;
    }
    for (auto p : long_puncts) {
      if (s_.substr(pos_, p.size()) == p) {
        pos_ += p.size();
        return js_token::kind::punct;
      }
    }
    advance();
    return js_token::kind::punct;
  }

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  std::vector<group> groups_;
  group last_closed_ = group::paren;  // what the last `)`, `]` or `}` closed
  bool function_expression_ = false;  // the last `function` began a function expression
  std::vector<int> saved_ternaries_;  // open_ternaries_ of the brackets around, one per group
  int open_ternaries_ = 0;
  bool ternary_colon_ = false;  // the last `:` was a ternary's
  bool ends_no_expression_ = false;
  std::string_view s_;
  std::size_t pos_ = 0;
  std::size_t line_start_ = 0;
  int line_ = 1;
  std::size_t start_ = 0;
  int start_line_ = 1;
  int start_col_ = 1;
  std::vector<js_token> out_;
};

}  // namespace

std::vector<js_token> tokenize_js(std::string_view source) { return tokenizer(source).run(); }

std::string js_string_value(const js_token& t) {
  std::string_view body = t.text;
  if (body.size() >= 2) body = body.substr(1, body.size() - 2);
  std::string out;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\\' && i + 1 < body.size()) {
      char n = body[i + 1];
      if (n == 'n') out += '\n';
      else if (n == 't') out += '\t';
      else if (n == '\\' || n == '\'' || n == '"') out += n;
      else {
        out += '\\';
        out += n;
      }
      ++i;
    } else {
      out += body[i];
    }
  }
  return out;
}

}  // namespace pactool
