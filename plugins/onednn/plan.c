/*
 * plan.c - building and running a kernel's plan: slots (user tensors and
 * scratch regions), steps (primitives, host fills), output reorders that run
 * last, the scratch block and the cached memory objects; and the run.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dnnl_debug.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "dtype.h"
#include "onednn_impl.h"
#include "tensor.h"

mlb_status onednn_fail(mlb_status status, char *why, size_t why_len, const char *fmt, ...) {
    if (why && why_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, why_len, fmt, ap);
        va_end(ap);
    }
    return status;
}

mlb_status onednn_status(dnnl_status_t s, const char *what, char *why, size_t why_len) {
    const mlb_status st = s == dnnl_unimplemented   ? MLB_ERROR_UNSUPPORTED
                          : s == dnnl_out_of_memory ? MLB_ERROR_OUT_OF_MEMORY
                                                    : MLB_ERROR_INTERNAL;
    return onednn_fail(st, why, why_len, "%s: oneDNN says %s", what, dnnl_status2str(s));
}

static void impl_append(onednn_kernel *k, const char *what, const char *impl) {
    const size_t n = strlen(k->impl);
    snprintf(k->impl + n, sizeof(k->impl) - n, "%s%s(%s)", n ? " " : "", what, impl);
}

static int add_slot(onednn_kernel *k, int kind, uint32_t index, uint64_t offset,
                    const dnnl_memory_desc_t *md) {
    if (k->nslots >= ONEDNN_MAX_SLOTS) {
        return -1;
    }
    onednn_slot *s = &k->slots[k->nslots];
    s->kind = kind, s->index = index, s->offset = offset, s->md = *md;
    return k->nslots++;
}

int onednn_plan_user(onednn_kernel *k, int kind, uint32_t index, uint64_t byte_offset,
                     const dnnl_memory_desc_t *md) {
    return add_slot(k, kind, index, byte_offset, md);
}

int onednn_plan_scratch(onednn_kernel *k, const dnnl_memory_desc_t *md) {
    const size_t size = dnnl_memory_desc_get_size(md);
    const uint64_t off = (k->scratch_size + 63) & ~(uint64_t)63;
    const int slot = add_slot(k, ONEDNN_SLOT_SCRATCH, 0, off, md);
    if (slot >= 0) {
        k->scratch_size = off + size;
    }
    return slot;
}

int onednn_plan_alias(onednn_kernel *k, int of, const dnnl_memory_desc_t *md) {
    if (of < 0) {
        return -1;
    }
    const onednn_slot *s = &k->slots[of];
    return add_slot(k, s->kind, s->index, s->offset, md);
}

/* Whether a primitive descriptor made in the user scratchpad mode asks for a scratchpad. */
static int needs_scratchpad(const_dnnl_primitive_desc_t pd) {
    const dnnl_memory_desc_t *pad = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    return pad && dnnl_memory_desc_get_size(pad) > 0;
}

mlb_status onednn_pd_create(dnnl_primitive_desc_t *pd, const_dnnl_op_desc_t op_desc,
                            const_dnnl_primitive_attr_t attr, const char *what, char *why,
                            size_t why_len) {
    *pd = NULL; /* on every failure too */
    dnnl_engine_t engine = NULL;
    mlb_status st = onednn_engine_get(&engine, why, why_len);
    if (st != MLB_OK) {
        return st;
    }
    dnnl_primitive_attr_t own;
    if ((st = onednn_attr_user_scratchpad(attr, &own, why, why_len)) != MLB_OK) {
        return st;
    }
    dnnl_status_t s = dnnl_primitive_desc_create(pd, op_desc, own, engine, NULL);
    dnnl_primitive_attr_destroy(own);
    if (s != dnnl_success) {
        return onednn_status(s, what, why, why_len);
    }
    /* A primitive that needs no scratchpad is the same in the library's mode, where oneDNN
     * does not look for a scratchpad argument at each execution (about 50 instructions, a
     * tenth of a small launch's overhead): such a descriptor is made again in that mode. */
    dnnl_primitive_desc_t lib;
    if (!needs_scratchpad(*pd) &&
        dnnl_primitive_desc_create(&lib, op_desc, attr, engine, NULL) == dnnl_success) {
        dnnl_primitive_desc_destroy(*pd);
        *pd = lib;
    }
    return MLB_OK;
}

