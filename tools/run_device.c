/*
 * run_device.c - one case on one device through libmlb, laid out as
 * mlb-conformance lays it out (conformance/op_runner.cc): every tensor in its
 * own buffer between 64-byte guard regions of a position-dependent pattern,
 * output elements preset to all-ones bits (NaN / -1 / 255), so a guard or an
 * unwritten element shows; and --time.
 */
#include "mlb_run.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int failv(char *err, int rc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, RUN_ERR_LEN, fmt, ap);
    va_end(ap);
    return rc;
}

static unsigned char guard_byte(size_t i) {
    return (unsigned char)(0xa5u ^ (i * 29u));
}

static unsigned char *guarded(const unsigned char *image, uint64_t bytes, size_t *size) {
    *size = (size_t)(RUN_GUARD_BYTES + bytes + RUN_GUARD_BYTES);
    unsigned char *b = malloc(*size);
    if (!b) {
        return NULL;
    }
    for (size_t i = 0; i < *size; ++i) {
        b[i] = guard_byte(i);
    }
    if (bytes && image) {
        memcpy(b + RUN_GUARD_BYTES, image, (size_t)bytes);
    }
    return b;
}

void run_placed_free(run_placed *p) {
    for (int i = 0; i < MLBC_MAX_INPUTS; ++i) {
        free(p->in_images[i]);
    }
    free(p->out_before);
    memset(p, 0, sizeof *p);
}

int run_place(const mlbc_case *c, run_placed *p, char *err) {
    memset(p, 0, sizeof *p);
    const uint32_t n = c->desc.num_inputs;
    for (uint32_t i = 0; i < n; ++i) {
        p->in[i] = c->in[i];
        p->in[i].byte_offset += RUN_GUARD_BYTES;
        p->in_ptrs[i] = &p->in[i];
        p->in_images[i] = guarded(c->in_data[i], c->in_bytes[i], &p->in_sizes[i]);
        if (!p->in_images[i]) {
            run_placed_free(p);
            return failv(err, -1, "out of memory for input %u", (unsigned)i);
        }
    }
    p->out = c->out[0];
    p->out.byte_offset += RUN_GUARD_BYTES;
    p->out_ptr = &p->out;
    p->desc = c->desc;
    p->desc.inputs = n ? p->in_ptrs : NULL;
    p->desc.outputs = &p->out_ptr;
    p->inplace_input = c->inplace_input;
    if (c->inplace_input >= 0) {
        const int k = c->inplace_input;
        p->out_size = p->in_sizes[k];
        p->out_before = malloc(p->out_size);
        if (p->out_before) {
            memcpy(p->out_before, p->in_images[k], p->out_size);
        }
    } else {
        p->out_before = guarded(NULL, c->out_bytes, &p->out_size);
        if (p->out_before && mlbc_numel(&p->out) > 0) {
            const size_t es = mlbc_dtype_size(p->out.dtype);
            int64_t idx[MLB_MAX_RANK] = {0};
            do {
                memset(p->out_before + mlbc_elem_pos(&p->out, idx), 0xff, es);
            } while (mlbc_next_index(&p->out, idx));
        }
    }
    if (!p->out_before) {
        run_placed_free(p);
        return failv(err, -1, "out of memory for the output");
    }
    return 0;
}

void run_device_release(run_device *d) {
    mlb_stream_destroy(d->stream); /* waits for queued work */
    mlb_kernel_destroy(d->kernel);
    for (int i = 0; i < MLBC_MAX_INPUTS; ++i) {
        mlb_buffer_free(d->in[i]);
    }
    /* an in-place output is one of the inputs */
    int shared = 0;
    for (int i = 0; i < MLBC_MAX_INPUTS; ++i) {
        shared |= d->out == d->in[i];
    }
    if (!shared) {
        mlb_buffer_free(d->out);
    }
    free(d->result);
    memset(d, 0, sizeof *d);
}

