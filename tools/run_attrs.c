/*
 * run_attrs.c - mlb-run's --attr key=value: every field of every v1 attribute
 * struct, epilogues included, with the defaults docs/mlb-run.md lists.
 */
#include "mlb_run.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, RUN_ERR_LEN, fmt, ap);
    va_end(ap);
    return -1;
}

static int is_reduce(int32_t op) {
    return op >= MLB_OP_REDUCE_SUM && op <= MLB_OP_REDUCE_PROD;
}

int run_attrs_default(mlbc_case *c) {
    memset(&c->attrs, 0, sizeof c->attrs);
    switch (c->op) {
    case MLB_OP_FILL:
        c->attrs.fill.struct_size = MLB_STRUCT_SIZE(mlb_fill_attrs, int_value);
        return 1;
    case MLB_OP_MATMUL:
        c->attrs.matmul.struct_size = MLB_STRUCT_SIZE(mlb_matmul_attrs, epilogue);
        c->attrs.matmul.epilogue.activation = MLB_OP_NONE;
        return 1;
    case MLB_OP_CONV2D: {
        mlb_conv2d_attrs *a = &c->attrs.conv2d;
        a->struct_size = MLB_STRUCT_SIZE(mlb_conv2d_attrs, epilogue);
        a->layout = MLB_LAYOUT_NCHW;
        a->groups = 1;
        a->stride[0] = a->stride[1] = 1;
        a->dilation[0] = a->dilation[1] = 1;
        return 1;
    }
    case MLB_OP_POOL2D: {
        mlb_pool2d_attrs *a = &c->attrs.pool2d;
        a->struct_size = MLB_STRUCT_SIZE(mlb_pool2d_attrs, count_include_pad);
        a->mode = MLB_POOL_MAX;
        a->layout = MLB_LAYOUT_NCHW;
        a->kernel[0] = a->kernel[1] = 2;
        a->stride[0] = a->stride[1] = 2;
        return 1;
    }
    case MLB_OP_SOFTMAX:
    case MLB_OP_LOG_SOFTMAX:
    case MLB_OP_GATHER:
        c->attrs.axis.struct_size = MLB_STRUCT_SIZE(mlb_axis_attrs, axis);
        c->attrs.axis.axis = c->op == MLB_OP_GATHER ? 0 : -1;
        return 1;
    case MLB_OP_LAYER_NORM:
    case MLB_OP_RMS_NORM:
        c->attrs.norm.struct_size = MLB_STRUCT_SIZE(mlb_norm_attrs, epsilon);
        c->attrs.norm.axis = -1;
        c->attrs.norm.epsilon = 1e-5;
        return 1;
    default:
        if (is_reduce(c->op)) {
            c->attrs.reduce.struct_size = MLB_STRUCT_SIZE(mlb_reduce_attrs, keepdims);
            return 1;
        }
        return 0;
    }
}

/* ---- values --------------------------------------------------------------------------------- */

static int parse_i64(const char *key, const char *s, int64_t *v, char *err) {
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 0);
    if (!*s || *end || errno) {
        return fail(err, "--attr %s=%s: not an integer", key, s);
    }
    *v = x;
    return 0;
}

static int parse_i32(const char *key, const char *s, int32_t *v, char *err) {
    int64_t x;
    if (parse_i64(key, s, &x, err) != 0) {
        return -1;
    }
    if (x < INT32_MIN || x > INT32_MAX) {
        return fail(err, "--attr %s=%s: out of the 32-bit range", key, s);
    }
    *v = (int32_t)x;
    return 0;
}

static int parse_flag(const char *key, const char *s, int32_t *v, char *err) {
    if (strcmp(s, "1") == 0 || strcmp(s, "true") == 0 || strcmp(s, "yes") == 0) {
        *v = 1;
    } else if (strcmp(s, "0") == 0 || strcmp(s, "false") == 0 || strcmp(s, "no") == 0) {
        *v = 0;
    } else {
        return fail(err, "--attr %s=%s: expected 0 or 1", key, s);
    }
    return 0;
}

static int parse_f64(const char *key, const char *s, double *v, char *err) {
    char *end;
    *v = strtod(s, &end);
    if (!*s || *end) {
        return fail(err, "--attr %s=%s: not a number", key, s);
    }
    return 0;
}

/* "a,b,..." into up to `max` integers. @return the count or -1. */
static int parse_list(const char *key, const char *s, int64_t *v, int max, char *err) {
    int n = 0;
    const char *p = s;
    for (;;) {
        const char *comma = strchr(p, ',');
        const size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char item[32];
        if (n == max || len == 0 || len >= sizeof item) {
            return fail(err, "--attr %s=%s: expected up to %d comma-separated integers", key, s,
                        max);
        }
        memcpy(item, p, len);
        item[len] = '\0';
        if (parse_i64(key, item, &v[n], err) != 0) {
            return -1;
        }
        ++n;
        if (!comma) {
            return n;
        }
        p = comma + 1;
    }
}

