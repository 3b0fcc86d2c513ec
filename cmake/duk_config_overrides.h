/* wpadkit overrides (cmake/duk_config_overrides.h), spliced in at __OVERRIDE_DEFINES__. */

/* Runaway-script protection: Duktape calls the check every few thousand bytecodes; a non-zero
 * return throws a RangeError that the PAC engine reports as a timeout. The check dispatches through
 * the heap's udata (see cmake/duk_exec_timeout.c and proxycore/pac/duk_heap.hpp). */
#define DUK_USE_INTERRUPT_COUNTER
#if defined(__cplusplus)
extern "C" int wpadkit_duk_exec_timeout_check(void *udata);
#else
extern int wpadkit_duk_exec_timeout_check(void *udata);
#endif
#define DUK_USE_EXEC_TIMEOUT_CHECK(udata) wpadkit_duk_exec_timeout_check((udata))

/* Integer arithmetic without doubles: PAC scripts are mostly string compares and small integers. */
#define DUK_USE_FASTINT

/* Generated PACs (gfwlist-style) have long `||` chains and deep nesting that hit the default
 * compiler recursion limit of 2500. The engine compiles on a thread with a 256 MiB stack (see
 * proxycore/pac/pac_engine.cpp), enough for this depth; a 1 MiB PAC cannot nest much deeper. */
#undef DUK_USE_COMPILER_RECLIMIT
#define DUK_USE_COMPILER_RECLIMIT 100000
#undef DUK_USE_NATIVE_CALL_RECLIMIT
#define DUK_USE_NATIVE_CALL_RECLIMIT 1000

/* The clock a script sees (`new Date()`, Date.now()) is the PAC environment's injected clock, so that
 * `pactool --now` and tests pin it: Duktape asks the heap's udata (see cmake/duk_exec_timeout.c). */
#if defined(__cplusplus)
extern "C" double wpadkit_duk_date_get_now(void *ctx);
#else
extern double wpadkit_duk_date_get_now(void *ctx);
#endif
#undef DUK_USE_DATE_GET_NOW
#define DUK_USE_DATE_GET_NOW(ctx) wpadkit_duk_date_get_now((void *) (ctx))

/* Duktape runs some loops in C without the bytecode interrupt, notably the regular-expression
 * matcher (a backtracking pattern such as /^(a+)+$/ runs up to 1e9 steps) and the compiler. The
 * native stack check hook, called on every regexp recursion, native call, JSON nesting level and
 * (through one line wpadkit_duktape.cmake adds to duktape.c) compiler recursion, also consults the
 * deadline of the heap active on this thread (cmake/duk_exec_timeout.c; set by duk_heap::begin), and
 * keeps 256 KiB of the thread's C stack free (Duktape's own recursion limits are counts). */
#if defined(__cplusplus)
extern "C" int wpadkit_duk_native_check(void);
#else
extern int wpadkit_duk_native_check(void);
#endif
#undef DUK_USE_NATIVE_STACK_CHECK
#define DUK_USE_NATIVE_STACK_CHECK() wpadkit_duk_native_check()
