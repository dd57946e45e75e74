/*
 * onednn_bench_layer.c - the plugin's kernel layer (plugins/onednn/onednn_kernels.h)
 * linked into the bench and called directly: no loader, no runtime, no
 * stream. A run is onednn_kernel_run_exact on host buffers holding the
 * case's inputs: the kernel's own oneDNN objects, the guard check, the
 * steps and dnnl_stream_wait, as a launch reaches them inside the plugin.
 * MLB_ONEDNN_SERIAL_BYTES is read as the plugin reads it at init.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onednn_bench.h"
#include "onednn_kernels.h"

struct layer_side {
    onednn_kernel *k;
    uint8_t *in[2], *out[1];
};

layer_side *layer_create(const bench_case *c) {
    layer_side *l = calloc(1, sizeof(*l));
    char why[256] = "";
    if (!l) {
        return NULL;
    }
    uint8_t **host[3] = {&l->in[0], &l->in[1], &l->out[0]};
    for (int i = 0; i < 3; ++i) {
        *host[i] = aligned_alloc(64, (c->bytes[i] + 63) & ~(size_t)63);
        if (!*host[i]) {
            snprintf(why, sizeof(why), "out of memory");
            break;
        }
        if (i < 2) {
            memcpy(*host[i], c->data[i], c->bytes[i]);
        }
    }
    /* The linked copy reads the plugin's limit for small kernels as the plugin does at init. */
    if (!why[0] &&
        onednn_set_serial_bytes(getenv("MLB_ONEDNN_SERIAL_BYTES"), why, sizeof(why)) != MLB_OK) {
        fprintf(stderr, "onednn_bench: kernel layer: MLB_ONEDNN_SERIAL_BYTES: %s\n", why);
        why[0] = '\0';
    }
    if (why[0] || onednn_kernel_create(&c->desc, &l->k, why, sizeof(why)) != MLB_OK) {
        fprintf(stderr, "onednn_bench: kernel layer: %s: %s\n", c->name, why);
        layer_destroy(l);
        return NULL;
    }
    return l;
}

int layer_run(layer_side *l) {
    char why[256];
    int inexact = 0;
    if (onednn_kernel_run_exact(l->k, l->in, l->out, &inexact, why, sizeof(why)) != MLB_OK ||
        inexact) {
        fprintf(stderr, "onednn_bench: kernel layer: %s\n",
                inexact ? "declined the inputs as inexact" : why);
        return -1;
    }
    return 0;
}

void *layer_output(layer_side *l) {
    return l->out[0];
}

void layer_destroy(layer_side *l) {
    if (!l) {
        return;
    }
    onednn_kernel_destroy(l->k);
    free(l->in[0]), free(l->in[1]), free(l->out[0]);
    free(l);
}