/* {h, w} from "k" or "h,w". */
static int parse_pair(const char *key, const char *s, int64_t out[2], char *err) {
    int64_t v[2];
    const int n = parse_list(key, s, v, 2, err);
    if (n < 0) {
        return -1;
    }
    out[0] = v[0];
    out[1] = n == 2 ? v[1] : v[0];
    return 0;
}

/* {top, bottom, left, right} from "p", "h,w" or "t,b,l,r". */
static int parse_padding(const char *key, const char *s, int64_t out[4], char *err) {
    int64_t v[4];
    const int n = parse_list(key, s, v, 4, err);
    if (n < 0) {
        return -1;
    }
    if (n == 3) {
        return fail(err,
                    "--attr %s=%s: give 1 (all), 2 (height,width) or 4 (top,bottom,left,right)"
                    " values",
                    key, s);
    }
    out[0] = v[0];
    out[1] = n == 4 ? v[1] : v[0];
    out[2] = n == 4 ? v[2] : n == 2 ? v[1] : v[0];
    out[3] = n == 4 ? v[3] : n == 2 ? v[1] : v[0];
    return 0;
}

static int parse_layout(const char *key, const char *s, int32_t *v, char *err) {
    if (strcmp(s, "nchw") == 0 || strcmp(s, "NCHW") == 0) {
        *v = MLB_LAYOUT_NCHW;
    } else if (strcmp(s, "nhwc") == 0 || strcmp(s, "NHWC") == 0) {
        *v = MLB_LAYOUT_NHWC;
    } else {
        return fail(err, "--attr %s=%s: expected nchw or nhwc", key, s);
    }
    return 0;
}

static int parse_activation(const char *key, const char *s, int32_t *v, char *err) {
    if (strcmp(s, "none") == 0) {
        *v = MLB_OP_NONE;
        return 0;
    }
    const int32_t op = mlb_op_from_name(s);
    if (op == MLB_OP_NONE) {
        return fail(err,
                    "--attr %s=%s: expected none or a unary op (relu, gelu, gelu_tanh, "
                    "silu, sigmoid, tanh, ...)",
                    key, s);
    }
    *v = op; /* any op is passed on: the device says whether it is a valid epilogue */
    return 0;
}

/* axes=0,2 | all | none, negative axes counted from the end of `rank`. */
static int parse_axes(const char *key, const char *s, int32_t rank, uint32_t *mask, char *err) {
    if (strcmp(s, "none") == 0 || !*s) {
        *mask = 0;
        return 0;
    }
    if (strcmp(s, "all") == 0) {
        *mask = rank > 0 ? (uint32_t)((1u << rank) - 1u) : 0;
        return 0;
    }
    int64_t v[MLB_MAX_RANK];
    const int n = parse_list(key, s, v, MLB_MAX_RANK, err);
    if (n < 0) {
        return -1;
    }
    *mask = 0;
    for (int i = 0; i < n; ++i) {
        int64_t a = v[i] < 0 && rank >= 0 ? v[i] + rank : v[i];
        if (a < 0 || a >= 32) {
            return fail(err, "--attr %s=%s: axis %lld out of range", key, s, (long long)v[i]);
        }
        *mask |= 1u << a;
    }
    return 0;
}

/* ---- keys ----------------------------------------------------------------------------------- */

static const char *keys_of(int32_t op) {
    switch (op) {
    case MLB_OP_FILL:
        return "value, float_value, int_value";
    case MLB_OP_MATMUL:
        return "has_bias, activation";
    case MLB_OP_CONV2D:
        return "layout, groups, stride, padding, dilation, has_bias, activation";
    case MLB_OP_POOL2D:
        return "mode, layout, kernel, stride, padding, count_include_pad";
    case MLB_OP_SOFTMAX:
    case MLB_OP_LOG_SOFTMAX:
    case MLB_OP_GATHER:
        return "axis";
    case MLB_OP_LAYER_NORM:
        return "axis, has_weight, has_bias, epsilon";
    case MLB_OP_RMS_NORM:
        return "axis, has_weight, epsilon";
    default:
        return is_reduce(op) ? "axes, axes_mask, keepdims" : NULL;
    }
}

