/*
 * onednn_bench_direct.c - the "direct" side of onednn_bench: the case's op
 * built by hand from oneDNN primitives, as a framework calling oneDNN itself
 * would, with the layouts the oneDNN plugin's kernel layer picks
 * (plugins/onednn/matmul.c, conv2d.c, binary.c):
 *
 *   matmul  plain row-major a, b, out; `format_tag any` plus reorders only
 *           if the plain one is oneDNN's `ref:` implementation.
 *   conv2d  NCHW activations with oneDNN's weight layout (weights reordered
 *           every run) when that is a direct jit kernel; otherwise every
 *           layout `any`, with reorders from and back to NCHW.
 *   add     one binary primitive on plain memory.
 *
 * Host buffers, memory objects and primitives are created once; a run
 * executes every step on one stream, then waits for it. The library's own
 * scratchpad (the default) is used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dnnl.h>
#include <dnnl_debug.h>

#include "onednn_bench.h"

#define MAX_STEPS 4
#define MAX_MEMS 8

struct direct_side {
    int nsteps, nmems;
    dnnl_primitive_t prim[MAX_STEPS];
    int nargs[MAX_STEPS];
    dnnl_exec_arg_t args[MAX_STEPS][3];
    dnnl_memory_t mems[MAX_MEMS];
    void *host[3]; /* inputs 0 and 1, output */
    char impl[256];
};

static dnnl_engine_t engine;
static dnnl_stream_t stream;

static int ok(dnnl_status_t s, const char *what) {
    if (s != dnnl_success) {
        fprintf(stderr, "onednn_bench: direct: %s: %s\n", what, dnnl_status2str(s));
        return 0;
    }
    return 1;
}

int direct_init(void) {
    return ok(dnnl_engine_create(&engine, dnnl_cpu, 0), "engine_create") &&
                   ok(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags),
                      "stream_create")
               ? 0
               : -1;
}

void direct_fini(void) {
    dnnl_stream_destroy(stream);
    dnnl_engine_destroy(engine);
}

static const char *impl_of(const_dnnl_primitive_desc_t pd) {
    const char *s = NULL;
    return dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &s) == dnnl_success && s
               ? s
               : "?";
}

static const dnnl_memory_desc_t *md_of(const_dnnl_primitive_desc_t pd, int arg) {
    return dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, arg);
}

/* A memory object on `host` (NULL: oneDNN allocates), owned by d. */
static dnnl_memory_t new_mem(direct_side *d, const dnnl_memory_desc_t *md, void *host) {
    dnnl_memory_t m = NULL;
    if (d->nmems >= MAX_MEMS ||
        !ok(dnnl_memory_create(&m, md, engine, host ? host : DNNL_MEMORY_ALLOCATE),
            "memory_create")) {
        return NULL;
    }
    return d->mems[d->nmems++] = m;
}

/* Appends a primitive of `pd` (consumed) as the next step. */
static int add_step(direct_side *d, dnnl_primitive_desc_t pd, const char *what, int nargs,
                    const int *argk, const dnnl_memory_t *mems) {
    const size_t n = strlen(d->impl);
    snprintf(d->impl + n, sizeof(d->impl) - n, "%s%s(%s)", n ? " " : "", what, impl_of(pd));
    int r = d->nsteps < MAX_STEPS &&
            ok(dnnl_primitive_create(&d->prim[d->nsteps], pd), "primitive_create");
    dnnl_primitive_desc_destroy(pd);
    if (!r) {
        return -1;
    }
    d->nargs[d->nsteps] = nargs;
    for (int i = 0; i < nargs; ++i) {
        d->args[d->nsteps][i] = (dnnl_exec_arg_t){argk[i], mems[i]};
    }
    ++d->nsteps;
    return 0;
}

static int add_reorder(direct_side *d, dnnl_memory_t from, dnnl_memory_t to) {
    const dnnl_memory_desc_t *a, *b;
    dnnl_primitive_desc_t pd;
    dnnl_memory_get_memory_desc(from, &a);
    dnnl_memory_get_memory_desc(to, &b);
    if (!ok(dnnl_reorder_primitive_desc_create(&pd, a, engine, b, engine, NULL), "reorder")) {
        return -1;
    }
    const int argk[2] = {DNNL_ARG_FROM, DNNL_ARG_TO};
    const dnnl_memory_t mems[2] = {from, to};
    return add_step(d, pd, "reorder", 2, argk, mems);
}

