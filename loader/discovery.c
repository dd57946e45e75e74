/*
 * discovery.c - which files are plugin candidates: paths given to the API,
 * else MLB_PLUGIN_PATH, else the installed plugin folder. Folders contribute
 * their *.so files (not recursively). The list is sorted by path and
 * de-duplicated by real path; paths that do not exist stay in the list with
 * their errno so the caller can report them. The current directory is never
 * searched: empty and relative entries of MLB_PLUGIN_PATH are ignored.
 */
#define _GNU_SOURCE 1 /* secure_getenv */
#include "config.h"

#include "loader.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef MLB_PLUGIN_DIR
#define MLB_PLUGIN_DIR "/usr/local/lib/ml_backend"
#endif

const char *mlb_getenv(const char *name) {
#ifdef HAVE_SECURE_GETENV
    return secure_getenv(name);
#else
    return getenv(name);
#endif
}

int mlb_name_in_list(const char *list, const char *name) {
    if (!list || !name)
        return 0;
    size_t len = strlen(name);
    const char *p = list;
    while (*p) {
        while (*p == ',' || *p == ' ' || *p == '\t')
            ++p;
        const char *start = p;
        while (*p && *p != ',')
            ++p;
        const char *end = p;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            --end;
        if ((size_t)(end - start) == len && len && memcmp(start, name, len) == 0)
            return 1;
    }
    return 0;
}

typedef struct cand_list {
    mlb_candidate *items;
    uint32_t count, cap;
    int oom;
} cand_list;

static void cand_push(cand_list *l, const char *path, int error) {
    if (l->oom)
        return;
    if (l->count == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 16;
        mlb_candidate *n = realloc(l->items, cap * sizeof *n);
        if (!n) {
            l->oom = 1;
            return;
        }
        l->items = n;
        l->cap = cap;
    }
    mlb_candidate *c = &l->items[l->count];
    c->path = strdup(path);
    c->real_path = NULL;
    c->error = error;
    if (!c->path) {
        l->oom = 1;
        return;
    }
    if (!error) {
        char buf[PATH_MAX];
        if (realpath(path, buf)) {
            c->real_path = strdup(buf);
            if (!c->real_path) {
                free(c->path);
                l->oom = 1;
                return;
            }
        } else {
            c->error = errno ? errno : ENOENT;
        }
    }
    l->count++;
}

static int has_so_suffix(const char *name) {
    size_t n = strlen(name);
    return n > 3 && strcmp(name + n - 3, ".so") == 0;
}

static void scan_folder(cand_list *l, const mlb_logger *log, const char *dir) {
    DIR *d = opendir(dir);
    if (!d) {
        cand_push(l, dir, errno ? errno : EACCES);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !has_so_suffix(e->d_name))
            continue;
        char path[PATH_MAX];
        int n = snprintf(path, sizeof path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
                         e->d_name);
        if (n < 0 || (size_t)n >= sizeof path)
            continue;
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            mlb_log(log, MLB_LOG_DEBUG, "mlb", "ignoring %s: not a regular file", path);
            continue;
        }
        cand_push(l, path, 0);
    }
    closedir(d);
}

/* One entry: a folder is scanned, anything else is a candidate file. A missing
 * default folder is normal (nothing installed) and is not listed. */
static void add_entry(cand_list *l, const mlb_logger *log, const char *entry, int is_default) {
    struct stat st;
    if (stat(entry, &st) != 0) {
        int err = errno ? errno : ENOENT;
        if (is_default) {
            mlb_log(log, MLB_LOG_INFO, "mlb", "plugin folder %s: %s", entry, strerror(err));
            return;
        }
        mlb_log(log, MLB_LOG_WARN, "mlb", "plugin path %s: %s", entry, strerror(err));
        cand_push(l, entry, err);
        return;
    }
    if (S_ISDIR(st.st_mode))
        scan_folder(l, log, entry);
    else
        cand_push(l, entry, 0);
}

static int cmp_path(const void *a, const void *b) {
    return strcmp(((const mlb_candidate *)a)->path, ((const mlb_candidate *)b)->path);
}

void mlb_candidates_free(mlb_candidate *list, uint32_t count) {
    for (uint32_t i = 0; list && i < count; ++i) {
        free(list[i].path);
        free(list[i].real_path);
    }
    free(list);
}

/* Keeps the first (in sorted order) of candidates with one real path, and of
 * failed paths with one spelling. */
static void dedup(cand_list *l, const mlb_logger *log) {
    uint32_t kept = 0;
    for (uint32_t i = 0; i < l->count; ++i) {
        mlb_candidate *c = &l->items[i];
        const char *key = c->real_path ? c->real_path : c->path;
        int dup = 0;
        for (uint32_t j = 0; j < kept && !dup; ++j) {
            const mlb_candidate *k = &l->items[j];
            dup = strcmp(key, k->real_path ? k->real_path : k->path) == 0 &&
                  !c->real_path == !k->real_path;
            if (dup)
                mlb_log(log, MLB_LOG_DEBUG, "mlb", "skipping %s: same file as %s", c->path,
                        k->path);
        }
        if (dup) {
            free(c->path);
            free(c->real_path);
        } else {
            l->items[kept++] = *c;
        }
    }
    l->count = kept;
}

mlb_status mlb_discover(const mlb_logger *log, const char *const *paths, uint32_t num_paths,
                        mlb_candidate **out, uint32_t *count) {
    cand_list l = {0};
    if (paths && num_paths) {
        for (uint32_t i = 0; i < num_paths; ++i)
            if (paths[i] && paths[i][0])
                add_entry(&l, log, paths[i], 0);
    } else {
        const char *env = mlb_getenv("MLB_PLUGIN_PATH");
        if (env && env[0]) {
            char *copy = strdup(env);
            if (!copy)
                return MLB_ERROR_OUT_OF_MEMORY;
            char *save = NULL;
            for (char *tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
                if (tok[0] != '/') {
                    mlb_log(log, MLB_LOG_WARN, "mlb",
                            "MLB_PLUGIN_PATH: ignoring relative entry '%s'", tok);
                    continue;
                }
                add_entry(&l, log, tok, 0);
            }
            free(copy);
        } else {
            add_entry(&l, log, MLB_PLUGIN_DIR, 1);
        }
    }
    if (l.oom) {
        mlb_candidates_free(l.items, l.count);
        return MLB_ERROR_OUT_OF_MEMORY;
    }
    if (l.count)
        qsort(l.items, l.count, sizeof *l.items, cmp_path);
    dedup(&l, log);
    *out = l.items;
    *count = l.count;
    return MLB_OK;
}
