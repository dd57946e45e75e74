/*
 * run_case.c - mlb-run's case: built from --shape (values drawn by the
 * conformance generator) or --in FILE.npy, with --strides/--offsets/
 * --out-strides layouts and --attr attributes; or taken whole from the
 * conformance generator with --family NAME --seed N [--full].
 *
 * Generated values use casegen's splitmix64 stream and value kinds
 * (conformance/casegen_impl.h), with the same value family per op and input
 * as the conformance cases (conformance/casegen_ops.c): integer-valued fills
 * for matmul, conv2d and sums, a 1/16 grid for elementwise ops, positive
 * values for log/sqrt/rsqrt/pow bases, in-range indices for gather.
 */
#include "mlb_run.h"

#include "casegen_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failv(char *err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, RUN_ERR_LEN, fmt, ap);
    va_end(ap);
    return -1;
}

/* Largest extent of one axis: keeps every shape computation far from 64-bit overflow. */
#define RUN_MAX_EXTENT ((int64_t)1 << 40)

#define FAIL(...) return (failv(err, __VA_ARGS__), RUN_EXIT_USAGE)

static int is_unary(int32_t op) {
    return op >= MLB_OP_NEG && op <= MLB_OP_SILU;
}
static int is_binary(int32_t op) {
    return op >= MLB_OP_ADD && op <= MLB_OP_POW;
}
static int is_reduce(int32_t op) {
    return op >= MLB_OP_REDUCE_SUM && op <= MLB_OP_REDUCE_PROD;
}

/* ---- text ----------------------------------------------------------------------------------- */

void run_dims_text(const int64_t *d, int32_t rank, char *buf, size_t cap) {
    size_t n = (size_t)snprintf(buf, cap, "[");
    for (int32_t k = 0; k < rank && n < cap; ++k) {
        n += (size_t)snprintf(buf + n, cap - n, k ? ",%lld" : "%lld", (long long)d[k]);
    }
    if (n < cap) {
        snprintf(buf + n, cap - n, "]");
    }
}

void run_tensor_text(const mlb_tensor_desc *t, char *buf, size_t cap) {
    char s[200], st[200];
    run_dims_text(t->shape, t->rank, s, sizeof s);
    run_dims_text(t->strides, t->rank, st, sizeof st);
    snprintf(buf, cap, "%s %s strides %s offset %llu", mlbc_dtype_name(t->dtype), s, st,
             (unsigned long long)t->byte_offset);
}

/* ---- descriptor syntax ---------------------------------------------------------------------- */

int run_parse_dims(const char *s, size_t len, int64_t *dims, int allow_t, char *err) {
    (void)allow_t;
    if (len == 0 || (len == 1 && s[0] == '_')) {
        return 0;
    }
    int32_t rank = 0;
    size_t i = 0;
    for (;;) {
        if (rank == MLB_MAX_RANK) {
            return failv(err, "'%.*s': more than %d axes", (int)len, s, MLB_MAX_RANK);
        }
        if (i >= len || s[i] < '0' || s[i] > '9') {
            return failv(err, "'%.*s': expected extents such as 4x128x256 ('_' for a scalar)",
                         (int)len, s);
        }
        int64_t v = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            const int d = s[i++] - '0';
            if (v > (INT64_MAX - d) / 10) {
                return failv(err, "'%.*s': a number overflows 64 bits", (int)len, s);
            }
            v = v * 10 + d;
        }
        dims[rank++] = v;
        if (i == len) {
            return rank;
        }
        if (s[i] != 'x') {
            return failv(err, "'%.*s': expected extents such as 4x128x256 ('_' for a scalar)",
                         (int)len, s);
        }
        ++i;
    }
}

/* Splits "a:b:c" into fields. @return the count, or -1 when there are more than max. */
static int split_fields(const char *s, const char **f, size_t *len, int max) {
    int n = 0;
    for (;;) {
        const char *colon = strchr(s, ':');
        if (n == max) {
            return -1;
        }
        f[n] = s;
        len[n] = colon ? (size_t)(colon - s) : strlen(s);
        ++n;
        if (!colon) {
            return n;
        }
        s = colon + 1;
    }
}