mlb_status onednn_attr_user_scratchpad(const_dnnl_primitive_attr_t attr, dnnl_primitive_attr_t *out,
                                       char *why, size_t why_len) {
    dnnl_status_t s = attr ? dnnl_primitive_attr_clone(out, attr) : dnnl_primitive_attr_create(out);
    if (s == dnnl_success) {
        s = dnnl_primitive_attr_set_scratchpad_mode(*out, dnnl_scratchpad_mode_user);
        if (s != dnnl_success) {
            dnnl_primitive_attr_destroy(*out);
        }
    }
    return s == dnnl_success ? MLB_OK : onednn_status(s, "primitive_attr", why, why_len);
}

const char *onednn_pd_impl(const_dnnl_primitive_desc_t pd) {
    const char *impl = NULL;
    if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl) != dnnl_success ||
        !impl) {
        return "?";
    }
    return impl;
}

int onednn_pd_is_ref(const_dnnl_primitive_desc_t pd) {
    return strncmp(onednn_pd_impl(pd), "ref", 3) == 0;
}

void onednn_pd_drop_ref(dnnl_primitive_desc_t *pd) {
    if (*pd && onednn_pd_is_ref(*pd)) {
        dnnl_primitive_desc_destroy(*pd);
        *pd = NULL;
    }
}

const dnnl_memory_desc_t *onednn_pd_md(const_dnnl_primitive_desc_t pd, int arg) {
    return dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, arg);
}

mlb_status onednn_plan_step(onednn_kernel *k, dnnl_primitive_desc_t pd, const char *what, int nargs,
                            const int *args, const int *slots, char *why, size_t why_len) {
    if (k->nsteps >= ONEDNN_MAX_STEPS || nargs > ONEDNN_MAX_ARGS) {
        dnnl_primitive_desc_destroy(pd);
        return onednn_fail(MLB_ERROR_INTERNAL, why, why_len, "plan too long");
    }
    for (int i = 0; i < nargs; ++i) {
        if (slots[i] < 0) {
            dnnl_primitive_desc_destroy(pd);
            return onednn_fail(MLB_ERROR_INTERNAL, why, why_len, "too many slots");
        }
    }
    /* The primitive's scratchpad (user mode, onednn_pd_create): a region of the kernel's
     * scratch block, so a kernel owns every byte its runs touch (oneDNN's library-managed
     * scratchpad is per creating thread, and runs happen on stream worker threads). */
    int scratchpad = -1;
    if (needs_scratchpad(pd)) {
        const dnnl_memory_desc_t *pad =
            dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
        if (nargs >= ONEDNN_MAX_ARGS || (scratchpad = onednn_plan_scratch(k, pad)) < 0) {
            dnnl_primitive_desc_destroy(pd);
            return onednn_fail(MLB_ERROR_INTERNAL, why, why_len, "too many slots");
        }
    }
    onednn_step *st = &k->steps[k->nsteps];
    memset(st, 0, sizeof(*st));
    impl_append(k, what, onednn_pd_impl(pd));
    dnnl_status_t s = dnnl_primitive_create(&st->prim, pd);
    dnnl_primitive_desc_destroy(pd);
    if (s != dnnl_success) {
        return onednn_status(s, what, why, why_len);
    }
    st->kind = ONEDNN_STEP_PRIMITIVE;
    st->nargs = nargs;
    memcpy(st->args, args, sizeof(int) * (size_t)nargs);
    memcpy(st->slots, slots, sizeof(int) * (size_t)nargs);
    if (scratchpad >= 0) {
        st->args[st->nargs] = DNNL_ARG_SCRATCHPAD;
        st->slots[st->nargs++] = scratchpad;
    }
    ++k->nsteps;
    return MLB_OK;
}

mlb_status onednn_plan_src_dst(onednn_kernel *k, dnnl_primitive_desc_t pd, const char *what,
                               const mlb_tensor_desc *x, const dnnl_memory_desc_t *xmd,
                               const mlb_tensor_desc *y, const dnnl_memory_desc_t *ymd, char *why,
                               size_t why_len) {
    int sx, sy;
    mlb_status st = onednn_plan_input(k, 0, x->byte_offset, xmd, onednn_pd_md(pd, DNNL_ARG_SRC),
                                      &sx, why, why_len);
    if (st == MLB_OK) {
        st = onednn_plan_output(k, 0, y->byte_offset, ymd, onednn_pd_md(pd, DNNL_ARG_DST), &sy, why,
                                why_len);
    }
    if (st != MLB_OK) {
        dnnl_primitive_desc_destroy(pd);
        return st;
    }
    const int args[2] = {DNNL_ARG_SRC, DNNL_ARG_DST}, slots[2] = {sx, sy};
    return onednn_plan_step(k, pd, what, 2, args, slots, why, why_len);
}

