/*
 * mlb_info.c - mlb-info: which plugins were found, which loaded and why the
 * others did not, their devices and properties, and (--ops) the op x dtype
 * support matrix of each device. --json prints the same for machines.
 * Exit status: 0 when at least one plugin loaded, 1 when none did, 2 for a
 * usage error.
 */
#include "config.h"

#include "info_ops.h"
#include "mlb.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct options {
    const char **paths;
    uint32_t num_paths;
    int ops;
    int json;
} options;

static void usage(FILE *f) {
    fprintf(f,
            "Usage: mlb-info [--plugin PATH]... [--ops] [--json]\n"
            "Lists ml_backend plugins, why any was rejected, and their devices.\n"
            "\n"
            "  --plugin PATH  load this plugin file or folder instead of discovering\n"
            "                 (repeatable; otherwise MLB_PLUGIN_PATH or the installed folder)\n"
            "  --ops          print the op x dtype support matrix of each device\n"
            "  --json         print JSON instead of text\n"
            "  --help         print this help\n"
            "  --version      print the version\n"
            "\n"
            "Environment: MLB_PLUGIN_PATH, MLB_PLUGINS, MLB_PLUGINS_DISABLE, MLB_LOG.\n"
            "Exit status: 0 when at least one plugin loaded, 1 when none did, 2 on bad usage.\n");
}

/* Returns -1 to go on, else an exit status. */
static int parse(int argc, char **argv, options *o) {
    o->paths = calloc((size_t)argc, sizeof *o->paths);
    if (!o->paths)
        return 1;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        if (strcmp(a, "--plugin") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "mlb-info: --plugin needs a PATH (try --help)\n");
                return 2;
            }
            o->paths[o->num_paths++] = argv[++i];
        } else if (strncmp(a, "--plugin=", 9) == 0) {
            o->paths[o->num_paths++] = a + 9;
        } else if (strcmp(a, "--ops") == 0) {
            o->ops = 1;
        } else if (strcmp(a, "--json") == 0) {
            o->json = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("mlb-info %s (ABI %u.%u)\n", PACKAGE_VERSION,
                   (unsigned)MLB_VERSION_MAJOR(mlb_loader_abi_version()),
                   (unsigned)MLB_VERSION_MINOR(mlb_loader_abi_version()));
            return 0;
        } else {
            fprintf(stderr, "mlb-info: unknown option '%s' (try --help)\n", a);
            return 2;
        }
    }
    return -1;
}

/* ---- names ---------------------------------------------------------------- */

static const char *kind_name(int32_t kind) {
    switch (kind) {
    case MLB_DEVICE_KIND_CPU:
        return "cpu";
    case MLB_DEVICE_KIND_GPU:
        return "gpu";
    case MLB_DEVICE_KIND_ACCELERATOR:
        return "accelerator";
    default:
        return "unknown";
    }
}

static const char *memory_type_name(int32_t type) {
    switch (type) {
    case MLB_MEMORY_DEVICE_LOCAL:
        return "device-local";
    case MLB_MEMORY_HOST_VISIBLE:
        return "host-visible";
    case MLB_MEMORY_HOST_PINNED:
        return "host-pinned";
    default:
        return "unknown";
    }
}

static void uuid_string(const uint8_t *u, char out[40]) {
    char *p = out;
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        p += sprintf(p, "%02x", u[i]);
    }
    *p = '\0';
}

/* Fills `supported[op][dtype]` for one device: 'Y' or '.'. */
static void op_matrix(mlb_device d, char supported[][16]) {
    for (unsigned i = 0; i < mlb_info_op_count; ++i) {
        for (unsigned j = 0; j < mlb_info_dtype_count; ++j) {
            mlb_info_op_case c;
            int ok = mlb_info_op_case_build(&c, mlb_info_ops[i], mlb_info_dtypes[j]) == 0 &&
                     mlb_op_supported(d, &c.desc) == MLB_OK;
            supported[i][j] = ok ? 'Y' : '.';
        }
    }
}

/* ---- text --------------------------------------------------------------- */

