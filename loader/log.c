/*
 * log.c - "[mlb] LEVEL source: message" lines to stderr or to the
 * application's callback, filtered by level.
 */
#include "config.h"

#include "loader.h"

#include <stdio.h>
#include <strings.h>

MLB_API const char *mlb_log_level_name(int32_t level) {
    switch (level) {
    case MLB_LOG_ERROR:
        return "error";
    case MLB_LOG_WARN:
        return "warn";
    case MLB_LOG_INFO:
        return "info";
    case MLB_LOG_DEBUG:
        return "debug";
    default:
        return "unknown";
    }
}

int32_t mlb_log_level_from_env(void) {
    const char *v = mlb_getenv("MLB_LOG");
    if (!v || !v[0])
        return MLB_LOG_ERROR;
    for (int32_t l = MLB_LOG_ERROR; l <= MLB_LOG_DEBUG; ++l)
        if (strcasecmp(v, mlb_log_level_name(l)) == 0)
            return l;
    if (strcasecmp(v, "warning") == 0)
        return MLB_LOG_WARN;
    if (strcasecmp(v, "off") == 0 || strcasecmp(v, "none") == 0)
        return 0;
    return MLB_LOG_ERROR;
}

static const char *level_tag(int32_t level) {
    switch (level) {
    case MLB_LOG_ERROR:
        return "ERROR";
    case MLB_LOG_WARN:
        return "WARN";
    case MLB_LOG_INFO:
        return "INFO";
    default:
        return "DEBUG";
    }
}

void mlb_log_line(const mlb_logger *log, int32_t level, const char *source, const char *message) {
    if (!log || level > log->level || level < MLB_LOG_ERROR)
        return;
    if (!source)
        source = "mlb";
    if (log->fn) {
        log->fn(log->user_data, level, source, message);
        return;
    }
    /* One fprintf per line: stdio locks the stream, so lines never interleave. */
    fprintf(stderr, "[mlb] %s %s: %s\n", level_tag(level), source, message);
}

void mlb_log(const mlb_logger *log, int32_t level, const char *source, const char *fmt, ...) {
    if (!log || level > log->level)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    mlb_log_line(log, level, source, line);
}