mlb_status onednn_plan_reorder(onednn_kernel *k, int from, int to, char *why, size_t why_len) {
    dnnl_engine_t engine = NULL;
    mlb_status st = onednn_engine_get(&engine, why, why_len);
    if (st != MLB_OK) {
        return st;
    }
    if (from < 0 || to < 0) {
        return onednn_fail(MLB_ERROR_INTERNAL, why, why_len, "too many slots");
    }
    dnnl_primitive_attr_t attr;
    if ((st = onednn_attr_user_scratchpad(NULL, &attr, why, why_len)) != MLB_OK) {
        return st;
    }
    dnnl_primitive_desc_t pd, lib;
    dnnl_status_t s = dnnl_reorder_primitive_desc_create(&pd, &k->slots[from].md, engine,
                                                         &k->slots[to].md, engine, attr);
    dnnl_primitive_attr_destroy(attr);
    if (s != dnnl_success) {
        return onednn_status(s, "reorder", why, why_len);
    }
    if (!needs_scratchpad(pd) && /* as in onednn_pd_create */
        dnnl_reorder_primitive_desc_create(&lib, &k->slots[from].md, engine, &k->slots[to].md,
                                           engine, NULL) == dnnl_success) {
        dnnl_primitive_desc_destroy(pd);
        pd = lib;
    }
    const int args[2] = {DNNL_ARG_FROM, DNNL_ARG_TO}, slots[2] = {from, to};
    return onednn_plan_step(k, pd, "reorder", 2, args, slots, why, why_len);
}

mlb_status onednn_plan_fill(onednn_kernel *k, double value, char *why, size_t why_len) {
    if (k->nsteps >= ONEDNN_MAX_STEPS) {
        return onednn_fail(MLB_ERROR_INTERNAL, why, why_len, "plan too long");
    }
    onednn_step *st = &k->steps[k->nsteps++];
    memset(st, 0, sizeof(*st));
    st->kind = ONEDNN_STEP_FILL;
    st->fill_value = value;
    st->fill_tensor = &k->outs[0];
    impl_append(k, "fill", "host");
    return MLB_OK;
}

mlb_status onednn_plan_input(onednn_kernel *k, uint32_t index, uint64_t byte_offset,
                             const dnnl_memory_desc_t *user_md, const dnnl_memory_desc_t *want,
                             int *slot, char *why, size_t why_len) {
    const int user = onednn_plan_user(k, ONEDNN_SLOT_INPUT, index, byte_offset, user_md);
    if (!want || dnnl_memory_desc_equal(user_md, want)) {
        *slot = user;
        return user < 0 ? onednn_fail(MLB_ERROR_INTERNAL, why, why_len, "too many slots") : MLB_OK;
    }
    *slot = onednn_plan_scratch(k, want);
    return onednn_plan_reorder(k, user, *slot, why, why_len);
}

mlb_status onednn_plan_output(onednn_kernel *k, uint32_t index, uint64_t byte_offset,
                              const dnnl_memory_desc_t *user_md, const dnnl_memory_desc_t *want,
                              int *slot, char *why, size_t why_len) {
    const int user = onednn_plan_user(k, ONEDNN_SLOT_OUTPUT, index, byte_offset, user_md);
    if (user < 0 || k->npending >= 4) {
        return onednn_fail(MLB_ERROR_INTERNAL, why, why_len, "too many slots");
    }
    if (!want || dnnl_memory_desc_equal(user_md, want)) {
        *slot = user;
        return MLB_OK;
    }
    *slot = onednn_plan_scratch(k, want);
    k->pending_from[k->npending] = *slot;
    k->pending_to[k->npending++] = user;
    return MLB_OK;
}

