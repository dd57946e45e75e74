/*
 * mlb_run.c - mlb-run: one op on one device from the command line, inputs
 * from .npy files or generated as the conformance suite generates them,
 * outputs to .npy, optionally compared with a second device under the
 * conformance rule and timed. See docs/mlb-run.md.
 *
 * Exit status: 0 ran (and matched under --compare), 1 mismatch or guard bytes
 * written, 2 bad usage / bad input file / invalid op, 3 no device or a
 * failure while running, 4 the device declined the op.
 */
#include "config.h"

#include "mlb_run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f) {
    fprintf(
        f,
        "Usage: mlb-run --op NAME [options]\n"
        "Runs one ml_backend op on one device; .npy files in and out.\n"
        "\n"
        "Device:\n"
        "  --plugin PATH         load this plugin file or folder instead of discovering\n"
        "                        (repeatable; else MLB_PLUGIN_PATH or the installed folder)\n"
        "  --device NAME         device as mlb-info names it, e.g. cpu_ref:0 (default: the first)\n"
        "The op:\n"
        "  --op NAME             add, matmul, conv2d, softmax, ... (docs/ops.md)\n"
        "  --dtype T             f32 f16 bf16 f64 i8 u8 i32 i64 bool (cast: the source dtype;\n"
        "                        default: the first input file's dtype, else f32)\n"
        "  --out-dtype T         cast: the target dtype\n"
        "  --index-dtype T       gather: i32 or i64 indices when generated (default i64)\n"
        "  --attr KEY=VALUE      an attribute (repeatable), e.g. activation=gelu, axis=-1,\n"
        "                        stride=2,2, padding=1, axes=0,2, keepdims=1, value=1.5\n"
        "Inputs, one of:\n"
        "  --in FILE.npy         an input, in the op's order (repeatable)\n"
        "  --shape A:B[:C]       generated inputs of these shapes, e.g. 4x128x256:256x64\n"
        "                        ('_' for a scalar; fill: the output's shape)\n"
        "    --seed N            the generator's seed (default 20240501)\n"
        "  --family NAME         a conformance case: op x dtype x family, with --seed N\n"
        "    --full              the case's --full sizes (default: --quick)\n"
        "  --list-families       list the conformance families of --op/--dtype\n"
        "Layouts (with --in or --shape):\n"
        "  --strides S:S         strides in elements per input, e.g. 1x13: (T: last two axes\n"
        "                        swapped; 0 repeats an element; empty: contiguous)\n"
        "  --offsets N:N         byte offset of each input in its buffer\n"
        "  --out-strides S       --out-offset N   the output's layout\n"
        "  --inplace             the output is input 0 (elementwise ops, copy, cast)\n"
        "Outputs and checks:\n"
        "  --out FILE.npy        write the output\n"
        "  --bf16-as bits|f32    bf16 in .npy: uint16 bit patterns (default) or float32\n"
        "  --compare NAME        run the case on a second device too and compare under the\n"
        "                        conformance rule (exit 1 on mismatch)\n"
        "  --out-ref FILE.npy    write the --compare device's output\n"
        "  --save-inputs PREFIX  write the inputs as PREFIX0.npy, PREFIX1.npy, ...\n"
        "  --time N              N timed launches after --warmup W (default 1) launches\n"
        "  --quiet, --verbose    less or more output\n"
        "  --help, --version\n"
        "\n"
        "Environment: MLB_PLUGIN_PATH, MLB_PLUGINS, MLB_PLUGINS_DISABLE, MLB_LOG.\n"
        "Exit status: 0 ok, 1 mismatch or guard bytes written, 2 bad usage or input,\n"
        "3 no device or a run failed, 4 the device declines the op.\n");
}

static int usage_error(const char *fmt, const char *a, const char *b) {
    fprintf(stderr, "mlb-run: ");
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, " (try --help)\n");
    return RUN_EXIT_USAGE;
}

static int parse_count(const char *opt, const char *s, long long lo, long long hi, long long *v) {
    char *end;
    errno = 0;
    *v = strtoll(s, &end, 10);
    if (!*s || *end || errno || *v < lo || *v > hi) {
        char range[64];
        snprintf(range, sizeof range, "%lld..%lld", lo, hi);
        return usage_error("%s needs an integer in %s", opt, range);
    }
    return -1;
}

