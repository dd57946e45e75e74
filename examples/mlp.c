/*
 * mlp.c - a two-layer MLP forward pass on every ml_backend device present,
 * checked against the reference device cpu_ref:0. The shape of the code is
 * what a framework does: load the plugins, pick devices, create kernels once,
 * launch them on a stream, read the result back.
 *
 *   probs = softmax(gelu(x . W1 + b1) . W2 + b2)      x [8, 64], W1 [64, 128], W2 [128, 10]
 *
 * Layer 1 asks for matmul with a fused epilogue (bias, then gelu); a device
 * that declines the fusion gets matmul, add and gelu as three kernels instead.
 *
 * Build: cc mlp.c $(pkg-config --cflags --libs ml_backend) -lm
 * Run:   MLB_PLUGIN_PATH=/path/to/plugins ./mlp
 *        (exit 0: every device that runs the model matches; a device that declines one of its
 *        ops is reported as skipped)
 */
#include "mlb.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { B = 8, D_IN = 64, H = 128, D_OUT = 10 };

/* Reports a failed call with libmlb's detail and leaves the function. */
#define TRY(call)                                                                                  \
    do {                                                                                           \
        mlb_status st_ = (call);                                                                   \
        if (st_ != MLB_OK) {                                                                       \
            fprintf(stderr, "  %s: %s: %s\n", #call, mlb_status_name(st_), mlb_last_error());      \
            return st_;                                                                            \
        }                                                                                          \
    } while (0)

/* The model's weights and one batch of inputs, on the host. */
typedef struct model {
    float x[B * D_IN], w1[D_IN * H], b1[H], w2[H * D_OUT], b2[D_OUT];
} model;

/* Everything created on one device; zero-initialise, then release with net_free(). */
typedef struct net {
    mlb_stream stream;
    mlb_buffer x, w1, b1, h, w2, b2, logits, probs;
    struct step {
        mlb_kernel kernel;
        mlb_buffer in[3], out;
        uint32_t nin;
    } steps[7]; /* the kernels in launch order, with the buffers they read and write */
    int nsteps;
    int fused; /* 1 when both matmuls run with their epilogue fused */
} net;

static void net_free(net *n) {
    mlb_stream_destroy(n->stream); /* waits for queued work first */
    for (int i = 0; i < n->nsteps; ++i) {
        mlb_kernel_destroy(n->steps[i].kernel);
    }
    mlb_buffer *bufs[] = {&n->x, &n->w1, &n->b1, &n->h, &n->w2, &n->b2, &n->logits, &n->probs};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; ++i) {
        mlb_buffer_free(*bufs[i]);
    }
    memset(n, 0, sizeof *n);
}

static void fill(float *v, int count, unsigned seed, float scale) {
    unsigned s = seed;
    for (int i = 0; i < count; ++i) {
        s = s * 1664525u + 1013904223u;
        v[i] = scale * ((float)(s >> 8) / 16777216.0f - 0.5f);
    }
}

/* A buffer for `count` floats, filled from `host` when given. */
static mlb_status buffer(mlb_device dev, mlb_stream s, size_t count, const float *host,
                         mlb_buffer *out) {
    mlb_buffer_desc bd;
    memset(&bd, 0, sizeof bd);
    bd.struct_size = MLB_STRUCT_SIZE(mlb_buffer_desc, alignment);
    bd.size = count * sizeof(float);
    TRY(mlb_buffer_alloc(dev, &bd, out));
    if (host) {
        TRY(mlb_stream_copy_host_to_device(s, *out, 0, host, bd.size));
    }
    return MLB_OK;
}

static void matrix(mlb_tensor_desc *t, int64_t rows, int64_t cols) {
    const int64_t dims[2] = {rows, cols};
    mlb_tensor_desc_contiguous(t, MLB_DTYPE_F32, 2, dims);
}

static void vector(mlb_tensor_desc *t, int64_t count) {
    mlb_tensor_desc_contiguous(t, MLB_DTYPE_F32, 1, &count);
}

/*
 * Appends a step: a kernel for `op` over the given tensors, launched later on
 * the buffers in[0..nin) -> out. Answers the device's refusal without logging.
 */