static int upload(run_device *d, const unsigned char *image, size_t size, mlb_buffer *buf,
                  const char *what, char *err) {
    mlb_buffer_desc bd;
    memset(&bd, 0, sizeof bd);
    bd.struct_size = MLB_STRUCT_SIZE(mlb_buffer_desc, alignment);
    bd.size = size;
    mlb_status st = mlb_buffer_alloc(d->device, &bd, buf);
    if (st != MLB_OK) {
        return failv(err, RUN_EXIT_FAILED, "%s: allocating %s (%zu bytes): %s: %s",
                     mlb_device_name(d->device), what, size, mlb_status_name(st), mlb_last_error());
    }
    st = mlb_stream_copy_host_to_device(d->stream, *buf, 0, image, size);
    if (st != MLB_OK) {
        return failv(err, RUN_EXIT_FAILED, "%s: uploading %s: %s: %s", mlb_device_name(d->device),
                     what, mlb_status_name(st), mlb_last_error());
    }
    return RUN_EXIT_OK;
}

int run_on_device(mlb_device device, const run_placed *p, run_device *d, char *err) {
    memset(d, 0, sizeof *d);
    d->device = device;
    const char *name = mlb_device_name(device);
    mlb_status st = mlb_op_supported(device, &p->desc);
    if (st == MLB_ERROR_UNSUPPORTED) {
        return failv(err, RUN_EXIT_UNSUPPORTED, "%s declines this case: %s", name,
                     mlb_last_error());
    }
    if (st != MLB_OK) {
        return failv(err, RUN_EXIT_USAGE, "%s rejects the op descriptor (%s): %s", name,
                     mlb_status_name(st), mlb_last_error());
    }
    st = mlb_kernel_create(device, &p->desc, &d->kernel);
    if (st != MLB_OK) {
        return failv(err, RUN_EXIT_FAILED, "%s: mlb_kernel_create: %s: %s", name,
                     mlb_status_name(st), mlb_last_error());
    }
    st = mlb_stream_create(device, 0, &d->stream);
    if (st != MLB_OK) {
        return failv(err, RUN_EXIT_FAILED, "%s: mlb_stream_create: %s: %s", name,
                     mlb_status_name(st), mlb_last_error());
    }
    const uint32_t n = p->desc.num_inputs;
    int rc;
    for (uint32_t i = 0; i < n; ++i) {
        char what[32];
        snprintf(what, sizeof what, "input %u", (unsigned)i);
        if ((rc = upload(d, p->in_images[i], p->in_sizes[i], &d->in[i], what, err)) != 0) {
            return rc;
        }
    }
    if (p->inplace_input >= 0) {
        d->out = d->in[p->inplace_input];
    } else if ((rc = upload(d, p->out_before, p->out_size, &d->out, "the output", err)) != 0) {
        return rc;
    }
    st = mlb_kernel_launch(d->kernel, d->stream, n ? d->in : NULL, n, &d->out, 1);
    if (st != MLB_OK) {
        return failv(err, RUN_EXIT_FAILED, "%s: mlb_kernel_launch: %s: %s", name,
                     mlb_status_name(st), mlb_last_error());
    }
    d->result = malloc(p->out_size);
    if (!d->result) {
        return failv(err, RUN_EXIT_FAILED, "out of memory");
    }
    memset(d->result, 0xee, p->out_size); /* a synchronize that returns early leaves this */
    st = mlb_stream_copy_device_to_host(d->stream, d->result, d->out, 0, p->out_size);
    if (st != MLB_OK) {
        return failv(err, RUN_EXIT_FAILED, "%s: reading the output back: %s: %s", name,
                     mlb_status_name(st), mlb_last_error());
    }
    st = mlb_stream_synchronize(d->stream);
    if (st != MLB_OK) {
        return failv(err, RUN_EXIT_FAILED, "%s: the launch failed: %s: %s", name,
                     mlb_status_name(st), mlb_last_error());
    }
    return RUN_EXIT_OK;
}