static int parse_dtype(const char *opt, const char *s, int32_t *dt) {
    *dt = mlb_dtype_from_name(s);
    if (*dt == MLB_DTYPE_INVALID) {
        return usage_error("%s %s: not a dtype (f32 f16 bf16 f64 i8 u8 i32 i64 bool)", opt, s);
    }
    return -1;
}

/* Returns -1 to go on, else an exit status. */
static int parse(int argc, char **argv, run_options *o) {
    o->plugins = calloc((size_t)argc, sizeof *o->plugins);
    if (!o->plugins) {
        return RUN_EXIT_FAILED;
    }
    o->seed = RUN_DEFAULT_SEED;
    o->warmup = 1;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        char name[32];
        const char *v = NULL;
        const char *eq = strchr(a, '=');
        if (strncmp(a, "--", 2) == 0 && eq && (size_t)(eq - a) < sizeof name) {
            memcpy(name, a, (size_t)(eq - a));
            name[eq - a] = '\0';
            v = eq + 1;
        } else {
            snprintf(name, sizeof name, "%s", a);
        }
        /* flags */
        static const char *const flags[] = {"--full",          "--quick", "--inplace",
                                            "--list-families", "--quiet", "--verbose",
                                            "--help",          "-h",      "--version"};
        int is_flag = 0;
        for (size_t k = 0; k < sizeof flags / sizeof flags[0]; ++k) {
            is_flag |= strcmp(name, flags[k]) == 0;
        }
        if (is_flag) {
            if (v) {
                return usage_error("%s takes no value%s", name, "");
            }
            if (!strcmp(name, "--full")) {
                o->full = 1;
            } else if (!strcmp(name, "--quick")) {
                o->full = 0;
            } else if (!strcmp(name, "--inplace")) {
                o->inplace = 1;
            } else if (!strcmp(name, "--list-families")) {
                o->list_families = 1;
            } else if (!strcmp(name, "--quiet")) {
                o->quiet = 1;
            } else if (!strcmp(name, "--verbose")) {
                o->verbose = 1;
            } else if (!strcmp(name, "--version")) {
                printf("mlb-run %s (ABI %u.%u)\n", PACKAGE_VERSION,
                       (unsigned)MLB_VERSION_MAJOR(mlb_loader_abi_version()),
                       (unsigned)MLB_VERSION_MINOR(mlb_loader_abi_version()));
                return RUN_EXIT_OK;
            } else {
                usage(stdout);
                return RUN_EXIT_OK;
            }
            continue;
        }
        if (strncmp(name, "--", 2) != 0) {
            return usage_error("unexpected argument '%s'%s", a, "");
        }
        static const char *const valued[] = {
            "--plugin",      "--device",     "--compare", "--op",    "--dtype",   "--out-dtype",
            "--index-dtype", "--attr",       "--in",      "--shape", "--strides", "--offsets",
            "--out-strides", "--out-offset", "--family",  "--seed",  "--out",     "--out-ref",
            "--save-inputs", "--bf16-as",    "--time",    "--warmup"};
        int known = 0;
        for (size_t k = 0; k < sizeof valued / sizeof valued[0]; ++k) {
            known |= strcmp(name, valued[k]) == 0;
        }
        if (!known) {
            return usage_error("unknown option '%s'%s", name, "");
        }
        if (!v) {
            if (i + 1 >= argc) {
                return usage_error("%s needs a value%s", name, "");
            }
            v = argv[++i];
        }
        long long n;
        int rc = -1;
        if (!strcmp(name, "--plugin")) {
            o->plugins[o->num_plugins++] = v;
        } else if (!strcmp(name, "--device")) {
            o->device = v;
        } else if (!strcmp(name, "--compare")) {
            o->compare = v;
        } else if (!strcmp(name, "--op")) {
            o->op_name = v;
            o->op = mlb_op_from_name(v);
            if (o->op == MLB_OP_NONE) {
                return usage_error("--op %s: not an op name (see docs/ops.md)%s", v, "");
            }
        } else if (!strcmp(name, "--dtype")) {
            rc = parse_dtype(name, v, &o->dtype);
        } else if (!strcmp(name, "--out-dtype")) {
            rc = parse_dtype(name, v, &o->out_dtype);
        } else if (!strcmp(name, "--index-dtype")) {
            rc = parse_dtype(name, v, &o->index_dtype);
        } else if (!strcmp(name, "--attr")) {
            if (o->num_attrs == RUN_MAX_ATTRS) {
                return usage_error("too many --attr options%s%s", "", "");
            }
            o->attrs[o->num_attrs++] = v;
        } else if (!strcmp(name, "--in")) {
            if (o->num_inputs == MLBC_MAX_INPUTS) {
                return usage_error("more --in files than any op takes (%s)%s", "3", "");
            }
            o->inputs[o->num_inputs++] = v;
        } else if (!strcmp(name, "--shape")) {
            o->shape = v;
        } else if (!strcmp(name, "--strides")) {
            o->strides = v;
        } else if (!strcmp(name, "--offsets")) {
            o->offsets = v;
        } else if (!strcmp(name, "--out-strides")) {
            o->out_strides = v;
        } else if (!strcmp(name, "--out-offset")) {
            rc = parse_count(name, v, 0, (long long)1 << 40, &n);
            o->out_offset = (uint64_t)n;
        } else if (!strcmp(name, "--family")) {
            o->family = v;
        } else if (!strcmp(name, "--seed")) {
            char *end;
            errno = 0;
            o->seed = strtoull(v, &end, 0);
            if (!*v || *end || errno || v[0] == '-') {
                return usage_error("--seed %s: not an unsigned 64-bit integer%s", v, "");
            }
            o->seed_given = 1;
        } else if (!strcmp(name, "--out")) {
            if (o->num_outs == RUN_MAX_OUTS) {
                return usage_error("too many --out files%s%s", "", "");
            }
            o->outs[o->num_outs++] = v;
        } else if (!strcmp(name, "--out-ref")) {
            o->out_ref = v;
        } else if (!strcmp(name, "--save-inputs")) {
            o->save_inputs = v;
        } else if (!strcmp(name, "--bf16-as")) {
            if (!strcmp(v, "f32")) {
                o->bf16_as_f32 = 1;
            } else if (!strcmp(v, "bits") || !strcmp(v, "u16")) {
                o->bf16_as_f32 = 0;
            } else {
                return usage_error("--bf16-as %s: expected bits or f32%s", v, "");
            }
        } else if (!strcmp(name, "--time")) {
            rc = parse_count(name, v, 1, 1000000, &n);
            o->time_n = (int)n;
        } else if (!strcmp(name, "--warmup")) {
            rc = parse_count(name, v, 0, 1000000, &n);
            o->warmup = (int)n;
        } else {
            return usage_error("unknown option '%s'%s", name, "");
        }
        if (rc >= 0) {
            return rc;
        }
    }
    return -1;
}