static void contiguous(mlb_tensor_desc *t, int32_t dtype, int32_t rank, const int64_t *shape) {
    memset(t, 0, sizeof *t);
    t->struct_size = MLB_STRUCT_SIZE(mlb_tensor_desc, byte_offset);
    t->dtype = dtype;
    t->rank = rank;
    int64_t s = 1;
    for (int32_t k = rank - 1; k >= 0; --k) {
        t->shape[k] = shape[k];
        t->strides[k] = s;
        s *= shape[k] > 0 ? shape[k] : 1;
    }
}

/* Applies one --strides field ("1x4", "T" = dense with the last two axes swapped, "" = keep). */
static int apply_strides(mlb_tensor_desc *t, const char *f, size_t len, const char *what,
                         char *err) {
    if (len == 0) {
        return 0;
    }
    if (len == 1 && f[0] == 'T') {
        if (t->rank < 2) {
            return failv(err, "--strides T for %s: needs rank >= 2", what);
        }
        const int32_t r = t->rank;
        int64_t s = 1;
        int order[MLB_MAX_RANK];
        for (int32_t k = 0; k < r; ++k) {
            order[k] = k;
        }
        order[r - 2] = r - 1, order[r - 1] = r - 2;
        for (int32_t k = r - 1; k >= 0; --k) {
            t->strides[order[k]] = s;
            s *= t->shape[order[k]] > 0 ? t->shape[order[k]] : 1;
        }
        return 0;
    }
    int64_t st[MLB_MAX_RANK];
    char e[RUN_ERR_LEN];
    const int n = run_parse_dims(f, len, st, 0, e);
    if (n < 0) {
        return failv(err, "strides of %s: %s", what, e);
    }
    if (n != t->rank) {
        return failv(err, "strides of %s: %d given for rank %d", what, n, (int)t->rank);
    }
    memcpy(t->strides, st, sizeof st[0] * (size_t)n);
    return 0;
}

static int same_shape(const mlb_tensor_desc *t, const int64_t *shape, int32_t rank) {
    if (t->rank != rank) {
        return 0;
    }
    for (int32_t k = 0; k < rank; ++k) {
        if (t->shape[k] != shape[k]) {
            return 0;
        }
    }
    return 1;
}

/* ---- generated values ----------------------------------------------------------------------- */

static cg_dist mk(int kind, double lo, double hi) {
    cg_dist d = {kind, lo, hi};
    return d;
}

static cg_dist exact_ints(int32_t dt, int wide) {
    return dt == MLB_DTYPE_BF16  ? mk(CG_INT, -2, 2)
           : dt == MLB_DTYPE_F16 ? mk(CG_INT, -3, 3)
           : wide                ? mk(CG_INT, -4, 4)
                                 : mk(CG_INT, -3, 3);
}