static mlb_status add_step(mlb_device dev, net *n, int32_t op, const mlb_tensor_desc *const *td,
                           const mlb_buffer *in, uint32_t nin, const mlb_tensor_desc *out_td,
                           mlb_buffer out, const void *attrs) {
    mlb_op_desc d;
    memset(&d, 0, sizeof d);
    d.struct_size = MLB_STRUCT_SIZE(mlb_op_desc, attrs);
    d.op = op;
    d.num_inputs = nin;
    d.num_outputs = 1;
    d.inputs = td;
    d.outputs = &out_td;
    d.attrs = attrs;
    mlb_status st = mlb_op_supported(dev, &d); /* cheap: nothing is allocated */
    if (st != MLB_OK) {
        return st;
    }
    struct step *s = &n->steps[n->nsteps];
    TRY(mlb_kernel_create(dev, &d, &s->kernel)); /* plan once, launch many times */
    memcpy(s->in, in, sizeof in[0] * nin);
    s->nin = nin;
    s->out = out;
    n->nsteps++;
    return MLB_OK;
}

/* One linear layer: out = act(in . w + b), fused when the device can, else in three kernels. */
static mlb_status linear(mlb_device dev, net *n, const mlb_tensor_desc *const td[3], mlb_buffer in,
                         mlb_buffer w, mlb_buffer b, const mlb_tensor_desc *out_td, mlb_buffer out,
                         int32_t act) {
    mlb_matmul_attrs ma;
    memset(&ma, 0, sizeof ma);
    ma.struct_size = MLB_STRUCT_SIZE(mlb_matmul_attrs, epilogue);
    ma.epilogue.has_bias = 1;
    ma.epilogue.activation = act;
    const mlb_buffer bufs[3] = {in, w, b};
    mlb_status st = add_step(dev, n, MLB_OP_MATMUL, td, bufs, 3, out_td, out, &ma);
    if (st != MLB_ERROR_UNSUPPORTED) {
        if (st != MLB_OK) {
            fprintf(stderr, "  matmul: %s: %s\n", mlb_status_name(st), mlb_last_error());
        }
        return st;
    }
    /* The device declines the fused epilogue: matmul, then add and the activation in place. */
    n->fused = 0;
    ma.epilogue.has_bias = 0;
    ma.epilogue.activation = MLB_OP_NONE;
    TRY(add_step(dev, n, MLB_OP_MATMUL, td, bufs, 2, out_td, out, &ma));
    const mlb_tensor_desc *add_td[2] = {out_td, td[2]}; /* [rows, N] + [N] broadcasts */
    const mlb_buffer add_in[2] = {out, b};
    TRY(add_step(dev, n, MLB_OP_ADD, add_td, add_in, 2, out_td, out, NULL));
    if (act != MLB_OP_NONE) {
        TRY(add_step(dev, n, act, &out_td, &out, 1, out_td, out, NULL));
    }
    return MLB_OK;
}

/* Builds the network on `dev`, runs it `iterations` times, and copies the probabilities out. */
static mlb_status forward(mlb_device dev, const model *m, int iterations, float *probs, net *n) {
    n->fused = 1;
    TRY(mlb_stream_create(dev, 0, &n->stream));
    TRY(buffer(dev, n->stream, B * D_IN, m->x, &n->x));
    TRY(buffer(dev, n->stream, D_IN * H, m->w1, &n->w1));
    TRY(buffer(dev, n->stream, H, m->b1, &n->b1));
    TRY(buffer(dev, n->stream, B * H, NULL, &n->h));
    TRY(buffer(dev, n->stream, H * D_OUT, m->w2, &n->w2));
    TRY(buffer(dev, n->stream, D_OUT, m->b2, &n->b2));
    TRY(buffer(dev, n->stream, B * D_OUT, NULL, &n->logits));
    TRY(buffer(dev, n->stream, B * D_OUT, NULL, &n->probs));

    mlb_tensor_desc x, w1, b1, h, w2, b2, logits;
    matrix(&x, B, D_IN);
    matrix(&w1, D_IN, H);
    vector(&b1, H);
    matrix(&h, B, H);
    matrix(&w2, H, D_OUT);
    vector(&b2, D_OUT);
    matrix(&logits, B, D_OUT);
    const mlb_tensor_desc *l1[3] = {&x, &w1, &b1}, *l2[3] = {&h, &w2, &b2};
    TRY(linear(dev, n, l1, n->x, n->w1, n->b1, &h, n->h, MLB_OP_GELU));
    TRY(linear(dev, n, l2, n->h, n->w2, n->b2, &logits, n->logits, MLB_OP_NONE));
    mlb_axis_attrs ax;
    memset(&ax, 0, sizeof ax);
    ax.struct_size = MLB_STRUCT_SIZE(mlb_axis_attrs, axis);
    ax.axis = -1;
    const mlb_tensor_desc *sm[1] = {&logits};
    TRY(add_step(dev, n, MLB_OP_SOFTMAX, sm, &n->logits, 1, &logits, n->probs, &ax));

    for (int it = 0; it < iterations; ++it) {
        for (int i = 0; i < n->nsteps; ++i) {
            const struct step *s = &n->steps[i];
            TRY(mlb_kernel_launch(s->kernel, n->stream, s->in, s->nin, &s->out, 1));
        }
    }
    TRY(mlb_stream_copy_device_to_host(n->stream, probs, n->probs, 0, sizeof(float) * B * D_OUT));
    TRY(mlb_stream_synchronize(n->stream)); /* asynchronous errors surface here */
    return MLB_OK;
}