/* Options that a conformance case fixes itself. */
static int check_combinations(const run_options *o) {
    if (!o->op_name) {
        return usage_error("--op NAME is required%s%s", "", "");
    }
    if (o->family) {
        const char *clash = o->num_inputs    ? "--in"
                            : o->shape       ? "--shape"
                            : o->strides     ? "--strides"
                            : o->offsets     ? "--offsets"
                            : o->out_strides ? "--out-strides"
                            : o->out_offset  ? "--out-offset"
                            : o->num_attrs   ? "--attr"
                            : o->out_dtype   ? "--out-dtype"
                            : o->index_dtype ? "--index-dtype"
                            : o->inplace     ? "--inplace"
                                             : NULL;
        if (clash) {
            return usage_error("%s cannot be combined with --family (the case defines it)%s", clash,
                               "");
        }
    } else if (o->full) {
        return usage_error("--full applies to --family only%s%s", "", "");
    }
    if (o->num_inputs && o->shape) {
        return usage_error("give --in files or --shape, not both%s%s", "", "");
    }
    if (o->num_inputs && o->seed_given) {
        return usage_error("--seed applies to generated inputs (--shape, --family), not --in%s%s",
                           "", "");
    }
    if (o->num_outs > 1) {
        return usage_error("%s has one output, more --out files given%s", o->op_name, "");
    }
    if (o->out_ref && !o->compare) {
        return usage_error("--out-ref needs --compare%s%s", "", "");
    }
    return -1;
}