/* The value family of input i, as conformance/casegen_ops.c draws it. */
static cg_dist value_dist(const mlbc_case *c, uint32_t i) {
    const int32_t op = c->op, dt = c->in[0].dtype;
    const int fl = mlbc_dtype_is_float(dt);
    if (is_unary(op)) {
        return !fl ? mk(CG_FULLINT, 0, 0)
               : op == MLB_OP_LOG || op == MLB_OP_SQRT || op == MLB_OP_RSQRT
                   ? mk(CG_GRID, 1.0 / 16, 8)
               : op == MLB_OP_EXP ? mk(CG_GRID, -6, 6)
                                  : mk(CG_GRID, -5, 5);
    }
    if (is_binary(op)) {
        if (!fl) {
            return mk(CG_FULLINT, 0, 0);
        }
        if (op == MLB_OP_DIV && i == 1) {
            return mk(CG_GRID, 0.25, 4);
        }
        if (op == MLB_OP_POW) {
            return i == 0 ? mk(CG_GRID, 1.0 / 16, 4) : mk(CG_GRID, -3, 3);
        }
        return mk(CG_GRID, -4, 4);
    }
    if (is_reduce(op)) {
        switch (op) {
        case MLB_OP_REDUCE_SUM:
            return fl ? exact_ints(dt, 1) : mk(CG_FULLINT, 0, 0);
        case MLB_OP_REDUCE_MEAN:
            return exact_ints(dt, 1);
        case MLB_OP_REDUCE_PROD:
            return mk(CG_UNIFORM, 0.8, 1.25);
        default:
            return fl ? mk(CG_GRID, -8, 8) : mk(CG_FULLINT, 0, 0);
        }
    }
    switch (op) {
    case MLB_OP_CAST:
        return mk(CG_CAST, 0, 0);
    case MLB_OP_COPY:
        return fl                     ? mk(CG_SPECIAL, -4, 4)
               : dt == MLB_DTYPE_BOOL ? mk(CG_BOOL, 0, 1)
                                      : mk(CG_FULLINT, 0, 0);
    case MLB_OP_MATMUL:
        return exact_ints(dt, 1);
    case MLB_OP_CONV2D:
        return i == 0 ? exact_ints(dt, 0) : i == 1 ? mk(CG_INT, -2, 2) : exact_ints(dt, 1);
    case MLB_OP_POOL2D:
        return mk(CG_GRID, -4, 4);
    case MLB_OP_SOFTMAX:
    case MLB_OP_LOG_SOFTMAX:
        return mk(CG_UNIFORM, -4, 4);
    case MLB_OP_LAYER_NORM:
    case MLB_OP_RMS_NORM:
        return i == 0                               ? mk(CG_UNIFORM, -3, 3)
               : i == 1 && c->attrs.norm.has_weight ? mk(CG_GRID, -2, 2)
                                                    : mk(CG_GRID, -1, 1);
    case MLB_OP_GATHER: {
        if (i == 0) {
            return fl ? mk(CG_GRID, -8, 8) : mk(CG_FULLINT, 0, 0);
        }
        const int ax =
            c->attrs.axis.axis < 0 ? c->attrs.axis.axis + c->in[0].rank : c->attrs.axis.axis;
        const int64_t n = c->in[0].shape[ax];
        return mk(CG_INT, 0, (double)(n > 0 ? n - 1 : 0));
    }
    default:
        return mk(CG_GRID, -4, 4);
    }
}

/* ---- building ------------------------------------------------------------------------------- */

static int expected_inputs(const mlbc_case *c) {
    const int32_t op = c->op;
    if (op == MLB_OP_FILL) {
        return 0;
    }
    if (is_binary(op) || op == MLB_OP_GATHER) {
        return 2;
    }
    if (op == MLB_OP_MATMUL) {
        return 2 + c->attrs.matmul.epilogue.has_bias;
    }
    if (op == MLB_OP_CONV2D) {
        return 2 + c->attrs.conv2d.epilogue.has_bias;
    }
    if (op == MLB_OP_LAYER_NORM || op == MLB_OP_RMS_NORM) {
        return 1 + c->attrs.norm.has_weight + c->attrs.norm.has_bias;
    }
    return 1;
}

/* Attributes that follow the number of inputs unless given. */
static void infer_optional_inputs(mlbc_case *c, const run_attr_flags *set, int n) {
    if (c->op == MLB_OP_MATMUL && !set->has_bias) {
        c->attrs.matmul.epilogue.has_bias = n == 3;
    } else if (c->op == MLB_OP_CONV2D && !set->has_bias) {
        c->attrs.conv2d.epilogue.has_bias = n == 3;
    } else if (c->op == MLB_OP_LAYER_NORM || c->op == MLB_OP_RMS_NORM) {
        mlb_norm_attrs *a = &c->attrs.norm;
        const int ln = c->op == MLB_OP_LAYER_NORM;
        if (!set->has_weight && !set->has_bias) {
            a->has_weight = n >= 2;
            a->has_bias = ln && n >= 3;
        } else if (!set->has_weight) {
            a->has_weight = n - 1 - a->has_bias >= 1;
        } else if (!set->has_bias && ln) {
            a->has_bias = n - 1 - a->has_weight >= 1;
        }
    }
}

static int given_attr(const run_options *o, const char *prefix) {
    for (int i = 0; i < o->num_attrs; ++i) {
        if (strncmp(o->attrs[i], prefix, strlen(prefix)) == 0) {
            return 1;
        }
    }
    return 0;
}