/* The user's memory when the primitive takes its layout, else a new one in the primitive's. */
static dnnl_memory_t staged(direct_side *d, dnnl_memory_t user, const dnnl_memory_desc_t *want) {
    const dnnl_memory_desc_t *have;
    dnnl_memory_get_memory_desc(user, &have);
    return dnnl_memory_desc_equal(have, want) ? user : new_mem(d, want, NULL);
}

/* The compute step on the user's memories (inputs 0, 1, output) with reorders around it. */
static int add_compute(direct_side *d, dnnl_primitive_desc_t pd, const char *what, const int *argk,
                       const dnnl_memory_t *user) {
    dnnl_memory_t m[3];
    for (int i = 0; i < 3; ++i) {
        if (!(m[i] = staged(d, user[i], md_of(pd, argk[i])))) {
            dnnl_primitive_desc_destroy(pd);
            return -1;
        }
        if (i < 2 && m[i] != user[i] && add_reorder(d, user[i], m[i]) != 0) {
            dnnl_primitive_desc_destroy(pd);
            return -1;
        }
    }
    if (add_step(d, pd, what, 3, argk, m) != 0) {
        return -1;
    }
    return m[2] != user[2] ? add_reorder(d, m[2], user[2]) : 0;
}

/* The case's tensor i as a plain oneDNN memory descriptor. */
static void plain_md(const bench_case *c, int i, dnnl_memory_desc_t *md) {
    const mlb_tensor_desc *t = &c->t[i];
    static const dnnl_format_tag_t tags[5] = {dnnl_format_tag_undef, dnnl_a, dnnl_ab, dnnl_abc,
                                              dnnl_abcd};
    dnnl_dims_t dims = {0};
    memcpy(dims, t->shape, sizeof(int64_t) * (size_t)t->rank);
    const dnnl_data_type_t dt = t->dtype == MLB_DTYPE_BF16 ? dnnl_bf16 : dnnl_f32;
    dnnl_memory_desc_init_by_tag(md, t->rank, dims, dt, tags[t->rank]);
}

static void any_md(const dnnl_memory_desc_t *plain, dnnl_memory_desc_t *md) {
    dnnl_memory_desc_init_by_tag(md, plain->ndims, plain->dims, plain->data_type,
                                 dnnl_format_tag_any);
}

static int is_prefix(const_dnnl_primitive_desc_t pd, const char *p) {
    return strncmp(impl_of(pd), p, strlen(p)) == 0;
}

static dnnl_primitive_desc_t matmul_pd(const dnnl_memory_desc_t *u, int any) {
    dnnl_memory_desc_t m[3];
    for (int i = 0; i < 3; ++i) {
        if (any) {
            any_md(&u[i], &m[i]);
        } else {
            m[i] = u[i];
        }
    }
    dnnl_matmul_desc_t od;
    dnnl_primitive_desc_t pd = NULL;
    if (!ok(dnnl_matmul_desc_init(&od, &m[0], &m[1], NULL, &m[2]), "matmul_desc") ||
        !ok(dnnl_primitive_desc_create(&pd, &od, NULL, engine, NULL), "matmul")) {
        return NULL;
    }
    return pd;
}

/* Candidate A (any = 0): user activations, weights `any`; B (any = 1): everything `any`. */
static dnnl_primitive_desc_t conv_pd(const bench_case *c, const dnnl_memory_desc_t *u, int any) {
    dnnl_memory_desc_t x = u[0], w, y = u[2];
    any_md(&u[1], &w);
    if (any) {
        any_md(&u[0], &x), any_md(&u[2], &y);
    }
    const mlb_conv2d_attrs *a = &c->conv;
    const dnnl_dims_t st = {a->stride[0], a->stride[1]};
    const dnnl_dims_t dil = {a->dilation[0] - 1, a->dilation[1] - 1};
    const dnnl_dims_t pl = {a->padding[0], a->padding[2]}, pr = {a->padding[1], a->padding[3]};
    dnnl_convolution_desc_t od;
    dnnl_primitive_desc_t pd = NULL;
    if (!ok(dnnl_dilated_convolution_forward_desc_init(&od, dnnl_forward_inference,
                                                       dnnl_convolution_direct, &x, &w, NULL, &y,
                                                       st, dil, pl, pr),
            "convolution_desc")) {
        return NULL;
    }
    if (dnnl_primitive_desc_create(&pd, &od, NULL, engine, NULL) != dnnl_success) {
        return NULL; /* candidate A may not exist; B is tried */
    }
    return pd;
}