static int list_families(const run_options *o) {
    const int32_t dt = o->dtype ? o->dtype : MLB_DTYPE_F32;
    const char *names[MLBC_MAX_FAMILIES];
    const size_t n = mlbc_families(o->op, dt, names);
    for (size_t i = 0; i < n; ++i) {
        printf("%s\n", names[i]);
    }
    if (!n) {
        fprintf(stderr, "mlb-run: no conformance families for %s %s\n", o->op_name,
                mlbc_dtype_name(dt));
        return RUN_EXIT_USAGE;
    }
    return RUN_EXIT_OK;
}

static int find_device(mlb_context ctx, const char *name, mlb_device *dev) {
    const uint32_t n = mlb_context_device_count(ctx);
    if (!name) {
        if (n && mlb_context_device_get(ctx, 0, dev) == MLB_OK) {
            return RUN_EXIT_OK;
        }
        fprintf(stderr, "mlb-run: no device: no plugin with a device was loaded (run mlb-info "
                        "to see why)\n");
        return RUN_EXIT_FAILED;
    }
    if (mlb_context_device_find(ctx, name, dev) == MLB_OK) {
        return RUN_EXIT_OK;
    }
    char list[512] = "";
    size_t len = 0;
    for (uint32_t i = 0; i < n && len < sizeof list; ++i) {
        mlb_device d;
        if (mlb_context_device_get(ctx, i, &d) == MLB_OK) {
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
                                    mlb_device_name(d));
        }
    }
    fprintf(stderr, "mlb-run: no device '%s' (devices: %s)\n", name, n ? list : "none");
    return RUN_EXIT_FAILED;
}

static void describe_case(const mlbc_case *c, const run_options *o, const char *dev) {
    char line[512];
    if (o->family) {
        printf("mlb-run: %s %s family %s, seed %llu (%s) on %s\n", o->op_name,
               mlbc_dtype_name(c->dtype), c->family, (unsigned long long)o->seed,
               o->full ? "full" : "quick", dev);
    } else {
        printf("mlb-run: %s %s on %s\n", o->op_name, mlbc_dtype_name(c->dtype), dev);
    }
    if (!o->verbose) {
        return;
    }
    for (uint32_t i = 0; i < c->desc.num_inputs; ++i) {
        run_tensor_text(&c->in[i], line, sizeof line);
        printf("  input %u: %s\n", (unsigned)i, line);
    }
    run_tensor_text(&c->out[0], line, sizeof line);
    printf("  output:  %s%s\n", line, c->inplace_input >= 0 ? " (in place)" : "");
    run_attrs_describe(c, line, sizeof line);
    if (line[0]) {
        printf("  attributes: %s\n", line);
    }
    printf("  accumulation length %llu\n", (unsigned long long)c->accum_len);
}

/* Writes the inputs as PREFIX<i>.npy. */
static int save_inputs(const run_options *o, const mlbc_case *c, char *err) {
    for (uint32_t i = 0; i < c->desc.num_inputs; ++i) {
        char path[4096];
        snprintf(path, sizeof path, "%s%u.npy", o->save_inputs, (unsigned)i);
        if (run_save_tensor(path, &c->in[i], c->in_data[i], o->bf16_as_f32, err) != 0) {
            return -1;
        }
        if (!o->quiet) {
            printf("input %u -> %s\n", (unsigned)i, path);
        }
    }
    return 0;
}

static void bf16_note(const run_options *o, const mlb_tensor_desc *t, const char *path) {
    if (o->quiet) {
        return;
    }
    if (t->dtype == MLB_DTYPE_BF16 && !o->bf16_as_f32) {
        printf("output -> %s (bf16 as uint16 bit patterns: numpy.load(f).astype(numpy.uint32) "
               "<< 16 viewed as float32; or use --bf16-as f32)\n",
               path);
    } else {
        printf("output -> %s\n", path);
    }
}