static int build_family(const run_options *o, mlbc_case *c, char *err) {
    const int32_t dtype = o->dtype ? o->dtype : MLB_DTYPE_F32;
    const int rc = mlbc_case_make(c, o->op, dtype, o->family, o->seed, o->full);
    if (rc == -2) {
        failv(err, "out of memory building the case");
        return RUN_EXIT_FAILED;
    }
    if (rc != 0) {
        const char *names[MLBC_MAX_FAMILIES];
        const size_t n = mlbc_families(o->op, dtype, names);
        char list[RUN_ERR_LEN / 2] = "";
        size_t len = 0;
        for (size_t i = 0; i < n && len < sizeof list; ++i) {
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? " " : "", names[i]);
        }
        FAIL("--family %s: not a conformance family of %s %s (families: %s)", o->family, o->op_name,
             mlbc_dtype_name(dtype), n ? list : "none");
    }
    return RUN_EXIT_OK;
}

/* Reads the --in files and checks each one's dtype against the op's input. */
static int load_inputs(const run_options *o, npy_array *files, char *err) {
    for (int i = 0; i < o->num_inputs; ++i) {
        char e[NPY_ERR_LEN];
        if (npy_read_file(o->inputs[i], &files[i], e) != 0) {
            FAIL("%s", e);
        }
    }
    return RUN_EXIT_OK;
}

static int check_file_dtype(const run_options *o, int i, const npy_array *f, int32_t want,
                            char *err) {
    if (f->dtype == want) {
        return RUN_EXIT_OK;
    }
    if (want == MLB_DTYPE_BF16 && f->dtype == MLB_DTYPE_F32 && o->bf16_as_f32) {
        return RUN_EXIT_OK; /* rounded to bf16 on the way in */
    }
    const char *fd =
        f->dtype == MLB_DTYPE_BF16 ? "uint16 (bf16 bit patterns)" : mlbc_dtype_name(f->dtype);
    FAIL("%s: holds %s (%s), input %d of %s needs %s%s", o->inputs[i], fd, npy_descr(f->dtype), i,
         o->op_name, mlbc_dtype_name(want),
         want == MLB_DTYPE_BF16 ? " (uint16 bit patterns, or float32 with --bf16-as f32)" : "");
}