static dnnl_primitive_desc_t binary_pd(const dnnl_memory_desc_t *u) {
    dnnl_binary_desc_t od;
    dnnl_primitive_desc_t pd = NULL;
    if (!ok(dnnl_binary_desc_init(&od, dnnl_binary_add, &u[0], &u[1], &u[2]), "binary_desc") ||
        !ok(dnnl_primitive_desc_create(&pd, &od, NULL, engine, NULL), "binary")) {
        return NULL;
    }
    return pd;
}

/* Takes `alt` instead of `pd` when `better` says so; destroys the one not kept. */
static dnnl_primitive_desc_t keep(dnnl_primitive_desc_t pd, dnnl_primitive_desc_t alt, int better) {
    if (better) {
        dnnl_primitive_desc_destroy(pd);
        return alt;
    }
    dnnl_primitive_desc_destroy(alt);
    return pd;
}

/* The compute primitive the plugin's kernel layer would choose for this case. */
static dnnl_primitive_desc_t choose_pd(const bench_case *c, const dnnl_memory_desc_t *u,
                                       const char **what) {
    dnnl_primitive_desc_t pd, alt;
    switch (c->desc.op) {
    case MLB_OP_MATMUL:
        *what = "matmul";
        pd = matmul_pd(u, 0);
        if (pd && is_prefix(pd, "ref") && (alt = matmul_pd(u, 1))) {
            pd = keep(pd, alt, !is_prefix(alt, "ref"));
        }
        return pd;
    case MLB_OP_CONV2D:
        *what = "conv";
        pd = conv_pd(c, u, 0);
        if ((!pd || !(is_prefix(pd, "jit") || is_prefix(pd, "brg"))) && (alt = conv_pd(c, u, 1))) {
            pd = pd ? keep(pd, alt, !is_prefix(alt, "ref")) : alt;
        }
        if (!pd) {
            fprintf(stderr, "onednn_bench: direct: %s: no convolution\n", c->name);
        }
        return pd;
    default:
        *what = "binary";
        return binary_pd(u);
    }
}

direct_side *direct_create(const bench_case *c) {
    direct_side *d = calloc(1, sizeof(*d));
    if (!d) {
        return NULL;
    }
    dnnl_memory_desc_t u[3];
    dnnl_memory_t user[3];
    int bad = 0;
    for (int i = 0; i < 3; ++i) {
        plain_md(c, i, &u[i]);
        d->host[i] = aligned_alloc(64, (c->bytes[i] + 63) & ~(size_t)63);
        bad |= !d->host[i] || !(user[i] = new_mem(d, &u[i], d->host[i]));
        if (!bad && i < 2) {
            memcpy(d->host[i], c->data[i], c->bytes[i]);
        }
    }
    if (bad) {
        fprintf(stderr, "onednn_bench: direct: %s: out of memory\n", c->name);
    }
    const char *what = "";
    const int binary = c->desc.op == MLB_OP_ADD;
    const int argk[3] = {binary ? DNNL_ARG_SRC_0 : DNNL_ARG_SRC,
                         binary ? DNNL_ARG_SRC_1 : DNNL_ARG_WEIGHTS, DNNL_ARG_DST};
    dnnl_primitive_desc_t pd = bad ? NULL : choose_pd(c, u, &what);
    if (!pd || add_compute(d, pd, what, argk, user) != 0) {
        direct_destroy(d);
        return NULL;
    }
    return d;
}

int direct_run(direct_side *d) {
    for (int i = 0; i < d->nsteps; ++i) {
        if (!ok(dnnl_primitive_execute(d->prim[i], stream, d->nargs[i], d->args[i]), "execute")) {
            return -1;
        }
    }
    return ok(dnnl_stream_wait(stream), "stream_wait") ? 0 : -1;
}

void *direct_output(direct_side *d) {
    return d->host[2];
}

const char *direct_impl(const direct_side *d) {
    return d->impl;
}

void direct_destroy(direct_side *d) {
    if (!d) {
        return;
    }
    for (int i = 0; i < d->nsteps; ++i) {
        dnnl_primitive_destroy(d->prim[i]);
    }
    for (int i = 0; i < d->nmems; ++i) {
        dnnl_memory_destroy(d->mems[i]);
    }
    for (int i = 0; i < 3; ++i) {
        free(d->host[i]);
    }
    free(d);
}