static int run(const run_options *o) {
    char err[RUN_ERR_LEN] = "";
    mlbc_case c;
    int rc = run_case_build(o, &c, err);
    if (rc != RUN_EXIT_OK) {
        fprintf(stderr, "mlb-run: %s\n", err);
        return rc;
    }
    mlb_context_options co;
    memset(&co, 0, sizeof co);
    co.struct_size = MLB_STRUCT_SIZE(mlb_context_options, log_user_data);
    co.plugin_paths = o->num_plugins ? o->plugins : NULL;
    co.num_plugin_paths = o->num_plugins;
    mlb_context ctx = NULL;
    run_placed p;
    run_device dev, ref;
    memset(&p, 0, sizeof p);
    memset(&dev, 0, sizeof dev);
    memset(&ref, 0, sizeof ref);
    mlb_device d = NULL, r = NULL;
    const mlb_status cst = mlb_context_create(&co, &ctx);
    if (cst != MLB_OK && cst != MLB_ERROR_NO_PLUGIN) {
        fprintf(stderr, "mlb-run: mlb_context_create: %s: %s\n", mlb_status_name(cst),
                mlb_last_error());
        rc = RUN_EXIT_FAILED;
        goto done;
    }
    if ((rc = find_device(ctx, o->device, &d)) != RUN_EXIT_OK ||
        (o->compare && (rc = find_device(ctx, o->compare, &r)) != RUN_EXIT_OK)) {
        goto done;
    }
    if (!o->quiet) {
        describe_case(&c, o, mlb_device_name(d));
    }
    if (run_place(&c, &p, err) != 0) {
        rc = RUN_EXIT_FAILED;
        goto fail;
    }
    if (o->save_inputs && save_inputs(o, &c, err) != 0) {
        rc = RUN_EXIT_USAGE;
        goto fail;
    }
    if ((rc = run_on_device(d, &p, &dev, err)) != RUN_EXIT_OK) {
        goto fail;
    }
    for (int i = 0; i < o->num_outs; ++i) {
        if (run_save_tensor(o->outs[i], &p.out, dev.result, o->bf16_as_f32, err) != 0) {
            rc = RUN_EXIT_USAGE;
            goto fail;
        }
        bf16_note(o, &p.out, o->outs[i]);
    }
    if (!o->quiet && !o->num_outs) {
        run_print_summary("output", &p.out, dev.result);
    }
    int verdict = RUN_EXIT_OK;
    if (r) {
        if ((rc = run_on_device(r, &p, &ref, err)) != RUN_EXIT_OK) {
            char e2[RUN_ERR_LEN];
            snprintf(e2, sizeof e2, "the --compare device: %s", err);
            memcpy(err, e2, sizeof e2);
            rc = rc == RUN_EXIT_UNSUPPORTED ? RUN_EXIT_FAILED : rc;
            goto fail;
        }
        if (!o->quiet) {
            printf("compare: %s against %s\n", mlb_device_name(d), mlb_device_name(r));
        }
        verdict = run_compare(c.op, &p.out, p.out_before, dev.result, ref.result, p.out_size,
                              c.accum_len, d == r, o->quiet);
        if (o->out_ref &&
            run_save_tensor(o->out_ref, &p.out, ref.result, o->bf16_as_f32, err) != 0) {
            rc = RUN_EXIT_USAGE;
            goto fail;
        }
    } else if (run_check_guards(&p.out, p.out_before, dev.result, p.out_size, "guard bytes")) {
        verdict = RUN_EXIT_MISMATCH;
    }
    if (o->time_n && (rc = run_time(&dev, &p, &c, o->time_n, o->warmup, err)) != RUN_EXIT_OK) {
        goto fail;
    }
    rc = verdict;
    if (!o->quiet && r) {
        printf("%s\n", verdict == RUN_EXIT_OK ? "PASS" : "FAIL");
    }
    goto done;
fail:
    fprintf(stderr, "mlb-run: %s\n", err);
done:
    run_device_release(&ref);
    run_device_release(&dev);
    run_placed_free(&p);
    mlbc_case_free(&c);
    mlb_context_destroy(ctx);
    return rc;
}

int main(int argc, char **argv) {
    run_options o;
    memset(&o, 0, sizeof o);
    int rc = parse(argc, argv, &o);
    if (rc < 0) {
        rc = check_combinations(&o);
    }
    if (rc < 0) {
        rc = o.list_families ? list_families(&o) : run(&o);
    }
    free(o.plugins);
    return rc;
}
