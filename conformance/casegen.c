/*
 * casegen.c - the generator, element access, layouts and value families of
 * the conformance cases; the families of each op are in casegen_ops.c.
 */
#include "casegen_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- random numbers ---------------------------------------------------------------------- */

uint64_t cg_next(cg_rng *r) {
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int64_t cg_range(cg_rng *r, int64_t lo, int64_t hi) {
    uint64_t span = (uint64_t)hi - (uint64_t)lo + 1u;
    uint64_t v = cg_next(r);
    return span == 0 ? (int64_t)v : (int64_t)((uint64_t)lo + v % span);
}

double cg_unit(cg_rng *r) {
    return (double)(cg_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

uint64_t mlbc_case_seed(uint64_t base_seed, int32_t op, int32_t dtype, const char *family) {
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a over the identity */
    h = (h ^ (uint64_t)(uint32_t)op) * 0x100000001b3ull;
    h = (h ^ (uint64_t)(uint32_t)dtype) * 0x100000001b3ull;
    for (const char *p = family; *p; ++p) {
        h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
    }
    cg_rng r = {base_seed ^ h};
    return cg_next(&r);
}

/* ---- dtypes ------------------------------------------------------------------------------ */

size_t mlbc_dtype_size(int32_t dtype) {
    switch (dtype) {
    case MLB_DTYPE_F32:
    case MLB_DTYPE_I32:
        return 4;
    case MLB_DTYPE_F16:
    case MLB_DTYPE_BF16:
        return 2;
    case MLB_DTYPE_F64:
    case MLB_DTYPE_I64:
        return 8;
    case MLB_DTYPE_I8:
    case MLB_DTYPE_U8:
    case MLB_DTYPE_BOOL:
        return 1;
    default:
        return 0;
    }
}

int mlbc_dtype_is_float(int32_t dtype) {
    return dtype == MLB_DTYPE_F32 || dtype == MLB_DTYPE_F16 || dtype == MLB_DTYPE_BF16 ||
           dtype == MLB_DTYPE_F64;
}

const char *mlbc_dtype_name(int32_t dtype) {
    static const char *const names[] = {"?",  "f32", "f16", "bf16", "f64",
                                        "i8", "u8",  "i32", "i64",  "bool"};
    return dtype > 0 && dtype < 10 ? names[dtype] : "?";
}

/* A binary floating-point format narrower than double: mantissa and exponent bits. */
static uint16_t to_small(double v, int mant, int expo) {
    const int bias = (1 << (expo - 1)) - 1;
    const uint16_t sign = signbit(v) ? (uint16_t)(1u << (mant + expo)) : 0;
    const uint16_t inf = (uint16_t)(((1u << expo) - 1u) << mant);
    if (isnan(v)) {
        return (uint16_t)(sign | inf | (1u << (mant - 1)));
    }
    double a = fabs(v);
    if (isinf(a)) {
        return (uint16_t)(sign | inf);
    }
    if (a == 0.0) {
        return sign;
    }
    int e2;
    frexp(a, &e2);
    int e = e2 - 1; /* a = 1.xxx * 2^e */
    if (e < 1 - bias) {
        e = 1 - bias; /* subnormal: the quantum stays that of the smallest normal */
    }
    double m = nearbyint(ldexp(a, mant - e)); /* exact scaling, one rounding (ties to even) */
    uint64_t q = (uint64_t)m;
    if (q >> (mant + 1)) { /* rounded up to the next binade */
        q >>= 1;
        e += 1;
    }
    if (e > bias) {
        return (uint16_t)(sign | inf);
    }
    if (q < (1u << mant)) {
        return (uint16_t)(sign | q); /* subnormal */
    }
    return (uint16_t)(sign | ((uint64_t)(e + bias) << mant) | (q - (1u << mant)));
}

static double from_small(uint16_t h, int mant, int expo) {
    const int bias = (1 << (expo - 1)) - 1;
    const unsigned sign = (h >> (mant + expo)) & 1u;
    const unsigned e = (h >> mant) & ((1u << expo) - 1u);
    const unsigned f = h & ((1u << mant) - 1u);
    double v;
    if (e == (1u << expo) - 1u) {
        v = f ? NAN : INFINITY;
    } else if (e == 0) {
        v = ldexp((double)f, 1 - bias - mant);
    } else {
        v = ldexp((double)(f | (1u << mant)), (int)e - bias - mant);
    }
    return sign ? -v : v;
}

uint16_t mlbc_f64_to_f16(double v) {
    return to_small(v, 10, 5);
}
double mlbc_f16_to_f64(uint16_t h) {
    return from_small(h, 10, 5);
}
uint16_t mlbc_f64_to_bf16(double v) {
    return to_small(v, 7, 8);
}
double mlbc_bf16_to_f64(uint16_t b) {
    return from_small(b, 7, 8);
}

double mlbc_load_f64(int32_t dtype, const void *p) {
    switch (dtype) {
    case MLB_DTYPE_F32: {
        float f;
        memcpy(&f, p, 4);
        return f;
    }
    case MLB_DTYPE_F64: {
        double d;
        memcpy(&d, p, 8);
        return d;
    }
    case MLB_DTYPE_F16:
    case MLB_DTYPE_BF16: {
        uint16_t h;
        memcpy(&h, p, 2);
        return dtype == MLB_DTYPE_F16 ? mlbc_f16_to_f64(h) : mlbc_bf16_to_f64(h);
    }
    default:
        return (double)mlbc_load_i64(dtype, p);
    }
}

int64_t mlbc_load_i64(int32_t dtype, const void *p) {
    switch (dtype) {
    case MLB_DTYPE_I8:
        return *(const int8_t *)p;
    case MLB_DTYPE_U8:
    case MLB_DTYPE_BOOL:
        return *(const uint8_t *)p;
    case MLB_DTYPE_I32: {
        int32_t v;
        memcpy(&v, p, 4);
        return v;
    }
    case MLB_DTYPE_I64: {
        int64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    default: {
        double d = mlbc_load_f64(dtype, p);
        return isnan(d) ? 0 : d >= 9.2e18 ? INT64_MAX : d <= -9.2e18 ? INT64_MIN : (int64_t)d;
    }
    }
}

void mlbc_store_f64(int32_t dtype, void *p, double v) {
    switch (dtype) {
    case MLB_DTYPE_F32: {
        float f = (float)v;
        memcpy(p, &f, 4);
        return;
    }
    case MLB_DTYPE_F64:
        memcpy(p, &v, 8);
        return;
    case MLB_DTYPE_F16:
    case MLB_DTYPE_BF16: {
        uint16_t h = dtype == MLB_DTYPE_F16 ? mlbc_f64_to_f16(v) : mlbc_f64_to_bf16(v);
        memcpy(p, &h, 2);
        return;
    }
    case MLB_DTYPE_BOOL:
        *(uint8_t *)p = v != 0.0;
        return;
    default:
        mlbc_store_i64(dtype, p,
                       isnan(v)       ? 0
                       : v >= 9.2e18  ? INT64_MAX
                       : v <= -9.2e18 ? INT64_MIN
                                      : (int64_t)v);
        return;
    }
}

void mlbc_store_i64(int32_t dtype, void *p, int64_t v) {
    switch (dtype) {
    case MLB_DTYPE_I8:
    case MLB_DTYPE_U8:
        *(uint8_t *)p = (uint8_t)(uint64_t)v;
        return;
    case MLB_DTYPE_BOOL:
        *(uint8_t *)p = v != 0;
        return;
    case MLB_DTYPE_I32: {
        uint32_t w = (uint32_t)(uint64_t)v;
        memcpy(p, &w, 4);
        return;
    }
    case MLB_DTYPE_I64:
        memcpy(p, &v, 8);
        return;
    default:
        mlbc_store_f64(dtype, p, (double)v);
        return;
    }
}

/* ---- tensors ----------------------------------------------------------------------------- */

uint64_t mlbc_numel(const mlb_tensor_desc *t) {
    uint64_t n = 1;
    for (int32_t k = 0; k < t->rank; ++k) {
        n *= (uint64_t)t->shape[k];
    }
    return n;
}

uint64_t mlbc_elem_pos(const mlb_tensor_desc *t, const int64_t *idx) {
    uint64_t off = 0;
    for (int32_t k = 0; k < t->rank; ++k) {
        off += (uint64_t)idx[k] * (uint64_t)t->strides[k];
    }
    return t->byte_offset + off * mlbc_dtype_size(t->dtype);
}

int mlbc_next_index(const mlb_tensor_desc *t, int64_t *idx) {
    for (int32_t k = t->rank - 1; k >= 0; --k) {
        if (++idx[k] < t->shape[k]) {
            return 1;
        }
        idx[k] = 0;
    }
    return 0;
}

uint64_t mlbc_extent(const mlb_tensor_desc *t) {
    uint64_t last = 0;
    for (int32_t k = 0; k < t->rank; ++k) {
        if (t->shape[k] == 0) {
            return 0;
        }
        last += (uint64_t)(t->shape[k] - 1) * (uint64_t)t->strides[k];
    }
    return t->byte_offset + (last + 1) * mlbc_dtype_size(t->dtype);
}

static void clear_tensor(mlb_tensor_desc *t, int32_t dtype, int32_t rank, const int64_t *shape) {
    memset(t, 0, sizeof *t);
    t->struct_size = MLB_STRUCT_SIZE(mlb_tensor_desc, byte_offset);
    t->dtype = dtype;
    t->rank = rank;
    for (int32_t k = 0; k < rank; ++k) {
        t->shape[k] = shape[k];
    }
}

void cg_contig(mlb_tensor_desc *t, int32_t dtype, int32_t rank, const int64_t *shape) {
    cg_padded(t, dtype, rank, shape, 0);
}

void cg_padded(mlb_tensor_desc *t, int32_t dtype, int32_t rank, const int64_t *shape, int64_t pad) {
    clear_tensor(t, dtype, rank, shape);
    int64_t s = 1;
    for (int32_t k = rank - 1; k >= 0; --k) {
        t->strides[k] = s;
        s = s * (shape[k] > 0 ? shape[k] : 1) + pad;
    }
}

void cg_perm(mlb_tensor_desc *t, int32_t dtype, int32_t rank, const int64_t *shape,
             const int *order) {
    clear_tensor(t, dtype, rank, shape);
    int64_t s = 1;
    for (int32_t k = rank - 1; k >= 0; --k) {
        t->strides[order[k]] = s;
        s *= shape[order[k]] > 0 ? shape[order[k]] : 1;
    }
}

void cg_io(mlbc_case *c, uint32_t nin, int has_attrs) {
    c->desc.struct_size = MLB_STRUCT_SIZE(mlb_op_desc, attrs);
    c->desc.op = c->op;
    c->desc.num_inputs = nin;
    c->desc.num_outputs = 1;
    for (uint32_t i = 0; i < nin; ++i) {
        c->in_ptrs[i] = &c->in[i];
    }
    c->out_ptrs[0] = &c->out[0];
    c->desc.inputs = nin ? c->in_ptrs : NULL;
    c->desc.outputs = c->out_ptrs;
    c->desc.attrs = has_attrs ? (const void *)&c->attrs : NULL;
}

int cg_alloc(mlbc_case *c) {
    for (uint32_t i = 0; i < c->desc.num_inputs; ++i) {
        c->in_bytes[i] = mlbc_extent(&c->in[i]);
        c->in_data[i] = malloc(c->in_bytes[i] ? c->in_bytes[i] : 1);
        if (!c->in_data[i]) {
            return -2;
        }
        memset(c->in_data[i], 0xff, c->in_bytes[i]);
    }
    c->out_bytes = mlbc_extent(&c->out[0]);
    return 0;
}

/* ---- values ------------------------------------------------------------------------------ */

static int64_t int_min(int32_t dtype) {
    switch (dtype) {
    case MLB_DTYPE_I8:
        return INT8_MIN;
    case MLB_DTYPE_I32:
        return INT32_MIN;
    case MLB_DTYPE_I64:
        return INT64_MIN;
    default:
        return 0;
    }
}

static int64_t int_max(int32_t dtype) {
    switch (dtype) {
    case MLB_DTYPE_I8:
        return INT8_MAX;
    case MLB_DTYPE_U8:
        return UINT8_MAX;
    case MLB_DTYPE_I32:
        return INT32_MAX;
    case MLB_DTYPE_I64:
        return INT64_MAX;
    default:
        return 1;
    }
}

/* Largest finite value and smallest subnormal of a float dtype. */
static double float_max(int32_t dtype) {
    switch (dtype) {
    case MLB_DTYPE_F16:
        return 65504.0;
    case MLB_DTYPE_BF16:
        return ldexp(255.0, 120);
    case MLB_DTYPE_F32:
        return ldexp(16777215.0, 104);
    default:
        return 1.7976931348623157e308;
    }
}

static double float_tiny(int32_t dtype) {
    switch (dtype) {
    case MLB_DTYPE_F16:
        return ldexp(1.0, -24);
    case MLB_DTYPE_BF16:
        return ldexp(1.0, -133);
    case MLB_DTYPE_F32:
        return ldexp(1.0, -149);
    default:
        return ldexp(1.0, -1074);
    }
}

static double grid(cg_rng *r, double lo, double hi) {
    return (double)cg_range(r, (int64_t)ceil(lo * 16), (int64_t)floor(hi * 16)) / 16.0;
}

/* A value at or next to a rounding tie of `fmt` (f16, bf16 or f32), magnitude in [4, 1024). */
static double near_tie(int32_t fmt, cg_rng *r) {
    const int mant = fmt == MLB_DTYPE_F16 ? 10 : fmt == MLB_DTYPE_BF16 ? 7 : 23;
    const int e = (int)cg_range(r, 2, 9);
    const double ulp = ldexp(1.0, e - mant);
    double v = ldexp(1.0, e) + ulp * (double)cg_range(r, 0, (1 << (mant < 12 ? mant : 12)) - 1);
    double tie = v + ulp / 2;              /* exactly between two neighbours of the format */
    double nudge = ldexp(1.0, e - 23 - 2); /* a quarter of a binary32 ulp: lost by f32 */
    switch (cg_range(r, 0, 2)) {
    case 0:
        break;
    case 1:
        tie += nudge;
        break;
    default:
        tie -= nudge;
        break;
    }
    return cg_range(r, 0, 1) ? -tie : tie;
}

static double cast_value(int32_t dtype, cg_rng *r) {
    static const double big[] = {127.5, 128.0, 255.9,  256.0,   -128.9, -129.0,
                                 3.0e9, -3e9,  2.2e9,  1e19,    -1e19,  9.3e18,
                                 1e30,  -1e30, 65504., 65520.0, 1e39,   4294967296.0};
    switch (cg_range(r, 0, 5)) {
    case 0:
        return grid(r, -300, 300); /* fractions: truncation toward zero */
    case 1:
        return (double)cg_range(r, -300, 300);
    case 2:
        return big[cg_range(r, 0, sizeof big / sizeof big[0] - 1)];
    case 3:
        if (mlbc_dtype_is_float(dtype)) {
            static const double sp[] = {NAN, INFINITY, -INFINITY, -0.0, 0.0, 0.5, -0.5};
            return sp[cg_range(r, 0, 6)];
        }
        return (double)cg_range(r, -3, 3);
    default:
        return grid(r, -2, 2);
    }
}

void cg_value(int32_t dtype, void *p, cg_dist d, cg_rng *r) {
    const int is_float = mlbc_dtype_is_float(dtype);
    if (dtype == MLB_DTYPE_BOOL || d.kind == CG_BOOL) {
        mlbc_store_i64(dtype, p, cg_range(r, 0, 1));
        return;
    }
    switch (d.kind) {
    case CG_GRID:
        if (is_float) {
            mlbc_store_f64(dtype, p, grid(r, d.lo, d.hi));
            return;
        }
        /* integers in the range */
        /* fall through */
    case CG_INT: {
        int64_t lo = (int64_t)d.lo, hi = (int64_t)d.hi;
        if (!is_float) {
            lo = lo < int_min(dtype) ? int_min(dtype) : lo;
            hi = hi > int_max(dtype) ? int_max(dtype) : hi;
        }
        mlbc_store_i64(dtype, p, cg_range(r, lo, hi));
        return;
    }
    case CG_FULLINT:
        if (is_float) {
            mlbc_store_f64(dtype, p, grid(r, -4, 4));
        } else {
            mlbc_store_i64(dtype, p, cg_range(r, int_min(dtype), int_max(dtype)));
        }
        return;
    case CG_UNIFORM:
        mlbc_store_f64(dtype, p, d.lo + (d.hi - d.lo) * cg_unit(r));
        return;
    case CG_SPECIAL:
    case CG_SPECIAL_ACCUM:
        if (cg_range(r, 0, 3) != 0) {
            cg_dist g = {CG_GRID, d.lo, d.hi};
            cg_value(dtype, p, g, r);
        } else if (is_float && d.kind == CG_SPECIAL_ACCUM) {
            const double sp[] = {NAN, INFINITY, -INFINITY, 0.0, -0.0, 1.0, -1.0};
            mlbc_store_f64(dtype, p, sp[cg_range(r, 0, 6)]);
        } else if (is_float) {
            const double m = float_max(dtype), t = float_tiny(dtype);
            const double sp[] = {NAN, INFINITY, -INFINITY, 0.0, -0.0, t, -t, m, -m, 1.0, -1.0};
            mlbc_store_f64(dtype, p, sp[cg_range(r, 0, 10)]);
        } else {
            const int64_t sp[] = {int_min(dtype), int_max(dtype), -1, 0, 1, int_min(dtype) + 1};
            mlbc_store_i64(dtype, p, sp[cg_range(r, 0, 5)]);
        }
        return;
    case CG_CAST:
        if (is_float) {
            mlbc_store_f64(dtype, p, cast_value(dtype, r));
        } else {
            mlbc_store_i64(dtype, p,
                           cg_range(r, 0, 1) ? cg_range(r, int_min(dtype), int_max(dtype))
                                             : cg_range(r, -300, 300));
        }
        return;
    case CG_NEAR_TIE:
        mlbc_store_f64(dtype, p, near_tie((int32_t)d.lo, r));
        return;
    default:
        mlbc_store_i64(dtype, p, 0);
        return;
    }
}

void cg_fill(mlbc_case *c, uint32_t i, cg_dist d, cg_rng *r) {
    const mlb_tensor_desc *t = &c->in[i];
    if (mlbc_numel(t) == 0) {
        return;
    }
    int64_t idx[MLB_MAX_RANK] = {0};
    do {
        cg_value(t->dtype, c->in_data[i] + mlbc_elem_pos(t, idx), d, r);
    } while (mlbc_next_index(t, idx));
}

int cg_is(const mlbc_case *c, const char *name) {
    return strcmp(c->family, name) == 0;
}

/* ---- the catalogue ----------------------------------------------------------------------- */

#define MLBC_LIST_ENTRY(v) v,
const int32_t mlbc_v1_ops[] = {MLB_OP_LIST_1_0(MLBC_LIST_ENTRY)};
const size_t mlbc_v1_op_count = sizeof mlbc_v1_ops / sizeof mlbc_v1_ops[0];
const int32_t mlbc_v1_dtypes[] = {MLB_DTYPE_LIST_1_0(MLBC_LIST_ENTRY)};
#undef MLBC_LIST_ENTRY
const size_t mlbc_v1_dtype_count = sizeof mlbc_v1_dtypes / sizeof mlbc_v1_dtypes[0];

enum { G_FLOAT = 1, G_INT = 2, G_BOOL = 4 };

static unsigned dtype_group(int32_t dtype) {
    return mlbc_dtype_is_float(dtype) ? G_FLOAT
           : dtype == MLB_DTYPE_BOOL  ? G_BOOL
           : mlbc_dtype_size(dtype)   ? G_INT
                                      : 0;
}

/* The dtype groups of docs/ops.md, per op. */
static unsigned op_groups(int32_t op) {
    switch (op) {
    case MLB_OP_NEG:
    case MLB_OP_ABS:
    case MLB_OP_ADD:
    case MLB_OP_SUB:
    case MLB_OP_MUL:
    case MLB_OP_MAXIMUM:
    case MLB_OP_MINIMUM:
    case MLB_OP_REDUCE_SUM:
    case MLB_OP_REDUCE_MAX:
    case MLB_OP_REDUCE_MIN:
    case MLB_OP_GATHER:
        return G_FLOAT | G_INT;
    case MLB_OP_CAST:
    case MLB_OP_COPY:
    case MLB_OP_FILL:
        return G_FLOAT | G_INT | G_BOOL;
    default:
        return G_FLOAT;
    }
}

int mlbc_dtype_in_spec(int32_t op, int32_t dtype) {
    return (op_groups(op) & dtype_group(dtype)) != 0;
}

static const char *const unary_f[] = {"contiguous", "strided", "broadcast", "inplace", "empty",
                                      "single",     "odd",     "large",     "special", NULL};
static const char *const binary_f[] = {"contiguous", "strided", "broadcast", "scalar",
                                       "inplace",    "empty",   "single",    "odd",
                                       "large",      "special", NULL};
static const char *const cast_f[] = {
    "to_f32", "to_f16",       "to_bf16",       "to_f64",       "to_i8", "to_u8",
    "to_i32", "to_i64",       "to_bool",       "strided",      "empty", "single",
    "large",  "rounding_f16", "rounding_bf16", "rounding_f32", NULL};
static const char *const copy_f[] = {"contiguous",  "transposed", "broadcast",
                                     "strided_out", "offset",     "empty",
                                     "single",      "large",      NULL};
static const char *const fill_f[] = {"contiguous", "strided",   "empty",      "single", "large",
                                     "value_big",  "value_nan", "value_tiny", NULL};
static const char *const matmul_f[] = {
    "contiguous",  "transposed", "batched", "batch_broadcast", "bias", "bias_relu", "bias_gelu",
    "strided_out", "k_zero",     "empty",   "single",          "odd",  "large",     NULL};
static const char *const conv_f[] = {
    "nchw", "nhwc",      "padded_strided", "dilated", "groups", "depthwise", "weights_hwio",
    "bias", "bias_relu", "strided_in",     "empty",   "single", "large",     NULL};
static const char *const pool_f[] = {
    "max",    "avg",     "max_padded", "avg_padded", "avg_padded_exclude",
    "nhwc",   "overlap", "strided_in", "special",    "empty",
    "single", "large",   NULL};
static const char *const softmax_f[] = {"last_axis",   "first_axis", "middle_axis", "strided",
                                        "wide_values", "special",    "empty",       "single",
                                        "large",       NULL};
static const char *const ln_f[] = {"weight_bias", "weight", "plain",  "multi_axis", "strided",
                                   "constant",    "empty",  "single", "large",      NULL};
static const char *const rms_f[] = {"weight", "plain",  "multi_axis", "strided", "constant",
                                    "empty",  "single", "large",      NULL};
static const char *const reduce_f[] = {
    "all",       "last",         "first_keepdims", "middle", "multi",   "strided", "none",
    "empty_out", "empty_reduce", "single",         "large",  "special", NULL};
static const char *const gather_f[] = {"embedding_i64", "embedding_i32", "axis1",
                                       "negative",      "scalar_index",  "strided_data",
                                       "empty",         "large",         NULL};

static const char *const *op_families(int32_t op) {
    if (op >= MLB_OP_NEG && op <= MLB_OP_SILU) {
        return unary_f;
    }
    if (op >= MLB_OP_ADD && op <= MLB_OP_POW) {
        return binary_f;
    }
    switch (op) {
    case MLB_OP_CAST:
        return cast_f;
    case MLB_OP_COPY:
        return copy_f;
    case MLB_OP_FILL:
        return fill_f;
    case MLB_OP_MATMUL:
        return matmul_f;
    case MLB_OP_CONV2D:
        return conv_f;
    case MLB_OP_POOL2D:
        return pool_f;
    case MLB_OP_SOFTMAX:
    case MLB_OP_LOG_SOFTMAX:
        return softmax_f;
    case MLB_OP_LAYER_NORM:
        return ln_f;
    case MLB_OP_RMS_NORM:
        return rms_f;
    default:
        return op >= MLB_OP_REDUCE_SUM && op <= MLB_OP_REDUCE_PROD ? reduce_f
               : op == MLB_OP_GATHER                               ? gather_f
                                                                   : NULL;
    }
}

/* Families that only make sense for some dtypes of an op. */
static int family_applies(int32_t op, int32_t dtype, const char *f) {
    if (op == MLB_OP_CAST && strncmp(f, "rounding_", 9) == 0) {
        /* Rounding ties need a wider float source: f64 for every target, f32 for f16/bf16. */
        return dtype == MLB_DTYPE_F64 || (dtype == MLB_DTYPE_F32 && strcmp(f, "rounding_f32") != 0);
    }
    if (strcmp(f, "empty_reduce") == 0) {
        /* max and min of an empty set are INVALID_ARGUMENT */
        return op != MLB_OP_REDUCE_MAX && op != MLB_OP_REDUCE_MIN;
    }
    return 1;
}

size_t mlbc_families(int32_t op, int32_t dtype, const char *names[MLBC_MAX_FAMILIES]) {
    const char *const *all = op_families(op);
    size_t n = 0;
    if (!all || !mlbc_dtype_size(dtype)) {
        return 0;
    }
    for (size_t i = 0; all[i] && n < MLBC_MAX_FAMILIES; ++i) {
        if (family_applies(op, dtype, all[i])) {
            names[n++] = all[i];
        }
        if (!mlbc_dtype_in_spec(op, dtype)) {
            break; /* one basic case: compared only if the plugin accepts it */
        }
    }
    return n;
}

int mlbc_case_make(mlbc_case *c, int32_t op, int32_t dtype, const char *family, uint64_t base_seed,
                   int full) {
    memset(c, 0, sizeof *c);
    if (!family || strlen(family) >= MLBC_FAMILY_LEN || !mlbc_dtype_size(dtype)) {
        return -1;
    }
    c->op = op;
    c->dtype = dtype;
    strcpy(c->family, family);
    c->seed = mlbc_case_seed(base_seed, op, dtype, family);
    c->full = full;
    c->inplace_input = -1;
    c->accum_len = 1;
    cg_rng r = {c->seed};
    int rc;
    if (op >= MLB_OP_NEG && op <= MLB_OP_SILU) {
        rc = cg_unary(c, &r);
    } else if (op >= MLB_OP_ADD && op <= MLB_OP_POW) {
        rc = cg_binary(c, &r);
    } else if (op >= MLB_OP_REDUCE_SUM && op <= MLB_OP_REDUCE_PROD) {
        rc = cg_reduce(c, &r);
    } else {
        switch (op) {
        case MLB_OP_CAST:
            rc = cg_cast(c, &r);
            break;
        case MLB_OP_COPY:
            rc = cg_copy(c, &r);
            break;
        case MLB_OP_FILL:
            rc = cg_fill_op(c, &r);
            break;
        case MLB_OP_MATMUL:
            rc = cg_matmul(c, &r);
            break;
        case MLB_OP_CONV2D:
            rc = cg_conv2d(c, &r);
            break;
        case MLB_OP_POOL2D:
            rc = cg_pool2d(c, &r);
            break;
        case MLB_OP_SOFTMAX:
        case MLB_OP_LOG_SOFTMAX:
            rc = cg_softmax(c, &r);
            break;
        case MLB_OP_LAYER_NORM:
        case MLB_OP_RMS_NORM:
            rc = cg_norm(c, &r);
            break;
        case MLB_OP_GATHER:
            rc = cg_gather(c, &r);
            break;
        default:
            rc = -1;
            break;
        }
    }
    if (rc != 0) {
        mlbc_case_free(c);
    }
    return rc;
}

void mlbc_case_free(mlbc_case *c) {
    if (!c) {
        return;
    }
    for (int i = 0; i < MLBC_MAX_INPUTS; ++i) {
        free(c->in_data[i]);
        c->in_data[i] = NULL;
    }
}

mlbc_tolerance mlbc_tolerance_for(int32_t op, int32_t dtype, uint64_t accum_len) {
    mlbc_tolerance t = {0, 0, !mlbc_dtype_is_float(dtype)};
    if (t.exact || op == MLB_OP_CAST || op == MLB_OP_COPY || op == MLB_OP_FILL ||
        op == MLB_OP_GATHER) {
        return t;
    }
    switch (dtype) {
    case MLB_DTYPE_F32:
        t.rtol = 1.3e-6, t.atol = 1e-5;
        break;
    case MLB_DTYPE_F16:
        t.rtol = 1e-3, t.atol = 1e-5;
        break;
    case MLB_DTYPE_BF16:
        t.rtol = 1.6e-2, t.atol = 1e-5;
        break;
    default: /* f64 */
        t.rtol = 1e-7, t.atol = 1e-7;
        break;
    }
    const double w = accum_len > 1 ? sqrt((double)accum_len) : 1.0;
    t.atol *= w;
    t.rtol *= w;
    return t;
}