static int apply(mlbc_case *c, const char *key, const char *val, run_attr_flags *set, char *err) {
    const int32_t op = c->op;
    const int32_t rank = c->desc.num_inputs ? c->in[0].rank : -1;
    if (op == MLB_OP_FILL) {
        mlb_fill_attrs *a = &c->attrs.fill;
        if (strcmp(key, "float_value") == 0) {
            return parse_f64(key, val, &a->float_value, err);
        }
        if (strcmp(key, "int_value") == 0) {
            return parse_i64(key, val, &a->int_value, err);
        }
        if (strcmp(key, "value") == 0) {
            if (parse_f64(key, val, &a->float_value, err) != 0) {
                return -1;
            }
            int64_t i;
            char ignored[RUN_ERR_LEN];
            if (parse_i64(key, val, &i, ignored) == 0) {
                a->int_value = i; /* exact, also beyond 2^53 */
            } else {
                const double v = a->float_value;
                a->int_value = isnan(v)       ? 0
                               : v >= 9.2e18  ? INT64_MAX
                               : v <= -9.2e18 ? INT64_MIN
                                              : (int64_t)v;
            }
            return 0;
        }
    } else if (op == MLB_OP_MATMUL || op == MLB_OP_CONV2D) {
        mlb_epilogue *e =
            op == MLB_OP_MATMUL ? &c->attrs.matmul.epilogue : &c->attrs.conv2d.epilogue;
        if (strcmp(key, "has_bias") == 0) {
            set->has_bias = 1;
            return parse_flag(key, val, &e->has_bias, err);
        }
        if (strcmp(key, "activation") == 0) {
            return parse_activation(key, val, &e->activation, err);
        }
        if (op == MLB_OP_CONV2D) {
            mlb_conv2d_attrs *a = &c->attrs.conv2d;
            if (strcmp(key, "layout") == 0) {
                return parse_layout(key, val, &a->layout, err);
            }
            if (strcmp(key, "groups") == 0) {
                return parse_i32(key, val, &a->groups, err);
            }
            if (strcmp(key, "stride") == 0) {
                return parse_pair(key, val, a->stride, err);
            }
            if (strcmp(key, "dilation") == 0) {
                return parse_pair(key, val, a->dilation, err);
            }
            if (strcmp(key, "padding") == 0) {
                return parse_padding(key, val, a->padding, err);
            }
        }
    } else if (op == MLB_OP_POOL2D) {
        mlb_pool2d_attrs *a = &c->attrs.pool2d;
        if (strcmp(key, "mode") == 0) {
            if (strcmp(val, "max") == 0) {
                a->mode = MLB_POOL_MAX;
            } else if (strcmp(val, "avg") == 0) {
                a->mode = MLB_POOL_AVG;
            } else {
                return fail(err, "--attr mode=%s: expected max or avg", val);
            }
            return 0;
        }
        if (strcmp(key, "layout") == 0) {
            return parse_layout(key, val, &a->layout, err);
        }
        if (strcmp(key, "kernel") == 0) {
            if (parse_pair(key, val, a->kernel, err) != 0) {
                return -1;
            }
            if (!set->stride) { /* the stride follows the kernel unless given */
                a->stride[0] = a->kernel[0], a->stride[1] = a->kernel[1];
            }
            return 0;
        }
        if (strcmp(key, "stride") == 0) {
            set->stride = 1;
            return parse_pair(key, val, a->stride, err);
        }
        if (strcmp(key, "padding") == 0) {
            return parse_padding(key, val, a->padding, err);
        }
        if (strcmp(key, "count_include_pad") == 0) {
            return parse_flag(key, val, &a->count_include_pad, err);
        }
    } else if (op == MLB_OP_SOFTMAX || op == MLB_OP_LOG_SOFTMAX || op == MLB_OP_GATHER) {
        if (strcmp(key, "axis") == 0) {
            return parse_i32(key, val, &c->attrs.axis.axis, err);
        }
    } else if (op == MLB_OP_LAYER_NORM || op == MLB_OP_RMS_NORM) {
        mlb_norm_attrs *a = &c->attrs.norm;
        if (strcmp(key, "axis") == 0) {
            return parse_i32(key, val, &a->axis, err);
        }
        if (strcmp(key, "has_weight") == 0) {
            set->has_weight = 1;
            return parse_flag(key, val, &a->has_weight, err);
        }
        if (strcmp(key, "has_bias") == 0 && op == MLB_OP_LAYER_NORM) {
            set->has_bias = 1;
            return parse_flag(key, val, &a->has_bias, err);
        }
        if (strcmp(key, "epsilon") == 0) {
            return parse_f64(key, val, &a->epsilon, err);
        }
    } else if (is_reduce(op)) {
        mlb_reduce_attrs *a = &c->attrs.reduce;
        if (strcmp(key, "axes") == 0) {
            return parse_axes(key, val, rank, &a->axes, err);
        }
        if (strcmp(key, "axes_mask") == 0) {
            int64_t m;
            if (parse_i64(key, val, &m, err) != 0) {
                return -1;
            }
            if (m < 0 || m > (int64_t)UINT32_MAX) {
                return fail(err, "--attr axes_mask=%s: out of the 32-bit range", val);
            }
            a->axes = (uint32_t)m;
            return 0;
        }
        if (strcmp(key, "keepdims") == 0) {
            return parse_flag(key, val, &a->keepdims, err);
        }
    }
    const char *keys = keys_of(op);
    if (!keys) {
        return fail(err, "--attr %s: %s has no attributes", key, mlb_op_name(op));
    }
    return fail(err, "--attr %s: not an attribute of %s (its attributes: %s)", key, mlb_op_name(op),
                keys);
}