static int build_custom(const run_options *o, mlbc_case *c, char *err) {
    npy_array files[MLBC_MAX_INPUTS];
    memset(files, 0, sizeof files);
    int rc = RUN_EXIT_OK;
    int32_t shapes_rank[MLBC_MAX_INPUTS + 1];
    int64_t shapes[MLBC_MAX_INPUTS + 1][MLB_MAX_RANK];
    int n = 0;

    memset(c, 0, sizeof *c);
    c->op = o->op;
    strcpy(c->family, o->num_inputs ? "npy" : "shape");
    c->seed = o->seed;
    c->inplace_input = -1;
    c->accum_len = 1;

    if (o->num_inputs) {
        if ((rc = load_inputs(o, files, err)) != RUN_EXIT_OK) {
            goto done;
        }
        n = o->num_inputs;
        for (int i = 0; i < n; ++i) {
            shapes_rank[i] = files[i].rank;
            memcpy(shapes[i], files[i].shape, sizeof shapes[i]);
        }
    } else if (o->shape) {
        const char *f[MLBC_MAX_INPUTS + 1];
        size_t len[MLBC_MAX_INPUTS + 1];
        n = split_fields(o->shape, f, len, MLBC_MAX_INPUTS);
        if (n < 0) {
            failv(err, "--shape %s: more than %d tensors", o->shape, MLBC_MAX_INPUTS);
            rc = RUN_EXIT_USAGE;
            goto done;
        }
        for (int i = 0; i < n; ++i) {
            char e[RUN_ERR_LEN];
            shapes_rank[i] = run_parse_dims(f[i], len[i], shapes[i], 0, e);
            if (shapes_rank[i] < 0) {
                failv(err, "--shape: %s", e);
                rc = RUN_EXIT_USAGE;
                goto done;
            }
        }
    } else {
        failv(err, "no inputs: give --in FILE.npy (repeatable), --shape DIMS[:DIMS...] or "
                   "--family NAME");
        rc = RUN_EXIT_USAGE;
        goto done;
    }

    /* dtypes: --dtype, else the first file's, else f32 */
    int32_t dt = o->dtype;
    if (!dt) {
        dt = o->num_inputs && o->op != MLB_OP_FILL ? files[0].dtype : MLB_DTYPE_F32;
    }
    c->dtype = dt;

    /* fill: the one --shape field is the output's shape */
    int64_t out_shape[MLB_MAX_RANK];
    int32_t out_rank = 0;
    if (o->op == MLB_OP_FILL) {
        if (o->num_inputs || n != 1) {
            failv(err, "fill takes no inputs: give the output's shape as --shape DIMS");
            rc = RUN_EXIT_USAGE;
            goto done;
        }
        out_rank = shapes_rank[0];
        memcpy(out_shape, shapes[0], sizeof out_shape);
        n = 0;
    }
    c->desc.num_inputs = (uint32_t)n;
    for (int i = 0; i < n; ++i) {
        int32_t want = dt;
        if (o->op == MLB_OP_GATHER && i == 1) {
            want = o->index_dtype ? o->index_dtype : o->num_inputs ? files[1].dtype : MLB_DTYPE_I64;
        }
        if (o->num_inputs && (rc = check_file_dtype(o, i, &files[i], want, err)) != RUN_EXIT_OK) {
            goto done;
        }
        for (int32_t k = 0; k < shapes_rank[i]; ++k) {
            if (shapes[i][k] > RUN_MAX_EXTENT) {
                failv(err, "input %d: extent %lld on axis %d is larger than 2^40", i,
                      (long long)shapes[i][k], (int)k);
                rc = RUN_EXIT_USAGE;
                goto done;
            }
        }
        contiguous(&c->in[i], want, shapes_rank[i], shapes[i]);
    }

    /* attributes: defaults, --attr, then the optional inputs implied by the count */
    const int has_attrs = run_attrs_default(c);
    run_attr_flags set = {0, 0, 0};
    if (run_attrs_parse(o, c, &set, err) != 0) {
        rc = RUN_EXIT_USAGE;
        goto done;
    }
    infer_optional_inputs(c, &set, n);
    if (is_reduce(o->op) && !given_attr(o, "axes")) {
        c->attrs.reduce.axes = n && c->in[0].rank > 0 ? (1u << c->in[0].rank) - 1u : 0;
    }
    const int want_n = expected_inputs(c);
    if (n != want_n) {
        failv(err, "%s takes %d input%s with these attributes, %d given", o->op_name, want_n,
              want_n == 1 ? "" : "s", n);
        rc = RUN_EXIT_USAGE;
        goto done;
    }
    if (o->op != MLB_OP_FILL && run_infer_output(c, out_shape, &out_rank, err) != 0) {
        rc = RUN_EXIT_USAGE;
        goto done;
    }
    int32_t out_dt = dt;
    if (o->op == MLB_OP_CAST) {
        if (!o->out_dtype) {
            failv(err, "cast needs --out-dtype T (--dtype is the source dtype)");
            rc = RUN_EXIT_USAGE;
            goto done;
        }
        out_dt = o->out_dtype;
    }
    contiguous(&c->out[0], out_dt, out_rank, out_shape);

    /* layouts */
    if (o->strides || o->offsets) {
        const char *f[MLBC_MAX_INPUTS + 1];
        size_t len[MLBC_MAX_INPUTS + 1];
        for (int pass = 0; pass < 2; ++pass) {
            const char *s = pass ? o->offsets : o->strides;
            if (!s) {
                continue;
            }
            const int m = split_fields(s, f, len, MLBC_MAX_INPUTS);
            if (m < 0 || m > n) {
                failv(err, "%s %s: more fields than the %d input%s",
                      pass ? "--offsets" : "--strides", s, n, n == 1 ? "" : "s");
                rc = RUN_EXIT_USAGE;
                goto done;
            }
            for (int i = 0; i < m; ++i) {
                char what[32];
                snprintf(what, sizeof what, "input %d", i);
                if (!pass && apply_strides(&c->in[i], f[i], len[i], what, err) != 0) {
                    rc = RUN_EXIT_USAGE;
                    goto done;
                }
                if (pass && len[i]) {
                    int64_t v[MLB_MAX_RANK];
                    char e[RUN_ERR_LEN];
                    if (run_parse_dims(f[i], len[i], v, 0, e) != 1) {
                        failv(err, "--offsets: '%.*s' is not a byte count", (int)len[i], f[i]);
                        rc = RUN_EXIT_USAGE;
                        goto done;
                    }
                    c->in[i].byte_offset = (uint64_t)v[0];
                }
            }
        }
    }
    if (o->out_strides &&
        apply_strides(&c->out[0], o->out_strides, strlen(o->out_strides), "the output", err) != 0) {
        rc = RUN_EXIT_USAGE;
        goto done;
    }
    c->out[0].byte_offset = o->out_offset;
    if (o->inplace) {
        if (n == 0 || c->in[0].dtype != out_dt || !same_shape(&c->in[0], out_shape, out_rank)) {
            failv(err, "--inplace: the output must have input 0's shape and dtype");
            rc = RUN_EXIT_USAGE;
            goto done;
        }
        c->out[0] = c->in[0];
        c->inplace_input = 0;
    }

    /* link the descriptor (as casegen's cg_io does) */
    c->desc.struct_size = MLB_STRUCT_SIZE(mlb_op_desc, attrs);
    c->desc.op = c->op;
    c->desc.num_outputs = 1;
    for (int i = 0; i < n; ++i) {
        c->in_ptrs[i] = &c->in[i];
    }
    c->out_ptrs[0] = &c->out[0];
    c->desc.inputs = n ? c->in_ptrs : NULL;
    c->desc.outputs = c->out_ptrs;
    c->desc.attrs = has_attrs ? (const void *)&c->attrs : NULL;

    /* buffers: extents (overflow-checked by libmlb), gaps 0xff, then the values */
    for (int i = 0; i <= n; ++i) {
        const mlb_tensor_desc *t = i < n ? &c->in[i] : &c->out[0];
        uint64_t bytes;
        mlb_status st = mlb_tensor_desc_extent(t, &bytes);
        if (st != MLB_OK) {
            failv(err, "%s %d: %s", i < n ? "input" : "output", i < n ? i : 0, mlb_last_error());
            rc = RUN_EXIT_USAGE;
            goto done;
        }
        if (bytes > ((uint64_t)1 << 40)) {
            failv(err, "%s needs %llu bytes (more than 1 TiB)", i < n ? "an input" : "the output",
                  (unsigned long long)bytes);
            rc = RUN_EXIT_USAGE;
            goto done;
        }
        if (i == n) {
            c->out_bytes = bytes;
            break;
        }
        c->in_bytes[i] = bytes;
        c->in_data[i] = malloc(bytes ? (size_t)bytes : 1);
        if (!c->in_data[i]) {
            failv(err, "out of memory for input %d (%llu bytes)", i, (unsigned long long)bytes);
            rc = RUN_EXIT_FAILED;
            goto done;
        }
        memset(c->in_data[i], 0xff, (size_t)bytes);
    }
    if (o->num_inputs) {
        for (int i = 0; i < n; ++i) {
            run_npy_to_tensor(&files[i], &c->in[i], c->in_data[i]);
        }
    } else {
        cg_rng r = {mlbc_case_seed(o->seed, c->op, dt, "shape")};
        for (int i = 0; i < n; ++i) {
            cg_fill(c, (uint32_t)i, value_dist(c, (uint32_t)i), &r);
        }
        if (o->op == MLB_OP_FILL && !o->num_attrs) {
            c->attrs.fill.float_value = (double)cg_range(&r, -64, 64) / 16.0 + 0.03125;
            c->attrs.fill.int_value = cg_range(&r, -1000, 1000);
        }
    }
done:
    for (int i = 0; i < MLBC_MAX_INPUTS; ++i) {
        npy_free(&files[i]);
    }
    if (rc != RUN_EXIT_OK) {
        mlbc_case_free(c);
    }
    return rc;
}

int run_case_build(const run_options *o, mlbc_case *c, char *err) {
    return o->family ? build_family(o, c, err) : build_custom(o, c, err);
}