/* ---- --time --------------------------------------------------------------------------------- */

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Floating-point operations of one launch, 0 when the op is counted in bytes. */
static double op_flops(const mlbc_case *c) {
    const mlb_tensor_desc *o = &c->out[0];
    if (c->op == MLB_OP_MATMUL) {
        const mlb_tensor_desc *a = &c->in[0];
        return 2.0 * (double)mlbc_numel(o) * (double)a->shape[a->rank - 1];
    }
    if (c->op == MLB_OP_CONV2D) {
        const mlb_tensor_desc *w = &c->in[1];
        return 2.0 * (double)mlbc_numel(o) * (double)(w->shape[1] * w->shape[2] * w->shape[3]);
    }
    return 0;
}

/* Bytes of the tensors' elements read and written by one launch. */
static double op_bytes(const mlbc_case *c) {
    double b = (double)(mlbc_numel(&c->out[0]) * mlbc_dtype_size(c->out[0].dtype));
    for (uint32_t i = 0; i < c->desc.num_inputs; ++i) {
        b += (double)(mlbc_numel(&c->in[i]) * mlbc_dtype_size(c->in[i].dtype));
    }
    return b;
}

int run_time(run_device *d, const run_placed *p, const mlbc_case *c, int n, int warmup, char *err) {
    const char *name = mlb_device_name(d->device);
    const uint32_t nin = p->desc.num_inputs;
    double *t = malloc(sizeof *t * (size_t)n);
    mlb_event e0 = NULL, e1 = NULL;
    int events = mlb_event_create(d->device, MLB_EVENT_TIMING, &e0) == MLB_OK &&
                 mlb_event_create(d->device, MLB_EVENT_TIMING, &e1) == MLB_OK;
    int rc = RUN_EXIT_OK;
    if (!t) {
        rc = failv(err, RUN_EXIT_FAILED, "out of memory");
        goto done;
    }
    for (int i = -warmup; i < n; ++i) {
        const double h0 = now_ms();
        mlb_status st = events ? mlb_event_record(e0, d->stream) : MLB_OK;
        if (st == MLB_OK) {
            st = mlb_kernel_launch(d->kernel, d->stream, nin ? d->in : NULL, nin, &d->out, 1);
        }
        if (st == MLB_OK && events) {
            st = mlb_event_record(e1, d->stream);
        }
        if (st == MLB_OK) {
            st = mlb_stream_synchronize(d->stream);
        }
        const double h1 = now_ms();
        if (st != MLB_OK) {
            rc = failv(err, RUN_EXIT_FAILED, "%s: timed launch: %s: %s", name, mlb_status_name(st),
                       mlb_last_error());
            goto done;
        }
        float ms = 0;
        if (events && mlb_event_elapsed_ms(e0, e1, &ms) != MLB_OK) {
            events = 0; /* the plugin has no elapsed time: the host clock from here on */
        }
        if (i >= 0) {
            t[i] = events ? (double)ms : h1 - h0;
        }
    }
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    const double tmin = t[0], tmed = n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
    printf("time: %s, %d launch%s after %d warm-up: min %.4f ms, median %.4f ms (%s)\n", name, n,
           n == 1 ? "" : "es", warmup, tmin, tmed,
           events ? "device timing events" : "host clock around launch + synchronize");
    const double flops = op_flops(c), bytes = op_bytes(c);
    if (flops > 0) {
        printf("  %.4g GFLOP per launch: %.2f GFLOP/s at min, %.2f GFLOP/s at median\n",
               flops * 1e-9, tmin > 0 ? flops / (tmin * 1e6) : 0.0,
               tmed > 0 ? flops / (tmed * 1e6) : 0.0);
    } else {
        printf("  %.4g MB moved per launch: %.2f GB/s at min, %.2f GB/s at median\n", bytes * 1e-6,
               tmin > 0 ? bytes / (tmin * 1e6) : 0.0, tmed > 0 ? bytes / (tmed * 1e6) : 0.0);
    }
done:
    mlb_event_destroy(e0);
    mlb_event_destroy(e1);
    free(t);
    return rc;
}