int run_attrs_parse(const run_options *o, mlbc_case *c, run_attr_flags *set, char *err) {
    for (int i = 0; i < o->num_attrs; ++i) {
        const char *eq = strchr(o->attrs[i], '=');
        char key[64];
        if (!eq || eq == o->attrs[i] || (size_t)(eq - o->attrs[i]) >= sizeof key) {
            return fail(err, "--attr %s: expected key=value", o->attrs[i]);
        }
        memcpy(key, o->attrs[i], (size_t)(eq - o->attrs[i]));
        key[eq - o->attrs[i]] = '\0';
        if (apply(c, key, eq + 1, set, err) != 0) {
            return -1;
        }
    }
    return 0;
}

static const char *act_name(int32_t act) {
    const char *n = act == MLB_OP_NONE ? "none" : mlb_op_name(act);
    return n ? n : "?";
}

void run_attrs_describe(const mlbc_case *c, char *buf, size_t cap) {
    buf[0] = '\0';
    if (!c->desc.attrs) {
        return;
    }
    switch (c->op) {
    case MLB_OP_FILL:
        snprintf(buf, cap, "float_value=%.17g int_value=%lld", c->attrs.fill.float_value,
                 (long long)c->attrs.fill.int_value);
        return;
    case MLB_OP_MATMUL:
        snprintf(buf, cap, "has_bias=%d activation=%s", (int)c->attrs.matmul.epilogue.has_bias,
                 act_name(c->attrs.matmul.epilogue.activation));
        return;
    case MLB_OP_CONV2D: {
        const mlb_conv2d_attrs *a = &c->attrs.conv2d;
        snprintf(buf, cap,
                 "layout=%s groups=%d stride=%lld,%lld padding=%lld,%lld,%lld,%lld "
                 "dilation=%lld,%lld has_bias=%d activation=%s",
                 a->layout == MLB_LAYOUT_NHWC ? "nhwc" : "nchw", (int)a->groups,
                 (long long)a->stride[0], (long long)a->stride[1], (long long)a->padding[0],
                 (long long)a->padding[1], (long long)a->padding[2], (long long)a->padding[3],
                 (long long)a->dilation[0], (long long)a->dilation[1], (int)a->epilogue.has_bias,
                 act_name(a->epilogue.activation));
        return;
    }
    case MLB_OP_POOL2D: {
        const mlb_pool2d_attrs *a = &c->attrs.pool2d;
        snprintf(buf, cap,
                 "mode=%s layout=%s kernel=%lld,%lld stride=%lld,%lld "
                 "padding=%lld,%lld,%lld,%lld count_include_pad=%d",
                 a->mode == MLB_POOL_AVG ? "avg" : "max",
                 a->layout == MLB_LAYOUT_NHWC ? "nhwc" : "nchw", (long long)a->kernel[0],
                 (long long)a->kernel[1], (long long)a->stride[0], (long long)a->stride[1],
                 (long long)a->padding[0], (long long)a->padding[1], (long long)a->padding[2],
                 (long long)a->padding[3], (int)a->count_include_pad);
        return;
    }
    case MLB_OP_SOFTMAX:
    case MLB_OP_LOG_SOFTMAX:
    case MLB_OP_GATHER:
        snprintf(buf, cap, "axis=%d", (int)c->attrs.axis.axis);
        return;
    case MLB_OP_LAYER_NORM:
    case MLB_OP_RMS_NORM:
        snprintf(buf, cap, "axis=%d has_weight=%d has_bias=%d epsilon=%.17g",
                 (int)c->attrs.norm.axis, (int)c->attrs.norm.has_weight,
                 (int)c->attrs.norm.has_bias, c->attrs.norm.epsilon);
        return;
    default:
        if (is_reduce(c->op)) {
            snprintf(buf, cap, "axes_mask=%u keepdims=%d", (unsigned)c->attrs.reduce.axes,
                     (int)c->attrs.reduce.keepdims);
        }
        return;
    }
}
