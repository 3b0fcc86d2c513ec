#pragma once
// js_tokens — a small JavaScript tokenizer for reading PAC files, not running them: enough to tell
// code from strings, comments, template and regex literals, so that lint rules and the `return`
// instrumentation of explain/coverage never touch text inside a literal.
//
// A `/` starts a regex literal when the previous significant token cannot end an expression (an
// operator, `(`, `,`, `{`, `;`, nothing, or a keyword such as `return`/`typeof`), the rule
// JavaScript tokenizers without a parser use; also after `break`, `continue`, `debugger` and a
// jump's label, where ASI ends the statement before a `/` on the next line. After `)`, `}`, `++`
// and `--` it depends on what they close or follow: a regex after the `)` of an if/while/for/with
// head, a block's `}` and a prefix `++`/`--`, a division after other `)`, an object literal's or a
// function expression's `}` and a postfix `++`/`--`. `return` + newline + `{` opens a block (ASI).
// `of`, `yield` and `await` are identifiers, as in Duktape (ES5.1: no for-of, generators or
// async), and so is a reserved word after `.` (`a.return / 2` divides) or naming a property in an
// object literal (`{return: 1}`).
// Template literals are one token, `${...}` included.
// Unterminated literals and comments end at the end of the text (the engine reports the syntax error).
//
// Examples:
//   `return "a/b" / 2;`  → keyword `return`, string `"a/b"`, punct `/`, number `2`, punct `;`
//   `x = /a\/b/g.test(h)` → ident `x`, punct `=`, regex `/a\/b/g`, punct `.`, ident `test`, ...
#include <string>
#include <string_view>
#include <vector>

namespace pactool {

struct js_token {
  enum class kind { identifier, keyword, number, string, template_string, regex, punct };
  kind type;
  std::string_view text;  // a view into the tokenized source
  std::size_t offset;     // byte offset of the first character
  int line;               // 1-based
  int column;             // 1-based, in bytes
  bool newline_before;    // a line break (or a comment containing one) precedes this token
};

// Tokenizes `source`; comments and whitespace are dropped. `source` must outlive the tokens.
std::vector<js_token> tokenize_js(std::string_view source);

// The value of a string token without quotes, with the simple escapes (\n, \t, \\, \', \") decoded;
// other escapes are kept as written.
std::string js_string_value(const js_token& t);

// True for the punctuation tokens that close a group: `)`, `]`, `}`.
inline bool is_punct(const js_token& t, std::string_view p) {
  return t.type == js_token::kind::punct && t.text == p;
}

}  // namespace pactool
