/*
 * registry.c - process-wide bookkeeping of opened plugin libraries.
 *
 * dlopen() returns one copy of a library per process, whichever context opens
 * it, so a plugin's init/shutdown counter and the log sink it keeps are shared
 * by all contexts. This file holds the only process-wide state of libmlb:
 *   - one lock that serializes entry-point, init and shutdown calls (the ABI
 *     promises plugins that init and shutdown run under the loader's lock);
 *   - one entry per open library, the user_data of the plugin's log callback,
 *     listing the loggers of the contexts that use the library. It lives as
 *     long as some context holds the library, so a plugin may log until its
 *     last shutdown returns, from any thread.
 * Lock order: registry_lock, then an entry's sink_lock.
 */
#include "config.h"

#include "loader.h"

#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

typedef struct mlb_sink {
    const mlb_logger *log;
    struct mlb_sink *next;
} mlb_sink;

struct mlb_lib {
    void *dl;
    unsigned refs;
    pthread_mutex_t sink_lock; /* guards sinks and name */
    mlb_sink *sinks;
    char name[MLB_NAME_LEN];
    struct mlb_lib *next;
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mlb_lib *registry_libs;

void mlb_registry_lock(void) {
    pthread_mutex_lock(&registry_lock);
}

void mlb_registry_unlock(void) {
    pthread_mutex_unlock(&registry_lock);
}

struct mlb_lib *mlb_registry_acquire(void *dl, const char *display_name, const mlb_logger *log) {
    mlb_sink *sink = malloc(sizeof *sink);
    if (!sink)
        return NULL;
    struct mlb_lib *lib = registry_libs;
    while (lib && lib->dl != dl)
        lib = lib->next;
    if (!lib) {
        lib = calloc(1, sizeof *lib);
        if (!lib) {
            free(sink);
            return NULL;
        }
        lib->dl = dl;
        pthread_mutex_init(&lib->sink_lock, NULL);
        snprintf(lib->name, sizeof lib->name, "%s", display_name);
        lib->next = registry_libs;
        registry_libs = lib;
    }
    lib->refs++;
    sink->log = log;
    pthread_mutex_lock(&lib->sink_lock);
    sink->next = lib->sinks;
    lib->sinks = sink;
    pthread_mutex_unlock(&lib->sink_lock);
    return lib;
}

void mlb_registry_release(struct mlb_lib *lib, const mlb_logger *log) {
    if (!lib)
        return;
    pthread_mutex_lock(&lib->sink_lock);
    for (mlb_sink **p = &lib->sinks; *p; p = &(*p)->next) {
        if ((*p)->log == log) {
            mlb_sink *dead = *p;
            *p = dead->next;
            free(dead);
            break;
        }
    }
    pthread_mutex_unlock(&lib->sink_lock);
    if (--lib->refs)
        return;
    for (struct mlb_lib **p = &registry_libs; *p; p = &(*p)->next) {
        if (*p == lib) {
            *p = lib->next;
            break;
        }
    }
    pthread_mutex_destroy(&lib->sink_lock);
    free(lib);
}

void mlb_registry_set_name(struct mlb_lib *lib, const char *name) {
    pthread_mutex_lock(&lib->sink_lock);
    snprintf(lib->name, sizeof lib->name, "%s", name);
    pthread_mutex_unlock(&lib->sink_lock);
}

void mlb_registry_plugin_log(void *user_data, int32_t level, const char *message) {
    struct mlb_lib *lib = user_data;
    if (!lib || !message)
        return;
    pthread_mutex_lock(&lib->sink_lock);
    for (mlb_sink *s = lib->sinks; s; s = s->next)
        mlb_log_line(s->log, level, lib->name, message);
    pthread_mutex_unlock(&lib->sink_lock);
}
