/* The functions DUK_USE_EXEC_TIMEOUT_CHECK and DUK_USE_DATE_GET_NOW call (see duk_config_overrides.h).
 *
 * They live in the Duktape library itself so that the static library has no undefined symbol that
 * only a later library could satisfy. The heap udata, when set, starts with these function pointers,
 * which the owner of the heap supplies (proxycore/pac/duk_heap.hpp: struct heap_udata). */
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

void wpadkit_duk_set_active(void *udata) {
  wpadkit_active_udata = udata;
  wpadkit_check_tick = 0;
}

/* Reads the clock only every 256th call: the hook runs on every native call. */
int wpadkit_duk_native_check(void) {
  if (wpadkit_active_udata == NULL) return 0;
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