int main(void) {
    static model m;
    fill(m.x, B * D_IN, 1, 4.0f);
    fill(m.w1, D_IN * H, 2, 0.5f);
    fill(m.b1, H, 3, 0.2f);
    fill(m.w2, H * D_OUT, 4, 0.5f);
    fill(m.b2, D_OUT, 5, 0.2f);

    mlb_context ctx;
    mlb_status st = mlb_context_create(NULL, &ctx); /* MLB_PLUGIN_PATH or the installed folder */
    if (st != MLB_OK) {
        fprintf(stderr, "mlp: no plugin loaded (%s); run mlb-info to see why\n",
                mlb_status_name(st));
        if (st == MLB_ERROR_NO_PLUGIN) {
            mlb_context_destroy(ctx);
        }
        return 1;
    }
    mlb_device ref;
    if (mlb_context_device_find(ctx, "cpu_ref:0", &ref) != MLB_OK) {
        fprintf(stderr, "mlp: the reference device cpu_ref:0 is not present\n");
        mlb_context_destroy(ctx);
        return 1;
    }
    float expected[B * D_OUT], got[B * D_OUT];
    net n;
    memset(&n, 0, sizeof n);
    st = forward(ref, &m, 1, expected, &n);
    net_free(&n);
    if (st != MLB_OK) {
        fprintf(stderr, "mlp: the reference failed\n");
        mlb_context_destroy(ctx);
        return 1;
    }

    int failed = 0;
    const uint32_t count = mlb_context_device_count(ctx);
    for (uint32_t d = 0; d < count; ++d) {
        mlb_device dev;
        if (mlb_context_device_get(ctx, d, &dev) != MLB_OK) {
            continue;
        }
        mlb_device_props props;
        memset(&props, 0, sizeof props);
        props.struct_size = MLB_STRUCT_SIZE(mlb_device_props, uuid);
        mlb_device_get_props(dev, &props);
        printf("%s (%s):\n", mlb_device_name(dev), props.name);
        /* Two iterations: kernels are created once and launched many times. */
        st = forward(dev, &m, 2, got, &n);
        const int fused = n.fused;
        net_free(&n);
        if (st == MLB_ERROR_UNSUPPORTED) {
            /* A device may decline an op (op_supported says why, above); a framework would
             * place that op elsewhere. Not an error of the device. */
            printf("  skipped: the device declines an op this model needs\n");
            continue;
        }
        if (st != MLB_OK) {
            printf("  FAILED to run\n");
            failed = 1;
            continue;
        }
        double max_err = 0, row_err = 0;
        int bad = 0;
        for (int i = 0; i < B * D_OUT; ++i) {
            const double e = fabs((double)got[i] - (double)expected[i]);
            max_err = e > max_err ? e : max_err;
            bad |= !(e <= 1e-5 + 1e-4 * fabs((double)expected[i])); /* NaN fails too */
        }
        for (int r = 0; r < B; ++r) {
            double sum = 0;
            for (int c = 0; c < D_OUT; ++c) {
                sum += got[r * D_OUT + c];
            }
            row_err = fmax(row_err, fabs(sum - 1.0));
        }
        printf("  %s, max abs error vs cpu_ref:0 %.3g, rows sum to 1 within %.3g: %s\n",
               fused ? "fused bias+gelu epilogue" : "matmul, add, gelu as separate kernels",
               max_err, row_err, bad ? "MISMATCH" : "ok");
        failed |= bad;
    }
    mlb_context_destroy(ctx);
    return failed;
}
