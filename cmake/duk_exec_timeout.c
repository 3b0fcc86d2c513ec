/* The function DUK_USE_EXEC_TIMEOUT_CHECK calls (see duk_config_overrides.h).
 *
 * It lives in the Duktape library itself so that the static library has no undefined symbol that
 * only a later library could satisfy. The heap udata, when set, starts with a function pointer that
 * the owner of the heap supplies (proxycore/pac/duk_heap.hpp: struct wpadkit_duk_udata). */
#include <stddef.h>

struct wpadkit_duk_udata_head {
  int (*exec_timeout_check)(void *udata);
};

int wpadkit_duk_exec_timeout_check(void *udata) {
  if (udata == NULL) return 0;
  struct wpadkit_duk_udata_head *head = (struct wpadkit_duk_udata_head *)udata;
  return head->exec_timeout_check != NULL ? head->exec_timeout_check(udata) : 0;
}
