/* The functions DUK_USE_EXEC_TIMEOUT_CHECK and DUK_USE_DATE_GET_NOW call (see duk_config_overrides.h).
 *
 * They live in the Duktape library itself so that the static library has no undefined symbol that
 * only a later library could satisfy. The heap udata, when set, starts with these function pointers,
 * which the owner of the heap supplies (proxycore/pac/duk_heap.hpp: struct heap_udata). */
#define _GNU_SOURCE /* pthread_getattr_np */
#include <pthread.h>
#include <stddef.h>
#include <sys/time.h>

#include "duktape.h"

struct wpadkit_duk_udata_head {
  int (*exec_timeout_check)(void *udata);
  double (*date_now)(void *udata); /* milliseconds since the epoch; NULL: the system clock */
};

int wpadkit_duk_exec_timeout_check(void *udata) {
  if (udata == NULL) return 0;
  struct wpadkit_duk_udata_head *head = (struct wpadkit_duk_udata_head *)udata;
  return head->exec_timeout_check != NULL ? head->exec_timeout_check(udata) : 0;
}

/* The heap whose bounded operation runs on this thread (duk_heap::begin/end), for the native check. */
static _Thread_local void *wpadkit_active_udata = NULL;
static _Thread_local unsigned wpadkit_check_tick = 0;

/* The native check is also what its name says: Duktape recurses in C (the compiler once or more per
 * nesting level, also for eval() at run time on the calling thread's stack; native calls; regexps;
 * JSON), and its own limits are counts, not bytes: DUK_USE_COMPILER_RECLIMIT is raised for the big
 * compile stack, so an eval() of 30,000 nested functions overflowed an 8 MiB stack (a segfault).
 * Below this much room left on the thread's stack, the check fails: Duktape throws a RangeError
 * ("C stack depth limit") that the engine reports as the script's error. One step between two
 * checks (a compiler level, a native call) takes a few KiB. */
#define WPADKIT_STACK_MARGIN (256u * 1024u)
static _Thread_local const char *wpadkit_stack_floor = NULL; /* lowest usable address; NULL: unknown */
static _Thread_local int wpadkit_stack_probed = 0;

static void wpadkit_probe_stack(void) {
  pthread_attr_t attr;
  void *addr = NULL;
  size_t size = 0;
  wpadkit_stack_probed = 1;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
  if (pthread_attr_getstack(&attr, &addr, &size) == 0 && size > 2 * WPADKIT_STACK_MARGIN) {
    wpadkit_stack_floor = (const char *)addr + WPADKIT_STACK_MARGIN; /* stacks grow down here */
  }
  pthread_attr_destroy(&attr);
}

void wpadkit_duk_set_active(void *udata) {
  wpadkit_active_udata = udata;
  wpadkit_check_tick = 0;
  if (udata != NULL && !wpadkit_stack_probed) wpadkit_probe_stack();
}

/* Compares the frame address on every call (the frame, not a local's address, which a sanitizer's
 * fake stack may place elsewhere); reads the clock only every 256th: the hook runs on every native
 * call. */
int wpadkit_duk_native_check(void) {
  if (wpadkit_active_udata == NULL) return 0;
  if (wpadkit_stack_floor != NULL && (const char *)__builtin_frame_address(0) < wpadkit_stack_floor) {
    return 1;
  }
  if ((++wpadkit_check_tick & 255u) != 0) return 0;
  return wpadkit_duk_exec_timeout_check(wpadkit_active_udata);
}

double wpadkit_duk_date_get_now(void *ctx) {
  duk_memory_functions funcs;
  duk_get_memory_functions((duk_context *)ctx, &funcs);
  if (funcs.udata != NULL) {
    struct wpadkit_duk_udata_head *head = (struct wpadkit_duk_udata_head *)funcs.udata;
    if (head->date_now != NULL) return head->date_now(funcs.udata);
  }
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (double)tv.tv_sec * 1000.0 + (double)tv.tv_usec / 1000.0;
}