static void text_plugins(mlb_context ctx) {
    uint32_t n = mlb_context_plugin_count(ctx);
    printf("Plugins (%u):\n", n);
    if (!n)
        printf("  (none found)\n");
    for (uint32_t i = 0; i < n; ++i) {
        mlb_plugin_info pi = {.struct_size = MLB_STRUCT_SIZE(mlb_plugin_info, features)};
        if (mlb_context_plugin_info(ctx, i, &pi) != MLB_OK)
            continue;
        const char *base = strrchr(pi.path, '/');
        printf("  %s", pi.name[0] ? pi.name : (base ? base + 1 : pi.path));
        if (pi.version[0])
            printf(" %s", pi.version);
        if (pi.abi_version)
            printf(" (ABI %u.%u)", (unsigned)MLB_VERSION_MAJOR(pi.abi_version),
                   (unsigned)MLB_VERSION_MINOR(pi.abi_version));
        if (pi.state == MLB_PLUGIN_LOADED)
            printf(": loaded, %u device%s\n", pi.device_count, pi.device_count == 1 ? "" : "s");
        else
            printf(": %s (%s)\n", mlb_plugin_state_name(pi.state), mlb_status_name(pi.status));
        printf("    path:   %s\n", pi.path);
        if (pi.real_path[0] && strcmp(pi.real_path, pi.path) != 0)
            printf("    real:   %s\n", pi.real_path);
        if (pi.description[0])
            printf("    about:  %s\n", pi.description);
        if (pi.state != MLB_PLUGIN_LOADED)
            printf("    reason: %s\n", pi.reason);
    }
}

static void text_device(mlb_device d, int ops) {
    mlb_device_props p = {.struct_size = MLB_STRUCT_SIZE(mlb_device_props, uuid)};
    printf("  %s", mlb_device_name(d));
    if (mlb_device_get_props(d, &p) != MLB_OK) {
        printf(": properties unavailable: %s\n", mlb_last_error());
        return;
    }
    char uuid[40];
    uuid_string(p.uuid, uuid);
    printf(": %s\n", p.name);
    printf("    vendor:            %s\n", p.vendor);
    printf("    kind:              %s\n", kind_name(p.kind));
    printf("    total memory:      %" PRIu64 " bytes\n", p.total_memory);
    printf("    compute units:     %u\n", p.compute_units);
    printf("    flags:            %s%s%s\n",
           p.flags & MLB_DEVICE_FLAG_HOST_ACCESSIBLE ? " host-accessible" : "",
           p.flags & MLB_DEVICE_FLAG_UNIFIED_MEMORY ? " unified-memory" : "",
           p.flags ? "" : " none");
    if (p.vendor_id || p.device_id) {
        printf("    pci id:            %04x:%04x\n", p.vendor_id, p.device_id);
    }
    if (p.flags & MLB_DEVICE_FLAG_PCI_LOCATION) {
        printf("    pci location:      %04x:%02x:%02x.%x\n", (unsigned)p.pci_domain,
               (unsigned)p.pci_bus, (unsigned)p.pci_device, (unsigned)p.pci_function);
    }
    printf("    stream priorities: %d (high) .. %d (low)\n", (int)p.stream_priority_high,
           (int)p.stream_priority_low);
    printf("    uuid:              %s\n", uuid);
    uint32_t kinds = p.memory_kind_count ? p.memory_kind_count : 1;
    for (uint32_t k = 0; k < kinds; ++k) {
        mlb_memory_kind_info mk = {.struct_size =
                                       MLB_STRUCT_SIZE(mlb_memory_kind_info, total_size)};
        if (mlb_device_get_memory_kind(d, k, &mk) != MLB_OK)
            continue;
        printf("    memory kind %u:     %s%s, alignment %" PRIu64 ", %" PRIu64 " bytes\n", k,
               memory_type_name(mk.type),
               mk.flags & MLB_MEMORY_FLAG_HOST_ACCESSIBLE ? " host-accessible" : "", mk.alignment,
               mk.total_size);
    }
    if (!ops)
        return;
    char m[64][16];
    op_matrix(d, m);
    printf("    ops (Y = supported, . = not):\n      %-12s", "");
    for (unsigned j = 0; j < mlb_info_dtype_count; ++j)
        printf(" %4s", mlb_dtype_name(mlb_info_dtypes[j]));
    printf("\n");
    for (unsigned i = 0; i < mlb_info_op_count; ++i) {
        printf("      %-12s", mlb_op_name(mlb_info_ops[i]));
        for (unsigned j = 0; j < mlb_info_dtype_count; ++j)
            printf(" %4c", m[i][j]);
        printf("\n");
    }
}

