/* The testworker's --notify goes through sup_notify.h compiled as C, so the header's promise
 * (C and C++) is kept by a build that fails otherwise. */
#include "sdk/sup_notify.h"

int testworker_notify_from_c(const char* lines) { return sup_notify(lines); }