static mlb_status create_mems(onednn_kernel *k, dnnl_memory_t *mems, uint8_t *scratch, char *why,
                              size_t why_len) {
    dnnl_engine_t engine = NULL;
    mlb_status st = onednn_engine_get(&engine, why, why_len);
    for (int i = 0; st == MLB_OK && i < k->nslots; ++i) {
        const onednn_slot *s = &k->slots[i];
        void *handle = s->kind == ONEDNN_SLOT_SCRATCH ? scratch + s->offset : DNNL_MEMORY_NONE;
        dnnl_status_t ds = dnnl_memory_create(&mems[i], &s->md, engine, handle);
        if (ds != dnnl_success) {
            for (int j = 0; j < i; ++j) {
                dnnl_memory_destroy(mems[j]);
            }
            st = onednn_status(ds, "memory_create", why, why_len);
        }
    }
    return st;
}

static void destroy_mems(onednn_kernel *k, dnnl_memory_t *mems) {
    for (int i = 0; i < k->nslots; ++i) {
        dnnl_memory_destroy(mems[i]);
        mems[i] = NULL;
    }
}

/* A step's arguments as oneDNN takes them, on memory objects mems (one per slot). */
static void step_exec_args(const onednn_step *step, dnnl_memory_t *mems, dnnl_exec_arg_t *out) {
    for (int a = 0; a < step->nargs; ++a) {
        out[a] = (dnnl_exec_arg_t){step->args[a], mems[step->slots[a]]};
    }
}

/* The user slots, in slot order, as runs bind them. */
static void plan_binds(onednn_kernel *k) {
    k->nbinds = 0;
    for (int i = 0; i < k->nslots; ++i) {
        const onednn_slot *s = &k->slots[i];
        if (s->kind != ONEDNN_SLOT_SCRATCH) {
            k->binds[k->nbinds++] = (onednn_bind){
                .slot = i,
                .output = s->kind == ONEDNN_SLOT_OUTPUT,
                .index = s->index,
                .offset = s->offset,
            };
        }
    }
}

mlb_status onednn_plan_finish(onednn_kernel *k, char *why, size_t why_len) {
    mlb_status st = MLB_OK;
    for (int i = 0; st == MLB_OK && i < k->npending; ++i) {
        st = onednn_plan_reorder(k, k->pending_from[i], k->pending_to[i], why, why_len);
    }
    k->npending = 0;
    if (st != MLB_OK) {
        return st;
    }
    if (k->scratch_size) {
        k->scratch = aligned_alloc(64, (k->scratch_size + 63) & ~(size_t)63);
        if (!k->scratch) {
            return onednn_fail(MLB_ERROR_OUT_OF_MEMORY, why, why_len,
                               "no memory for %zu bytes of scratch", k->scratch_size);
        }
    }
    st = create_mems(k, k->mems, k->scratch, why, why_len);
    if (st != MLB_OK) {
        memset(k->mems, 0, sizeof(k->mems));
        return st;
    }
    dnnl_engine_t engine = NULL;
    st = onednn_engine_get(&engine, why, why_len);
    if (st != MLB_OK) {
        return st;
    }
    dnnl_status_t ds = dnnl_stream_create(&k->stream, engine, dnnl_stream_default_flags);
    if (ds != dnnl_success) {
        k->stream = NULL;
        return onednn_status(ds, "stream_create", why, why_len);
    }
    plan_binds(k);
    for (int i = 0; i < k->nsteps; ++i) {
        step_exec_args(&k->steps[i], k->mems, k->steps[i].exec);
    }
    return MLB_OK;
}

void onednn_plan_release(onednn_kernel *k) {
    if (k->stream) {
        dnnl_stream_destroy(k->stream);
        k->stream = NULL;
    }
    destroy_mems(k, k->mems);
    for (int i = 0; i < k->nsteps; ++i) {
        if (k->steps[i].prim) {
            dnnl_primitive_destroy(k->steps[i].prim);
        }
    }
    k->nsteps = 0;
    free(k->scratch);
    k->scratch = NULL;
}

/* FILL: writes value, rounded once to the dtype, into every element of the output tensor. */
static void host_fill(const mlb_tensor_desc *t, uint8_t *base, double value) {
    uint8_t bytes[8];
    const size_t size = cpuref_dtype_size(t->dtype);
    cpuref_store_f64(t->dtype, bytes, value);
    int64_t idx[MLB_MAX_RANK] = {0};
    for (;;) {
        int64_t off = 0;
        for (int32_t k = 0; k < t->rank; ++k) {
            off += idx[k] * t->strides[k];
        }
        memcpy(base + t->byte_offset + (uint64_t)off * size, bytes, size);
        if (!cpuref_next_index(idx, t->shape, t->rank)) {
            return;
        }
    }
}