static void text_report(mlb_context ctx, int ops) {
    printf("mlb-info %s, loader ABI %u.%u\n\n", PACKAGE_VERSION,
           (unsigned)MLB_VERSION_MAJOR(mlb_loader_abi_version()),
           (unsigned)MLB_VERSION_MINOR(mlb_loader_abi_version()));
    text_plugins(ctx);
    uint32_t n = mlb_context_device_count(ctx);
    printf("\nDevices (%u):\n", n);
    if (!n)
        printf("  (none)\n");
    for (uint32_t i = 0; i < n; ++i) {
        mlb_device d;
        if (mlb_context_device_get(ctx, i, &d) == MLB_OK)
            text_device(d, ops);
    }
}

/* ---- JSON ------------------------------------------------------------------- */

static void json_string(const char *s) {
    putchar('"');
    for (const unsigned char *c = (const unsigned char *)(s ? s : ""); *c; ++c) {
        if (*c == '"' || *c == '\\')
            printf("\\%c", *c);
        else if (*c == '\n')
            printf("\\n");
        else if (*c < 0x20)
            printf("\\u%04x", *c);
        else
            putchar(*c);
    }
    putchar('"');
}

static void json_key(const char *key, const char *value, int comma) {
    printf("%s\"%s\": ", comma ? ", " : "", key);
    json_string(value);
}

static void json_version(const char *key, uint32_t v) {
    char buf[32];
    snprintf(buf, sizeof buf, "%u.%u", (unsigned)MLB_VERSION_MAJOR(v),
             (unsigned)MLB_VERSION_MINOR(v));
    json_key(key, v ? buf : "", 1);
}

static void json_plugins(mlb_context ctx) {
    uint32_t n = mlb_context_plugin_count(ctx);
    printf("  \"plugins\": [");
    for (uint32_t i = 0; i < n; ++i) {
        mlb_plugin_info pi = {.struct_size = MLB_STRUCT_SIZE(mlb_plugin_info, features)};
        if (mlb_context_plugin_info(ctx, i, &pi) != MLB_OK)
            continue;
        printf("%s\n    {", i ? "," : "");
        json_key("path", pi.path, 0);
        json_key("real_path", pi.real_path, 1);
        json_key("name", pi.name, 1);
        json_key("version", pi.version, 1);
        json_key("description", pi.description, 1);
        json_version("abi_version", pi.abi_version);
        json_key("state", mlb_plugin_state_name(pi.state), 1);
        json_key("status", mlb_status_name(pi.status), 1);
        json_key("reason", pi.reason, 1);
        printf(", \"device_count\": %u, \"features\": %" PRIu64 "}", pi.device_count, pi.features);
    }
    printf("%s],\n", n ? "\n  " : "");
}

