#pragma once
// pac::compiled_pac — one PAC script after the compatibility pre-pass, compiled once to Duktape
// bytecode, from which any number of engines load (engine::load(const compiled_pac&, ...)) without
// compiling again: a pool compiles once per load or reload and gives every worker the same
// bytecode.
//
// Trust: Duktape does not validate bytecode, and loading bytecode it did not produce can corrupt
// memory. So the only way to make a compiled_pac is compile() here, in this process; there is no
// way to build one from outside bytes, and the bytecode is readable only by the engine.
//
// What the bytecode keeps: the script's line numbers (Duktape's pc-to-line tables), its source name
// as every function's fileName, function names, formals and variable maps; so runtime errors,
// including those thrown inside FindProxyForURL, carry the same message and line as from a source
// compile (pac_compiled_test.cpp). What a dump loses does not matter for a whole script: the loaded
// function gets the global environment (a program's own anyway) and no finalizer (it had none).
//
// Immutable once made: share it between threads (std::shared_ptr<const compiled_pac>).
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxycore/base/error.hpp"
#include "proxycore/pac/pac_engine.hpp"

namespace wpadkit::pac {

class duk_heap;  // duk_heap.hpp

class compiled_pac {
 public:
  // Pre-pass and compile `pac_text` on a scratch heap bounded by `options` (memory_limit,
  // load_timeout; max_pac_bytes on the text). Nothing of the script runs. `source_name` appears in
  // error messages, now and in those of every engine loaded from it. Errors: pac_too_large,
  // pac_syntax (with line, and a hint naming an unsupported construct), pac_timeout, pac_memory.
  //
  // Modern JavaScript: a script whose pre-pass finds ES2015+ syntax, or that Duktape rejects, is
  // down-levelled first (pac_downlevel.hpp) and the ES5 result compiled; a syntax error is then
  // the down-level compiler's, at the user's line and column. Its compiled form is shared like any
  // other: the down-level compiler runs once per compile, never per engine.
  static result<std::shared_ptr<const compiled_pac>> compile(std::string_view pac_text,
                                                             std::string source_name,
                                                             const engine_options& options = {});

  const std::string& source_name() const noexcept { return source_name_; }

  // As engine::reads_clock_or_local_address, decided from the text.
  bool reads_clock_or_local_address() const noexcept { return reads_clock_or_address_; }

  // The script went through the down-level compiler (pac_downlevel.hpp): its pre-pass scan found
  // ES2015+ syntax, or Duktape rejected the pre-pass output. False for an ES5 script, which is
  // compiled exactly as before the down-level path existed.
  bool downlevelled() const noexcept { return downlevelled_; }
  // Engines loading it install the ES2015+ built-ins first (pac_polyfills.js): the script names one,
  // or was down-levelled (for-of and spread use the polyfills' iteration).
  bool needs_polyfills() const noexcept { return needs_polyfills_; }

 private:
  friend class engine;  // the only reader of the bytecode
  compiled_pac() = default;

  // compile()'s size check: the error for a text over options.max_pac_bytes, if it is.
  static std::optional<error> too_large(std::string_view pac_text, const std::string& source_name,
                                        const engine_options& options);
  // compile() after its size check, on a heap the caller owns, on the caller's stack (which must be
  // the big compile stack, pac_big_stack.hpp). engine::load(text) compiles so on the heap the engine
  // then keeps, instead of on a scratch heap of its own: the program and its dump are popped
  // afterwards, and refcounting frees them at once.
  static result<std::shared_ptr<const compiled_pac>> compile_on(duk_heap& heap,
                                                                std::string_view pac_text,
                                                                std::string source_name,
                                                                const engine_options& options);

  std::string source_name_;
  std::vector<unsigned char> bytecode_;  // duk_dump_function of the program, made by compile()
  bool reads_clock_or_address_ = false;
  bool downlevelled_ = false;
  bool needs_polyfills_ = false;
};

}  // namespace wpadkit::pac
