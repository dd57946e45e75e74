/*
 * error.c - the calling thread's last error message (the get_last_error slot).
 *
 * Every entry point that fails sets it with a precise reason before returning;
 * a successful call leaves it as it was, so it always describes the last error
 * this plugin returned on the thread.
 */
#include <stdarg.h>
#include <stdio.h>

#include "cpu_ref.h"

static _Thread_local char last_error[CPUREF_MSG_LEN + 64];

mlb_status cpuref_error(mlb_status status, const char *fmt, ...) {
    int n = snprintf(last_error, sizeof(last_error), "%s: ", cpuref_the_backend.name);
    if (n < 0 || (size_t)n >= sizeof(last_error)) {
        n = 0;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error + n, sizeof(last_error) - (size_t)n, fmt, ap);
    va_end(ap);
    return status;
}

mlb_status cpuref_error_verbatim(mlb_status status, const char *message) {
    snprintf(last_error, sizeof(last_error), "%s", message);
    return status;
}

const char *cpuref_get_last_error(void) {
    return last_error;
}