/* Points the user slots' memory objects at the launch's tensors; `bound` (NULL for a run's
 * private objects) remembers the address each cached object holds, so an unchanged one is not
 * set again. */
static mlb_status bind_user_slots(onednn_kernel *k, dnnl_memory_t *mems, void **bound,
                                  uint8_t *const *inputs, uint8_t *const *outputs,
                                  dnnl_stream_t stream, char *why, size_t why_len) {
    for (int i = 0; i < k->nbinds; ++i) {
        const onednn_bind *b = &k->binds[i];
        void *p = (b->output ? outputs : inputs)[b->index] + b->offset;
        if (bound && bound[b->slot] == p) {
            continue;
        }
        dnnl_status_t ds = dnnl_memory_set_data_handle_v2(mems[b->slot], p, stream);
        if (ds != dnnl_success) {
            if (bound) {
                bound[b->slot] = NULL;
            }
            return onednn_status(ds, "memory_set_data_handle", why, why_len);
        }
        if (bound) {
            bound[b->slot] = p;
        }
    }
    return MLB_OK;
}

/* A step that is not a primitive: FILL writes its value into the output. Out of line, so that a
 * launch's straight path stays a few cache lines long. */
static __attribute__((noinline)) void run_host_step(const onednn_step *step,
                                                    uint8_t *const *outputs) {
    host_fill(step->fill_tensor, outputs[0], step->fill_value);
}

/* Runs the steps on `stream`: on the kernel's cached memory objects, whose arguments each step
 * keeps ready (mems NULL), or on a run's private ones. */
static inline __attribute__((always_inline)) mlb_status
execute_steps(onednn_kernel *k, dnnl_stream_t stream, dnnl_memory_t *mems, uint8_t *const *outputs,
              char *why, size_t why_len) {
    for (int i = 0; i < k->nsteps; ++i) {
        const onednn_step *step = &k->steps[i];
        if (ONEDNN_UNLIKELY(step->kind == ONEDNN_STEP_FILL)) {
            run_host_step(step, outputs);
            continue;
        }
        const dnnl_exec_arg_t *args = step->exec;
        dnnl_exec_arg_t own[ONEDNN_MAX_ARGS];
        if (mems) {
            step_exec_args(step, mems, own);
            args = own;
        }
        dnnl_status_t ds = dnnl_primitive_execute(step->prim, stream, step->nargs, args);
        if (ONEDNN_UNLIKELY(ds != dnnl_success)) {
            return onednn_status(ds, "primitive_execute", why, why_len);
        }
    }
    dnnl_status_t ds = dnnl_stream_wait(stream);
    return ONEDNN_LIKELY(ds == dnnl_success) ? MLB_OK
                                             : onednn_status(ds, "stream_wait", why, why_len);
}

/* Whether a launch gives the same buffers as the last run on the kernel's own objects. */
static inline __attribute__((always_inline)) int
same_buffers(const onednn_kernel *k, uint8_t *const *inputs, uint8_t *const *outputs) {
    if (!k->last_valid) {
        return 0;
    }
    for (uint32_t i = 0; i < k->ninputs; ++i) {
        if (k->last[i] != inputs[i]) {
            return 0;
        }
    }
    for (uint32_t i = 0; i < k->noutputs; ++i) {
        if (k->last[ONEDNN_MAX_IO + i] != outputs[i]) {
            return 0;
        }
    }
    return 1;
}

/* Points the kernel's own memory objects at a launch's buffers (they differ from the last run's)
 * and remembers them. Out of line: a framework's steady state launches on the same buffers. */
static __attribute__((noinline)) mlb_status rebind_own(onednn_kernel *k, uint8_t *const *inputs,
                                                       uint8_t *const *outputs, char *why,
                                                       size_t why_len) {
    k->last_valid = 0;
    mlb_status st = bind_user_slots(k, k->mems, k->bound, inputs, outputs, k->stream, why, why_len);
    if (st != MLB_OK) {
        return st;
    }
    memcpy(k->last, inputs, sizeof(*inputs) * k->ninputs);
    memcpy(k->last + ONEDNN_MAX_IO, outputs, sizeof(*outputs) * k->noutputs);
    k->last_valid = 1;
    return MLB_OK;
}