static void json_device(mlb_device d, int ops) {
    mlb_device_props p = {.struct_size = MLB_STRUCT_SIZE(mlb_device_props, uuid)};
    printf("    {");
    json_key("name", mlb_device_name(d), 0);
    json_key("plugin", mlb_device_plugin_name(d), 1);
    if (mlb_device_get_props(d, &p) != MLB_OK) {
        json_key("error", mlb_last_error(), 1);
        printf("}");
        return;
    }
    char uuid[40];
    uuid_string(p.uuid, uuid);
    json_key("device", p.name, 1);
    json_key("vendor", p.vendor, 1);
    json_key("kind", kind_name(p.kind), 1);
    printf(", \"flags\": %u, \"total_memory\": %" PRIu64 ", \"compute_units\": %u", p.flags,
           p.total_memory, p.compute_units);
    printf(", \"vendor_id\": %u, \"device_id\": %u", p.vendor_id, p.device_id);
    printf(", \"stream_priority_low\": %d, \"stream_priority_high\": %d",
           (int)p.stream_priority_low, (int)p.stream_priority_high);
    if (p.flags & MLB_DEVICE_FLAG_PCI_LOCATION) {
        printf(", \"pci\": [%d, %d, %d, %d]", (int)p.pci_domain, (int)p.pci_bus, (int)p.pci_device,
               (int)p.pci_function);
    } else {
        printf(", \"pci\": null");
    }
    json_key("uuid", uuid, 1);
    printf(",\n     \"memory_kinds\": [");
    uint32_t kinds = p.memory_kind_count ? p.memory_kind_count : 1;
    for (uint32_t k = 0; k < kinds; ++k) {
        mlb_memory_kind_info mk = {.struct_size =
                                       MLB_STRUCT_SIZE(mlb_memory_kind_info, total_size)};
        if (mlb_device_get_memory_kind(d, k, &mk) != MLB_OK)
            continue;
        printf("%s{", k ? ", " : "");
        json_key("type", memory_type_name(mk.type), 0);
        printf(", \"flags\": %u, \"alignment\": %" PRIu64 ", \"max_alloc_size\": %" PRIu64
               ", \"total_size\": %" PRIu64 "}",
               mk.flags, mk.alignment, mk.max_alloc_size, mk.total_size);
    }
    printf("]");
    if (ops) {
        char m[64][16];
        op_matrix(d, m);
        printf(",\n     \"ops\": {");
        for (unsigned i = 0; i < mlb_info_op_count; ++i) {
            printf("%s\"%s\": [", i ? ", " : "", mlb_op_name(mlb_info_ops[i]));
            int first = 1;
            for (unsigned j = 0; j < mlb_info_dtype_count; ++j) {
                if (m[i][j] != 'Y')
                    continue;
                printf("%s\"%s\"", first ? "" : ", ", mlb_dtype_name(mlb_info_dtypes[j]));
                first = 0;
            }
            printf("]");
        }
        printf("}");
    }
    printf("}");
}

static void json_report(mlb_context ctx, int ops) {
    printf("{\n  \"tool\": \"mlb-info\", \"version\": \"%s\", \"abi_version\": \"%u.%u\",\n",
           PACKAGE_VERSION, (unsigned)MLB_VERSION_MAJOR(mlb_loader_abi_version()),
           (unsigned)MLB_VERSION_MINOR(mlb_loader_abi_version()));
    json_plugins(ctx);
    uint32_t n = mlb_context_device_count(ctx);
    printf("  \"devices\": [");
    for (uint32_t i = 0; i < n; ++i) {
        mlb_device d;
        if (mlb_context_device_get(ctx, i, &d) != MLB_OK)
            continue;
        printf("%s\n", i ? "," : "");
        json_device(d, ops);
    }
    printf("%s]\n}\n", n ? "\n  " : "");
}

int main(int argc, char **argv) {
    options o = {0};
    int rc = parse(argc, argv, &o);
    if (rc >= 0) {
        free(o.paths);
        return rc;
    }
    mlb_context_options co = {.struct_size = MLB_STRUCT_SIZE(mlb_context_options, log_user_data)};
    co.plugin_paths = o.paths;
    co.num_plugin_paths = o.num_paths;
    mlb_context ctx = NULL;
    mlb_status st = mlb_context_create(&co, &ctx);
    free(o.paths);
    if (st != MLB_OK && st != MLB_ERROR_NO_PLUGIN) {
        fprintf(stderr, "mlb-info: %s\n", mlb_last_error());
        return 1;
    }
    if (o.json)
        json_report(ctx, o.ops);
    else
        text_report(ctx, o.ops);
    mlb_context_destroy(ctx);
    return st == MLB_OK ? 0 : 1;
}
