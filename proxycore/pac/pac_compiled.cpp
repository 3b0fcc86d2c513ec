// pac::compiled_pac — see pac_compiled.hpp. compile() compiles the program on a scratch heap (no
// helpers are needed to compile, only to run; engine::load(text) uses the engine's own heap instead)
// and dumps it with duk_dump_function; engines load it with duk_load_function (pac_engine.cpp).
// Compiling and dumping both recurse per nesting level, so both run on the big compile stack.
#include "proxycore/pac/pac_compiled.hpp"

#include <array>
#include <optional>

#include "proxycore/pac/duk_heap.hpp"
#include "proxycore/pac/pac_big_stack.hpp"
#include "proxycore/pac/pac_downlevel.hpp"
#include "proxycore/pac/pac_nesting.hpp"
#include "proxycore/pac/pac_prepass.hpp"

namespace wpadkit::pac {
namespace {

// Safe-call arguments: plain data only (the bodies may be left by longjmp).
struct compile_args {
  const char* text;
  std::size_t size;
  const char* name;
};

// [] -> [program function]
duk_ret_t compile_program(duk_context* ctx, void* p) {
  auto* a = static_cast<compile_args*>(p);
  duk_push_lstring(ctx, a->text, a->size);
  duk_push_string(ctx, a->name);
  duk_compile(ctx, 0);
  return 1;
}

// [function] -> [bytecode buffer]
duk_ret_t dump_program(duk_context* ctx, void*) {
  duk_dump_function(ctx);
  return 1;
}

bool references_clock_or_address(std::string_view text) {
  static constexpr std::array<std::string_view, 5> names = {"Date", "weekdayRange", "dateRange",
                                                            "timeRange", "myIpAddress"};
  for (auto n : names) {
    if (text.find(n) != std::string_view::npos) return true;
  }
  return false;
}

// Compiles `text` (the pre-pass output) on `heap` and returns its bytecode. Syntax errors carry a
// hint found in `original` (the text the user has, whose lines the pre-pass keeps).
result<std::vector<unsigned char>> compile_to_bytecode(duk_heap& heap, const std::string& text,
                                                       std::string_view original,
                                                       const std::string& name,
                                                       std::chrono::milliseconds time_limit) {
  compile_args a{text.data(), text.size(), name.c_str()};
  heap.begin(time_limit);
  if (!heap.safe_call(&compile_program, &a, 0, 1)) {
    heap.end();
    error e = heap.take_error(errc::pac_syntax, name);
    if (e.is(errc::pac_syntax) && e.message.find("invalid regexp flags") != std::string::npos) {
      e.message += " (hint: the regular expression flags u, y and s (ES2015/ES2018) are not "
                   "supported by Duktape; write the pattern without them)";
    } else if (e.is(errc::pac_syntax) && e.line) {
      if (auto hint = syntax_hint(original, *e.line)) e.message += " (hint: " + *hint + ")";
    }
    return e;
  }
  bool dumped = heap.safe_call(&dump_program, nullptr, 1, 1);
  heap.end();
  if (!dumped) return heap.take_error(errc::pac_load, name);
  duk_size_t size = 0;
  auto* bytes = static_cast<const unsigned char*>(duk_get_buffer(heap.ctx(), -1, &size));
  std::vector<unsigned char> out(bytes, bytes + size);
  duk_pop(heap.ctx());
  return out;
}

}  // namespace

std::optional<error> compiled_pac::too_large(std::string_view pac_text,
                                             const std::string& source_name,
                                             const engine_options& options) {
  if (pac_text.size() <= options.max_pac_bytes) return std::nullopt;
  return error(errc::pac_too_large, "the PAC script is " + std::to_string(pac_text.size()) +
                                        " bytes, over the limit of " +
                                        std::to_string(options.max_pac_bytes) + " bytes")
      .at(source_name);
}

result<std::shared_ptr<const compiled_pac>> compiled_pac::compile_on(duk_heap& heap,
                                                                     std::string_view pac_text,
                                                                     std::string source_name,
                                                                     const engine_options& options) {
  std::shared_ptr<compiled_pac> out(new compiled_pac());
  out->source_name_ = std::move(source_name);
  out->reads_clock_or_address_ = references_clock_or_address(pac_text);
  if (auto e = check_nesting(pac_text, out->source_name_)) return std::move(*e);
  prepass_report report;
  std::string es5 = prepass(pac_text, {.bind_globals = true}, &report);
  out->needs_polyfills_ = report.modern_builtins;
  if (!report.modern_syntax) {
    // The ES5 path, as before: only a syntax error sends the script on to the down-level compiler
    // (ES2015 forms no token gives away: default or destructured parameters, method shorthands).
    auto code = compile_to_bytecode(heap, es5, pac_text, out->source_name_, options.load_timeout);
    // A script too deep for Duktape's compiler is no candidate either: Bublé's output is as deep, and
    // acorn would recurse as far again in JavaScript on the big stack.
    if (code || !code.error().is(errc::pac_syntax) ||
        code.error().message.find("recursion limit") != std::string::npos) {
      if (!code) return code.error();
      out->bytecode_ = std::move(*code);
      return std::shared_ptr<const compiled_pac>(std::move(out));
    }
  }
  std::vector<std::string> hidden;
  auto modern = downlevel(hide_large_literals(pac_text, hidden), out->source_name_,
                          options.load_timeout);
  if (!modern) return modern.error();
  auto code = compile_to_bytecode(
      heap, prepass(restore_large_literals(*modern, hidden), {.bind_globals = true}), pac_text,
      out->source_name_, options.load_timeout);
  if (!code) return code.error();
  out->bytecode_ = std::move(*code);
  out->downlevelled_ = true;
  out->needs_polyfills_ = true;
  return std::shared_ptr<const compiled_pac>(std::move(out));
}

result<std::shared_ptr<const compiled_pac>> compiled_pac::compile(std::string_view pac_text,
                                                                  std::string source_name,
                                                                  const engine_options& options) {
  if (auto e = too_large(pac_text, source_name, options)) return std::move(*e);
  auto heap = duk_heap::create(options.memory_limit);
  if (!heap) return heap.error();
  std::optional<result<std::shared_ptr<const compiled_pac>>> out;
  detail::run_on_big_stack(
      [&] { out.emplace(compile_on(*heap, pac_text, std::move(source_name), options)); });
  return std::move(*out);
}

}  // namespace wpadkit::pac