/* A run on the kernel's own stream, memory objects and scratch (`busy` held). A launch on the
 * buffers of the last one (a framework's steady state) binds nothing. */
static inline __attribute__((always_inline)) mlb_status run_own(onednn_kernel *k,
                                                                uint8_t *const *inputs,
                                                                uint8_t *const *outputs, char *why,
                                                                size_t why_len) {
    if (ONEDNN_UNLIKELY(!same_buffers(k, inputs, outputs))) {
        mlb_status st = rebind_own(k, inputs, outputs, why, why_len);
        if (st != MLB_OK) {
            return st;
        }
    }
    return execute_steps(k, k->stream, NULL, outputs, why, why_len);
}

/* A run while another one holds the kernel's objects: the thread's stream, private memory
 * objects and scratch. */
static __attribute__((noinline)) mlb_status run_private(onednn_kernel *k, uint8_t *const *inputs,
                                                        uint8_t *const *outputs, char *why,
                                                        size_t why_len) {
    dnnl_stream_t stream;
    mlb_status st = onednn_thread_stream(&stream, why, why_len);
    if (st != MLB_OK) {
        return st;
    }
    dnnl_memory_t mems[ONEDNN_MAX_SLOTS];
    uint8_t *scratch = NULL;
    if (k->scratch_size) {
        scratch = aligned_alloc(64, (k->scratch_size + 63) & ~(size_t)63);
        if (!scratch) {
            return onednn_fail(MLB_ERROR_OUT_OF_MEMORY, why, why_len,
                               "no memory for %zu bytes of scratch", k->scratch_size);
        }
    }
    st = create_mems(k, mems, scratch, why, why_len);
    if (st == MLB_OK) {
        st = bind_user_slots(k, mems, NULL, inputs, outputs, stream, why, why_len);
        if (st == MLB_OK) {
            st = execute_steps(k, stream, mems, outputs, why, why_len);
        }
        destroy_mems(k, mems);
    }
    free(scratch);
    return st;
}

/* For a serial kernel, sets the calling thread's OpenMP thread count to 1 (oneDNN's parallel
 * sections then run inline, without waking its team); returns the count to restore, 0 when
 * nothing changed. */
static inline int serial_begin(const onednn_kernel *k) {
#ifdef _OPENMP
    if (k->serial) {
        const int was = omp_get_max_threads();
        if (was > 1) {
            omp_set_num_threads(1);
            return was;
        }
    }
#else
    (void)k;
#endif
    return 0;
}

static inline void serial_end(int was) {
#ifdef _OPENMP
    if (was) {
        omp_set_num_threads(was);
    }
#else
    (void)was;
#endif
}

static inline __attribute__((always_inline)) mlb_status
run(onednn_kernel *k, uint8_t *const *inputs, uint8_t *const *outputs, char *why, size_t why_len) {
    if (ONEDNN_UNLIKELY(k->empty)) {
        return MLB_OK;
    }
    const int was = serial_begin(k);
    mlb_status st;
    if (ONEDNN_UNLIKELY(atomic_flag_test_and_set_explicit(&k->busy, memory_order_acquire))) {
        st = run_private(k, inputs, outputs, why, why_len);
    } else {
        st = run_own(k, inputs, outputs, why, why_len);
        atomic_flag_clear_explicit(&k->busy, memory_order_release);
    }
    serial_end(was);
    return st;
}

int onednn_kernel_threads(const onednn_kernel *k) {
#ifdef _OPENMP
    return k->serial ? 1 : 0;
#else
    (void)k;
    return 0;
#endif
}

ONEDNN_HOT mlb_status onednn_kernel_run(onednn_kernel *k, uint8_t *const *inputs,
                                        uint8_t *const *outputs, char *why, size_t why_len) {
    return run(k, inputs, outputs, why, why_len);
}

ONEDNN_HOT mlb_status onednn_kernel_run_exact(onednn_kernel *k, uint8_t *const *inputs,
                                              uint8_t *const *outputs, int *inexact, char *why,
                                              size_t why_len) {
    if (ONEDNN_UNLIKELY(k->guard) && !onednn_kernel_inputs_exact(k, inputs)) {
        *inexact = 1;
        return MLB_OK;
    }
    *inexact = 0;
    return run(k, inputs, outputs, why, why_len);
}
