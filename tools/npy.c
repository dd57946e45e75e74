/*
 * npy.c - the strict .npy reader and writer (see npy.h for the rules).
 */
#include "npy.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char npy_magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

typedef struct descr_entry {
    const char *descr;
    int32_t dtype;
} descr_entry;

/* Every spelling accepted on read; the first of each dtype is the one written. */
static const descr_entry descrs[] = {
    {"<f4", MLB_DTYPE_F32},  {"=f4", MLB_DTYPE_F32},  {"<f2", MLB_DTYPE_F16},
    {"=f2", MLB_DTYPE_F16},  {"<f8", MLB_DTYPE_F64},  {"=f8", MLB_DTYPE_F64},
    {"|i1", MLB_DTYPE_I8},   {"<i1", MLB_DTYPE_I8},   {"=i1", MLB_DTYPE_I8},
    {"|u1", MLB_DTYPE_U8},   {"<u1", MLB_DTYPE_U8},   {"=u1", MLB_DTYPE_U8},
    {"<i4", MLB_DTYPE_I32},  {"=i4", MLB_DTYPE_I32},  {"<i8", MLB_DTYPE_I64},
    {"=i8", MLB_DTYPE_I64},  {"|b1", MLB_DTYPE_BOOL}, {"<b1", MLB_DTYPE_BOOL},
    {"=b1", MLB_DTYPE_BOOL}, {"<u2", MLB_DTYPE_BF16}, {"=u2", MLB_DTYPE_BF16},
};

static void set_err(char *err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, NPY_ERR_LEN, fmt, ap);
    va_end(ap);
}

size_t npy_itemsize(int32_t dtype) {
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

const char *npy_descr(int32_t dtype) {
    for (size_t i = 0; i < sizeof descrs / sizeof descrs[0]; ++i) {
        if (descrs[i].dtype == dtype) {
            return descrs[i].descr;
        }
    }
    return NULL;
}

void npy_free(npy_array *a) {
    if (a) {
        free(a->data);
        memset(a, 0, sizeof *a);
    }
}

/* ---- header dict ---------------------------------------------------------------------------- */

typedef struct cursor {
    const char *p, *end;
} cursor;

static void skip_ws(cursor *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t')) {
        ++c->p;
    }
}

/* A quoted string without escapes into out (cap bytes with NUL). 0 or -1. */
static int parse_string(cursor *c, char *out, size_t cap, const char *what, char *err) {
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"')) {
        set_err(err, "bad .npy header: expected a quoted %s", what);
        return -1;
    }
    const char q = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != q) {
        if (*c->p == '\\') {
            set_err(err, "bad .npy header: escape sequences are not accepted in the %s", what);
            return -1;
        }
        if (n + 1 >= cap) {
            set_err(err, "bad .npy header: %s too long", what);
            return -1;
        }
        out[n++] = *c->p++;
    }
    if (c->p >= c->end) {
        set_err(err, "bad .npy header: unterminated string in the %s", what);
        return -1;
    }
    ++c->p;
    out[n] = '\0';
    return 0;
}

static int parse_bool(cursor *c, int *v, char *err) {
    const size_t left = (size_t)(c->end - c->p);
    if (left >= 5 && memcmp(c->p, "False", 5) == 0) {
        c->p += 5;
        *v = 0;
        return 0;
    }
    if (left >= 4 && memcmp(c->p, "True", 4) == 0) {
        c->p += 4;
        *v = 1;
        return 0;
    }
    set_err(err, "bad .npy header: 'fortran_order' must be True or False");
    return -1;
}

/* A tuple of non-negative decimal integers: (), (3,), (3, 4), (3, 4,). */
static int parse_shape(cursor *c, npy_array *a, char *err) {
    if (c->p >= c->end || *c->p != '(') {
        set_err(err, "bad .npy header: 'shape' must be a tuple such as (3, 4)");
        return -1;
    }
    ++c->p;
    int32_t rank = 0;
    int commas = 0;
    for (;;) {
        skip_ws(c);
        if (c->p < c->end && *c->p == ')') {
            ++c->p;
            break;
        }
        if (c->p >= c->end || *c->p < '0' || *c->p > '9') {
            set_err(err, "bad .npy header: 'shape' must hold non-negative integers");
            return -1;
        }
        if (rank == MLB_MAX_RANK) {
            set_err(err, "bad .npy header: 'shape' has more than %d axes", MLB_MAX_RANK);
            return -1;
        }
        if (*c->p == '0' && c->p + 1 < c->end && c->p[1] >= '0' && c->p[1] <= '9') {
            set_err(err, "bad .npy header: leading zero in a 'shape' extent");
            return -1;
        }
        int64_t v = 0;
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
            const int d = *c->p++ - '0';
            if (v > (INT64_MAX - d) / 10) {
                set_err(err, "bad .npy header: a 'shape' extent overflows 64 bits");
                return -1;
            }
            v = v * 10 + d;
        }
        a->shape[rank++] = v;
        skip_ws(c);
        if (c->p < c->end && *c->p == ',') {
            ++c->p;
            ++commas;
        } else if (c->p < c->end && *c->p == ')') {
            ++c->p;
            break;
        } else {
            set_err(err, "bad .npy header: expected ',' or ')' in 'shape'");
            return -1;
        }
    }
    if (rank == 1 && commas == 0) {
        set_err(err, "bad .npy header: 'shape' (%lld) is not a tuple (a 1-d shape is (%lld,))",
                (long long)a->shape[0], (long long)a->shape[0]);
        return -1;
    }
    a->rank = rank;
    return 0;
}

enum { KEY_DESCR = 1, KEY_FORTRAN = 2, KEY_SHAPE = 4 };

static int parse_dict(const char *h, size_t n, npy_array *a, char *err) {
    cursor c = {h, h + n};
    unsigned seen = 0;
    int fortran = 0;
    char descr[16] = "";
    skip_ws(&c);
    if (c.p >= c.end || *c.p != '{') {
        set_err(err, "bad .npy header: it is not a dict (no '{')");
        return -1;
    }
    ++c.p;
    for (;;) {
        skip_ws(&c);
        if (c.p < c.end && *c.p == '}') {
            ++c.p;
            break;
        }
        char key[32];
        if (parse_string(&c, key, sizeof key, "key", err) != 0) {
            return -1;
        }
        skip_ws(&c);
        if (c.p >= c.end || *c.p != ':') {
            set_err(err, "bad .npy header: expected ':' after '%s'", key);
            return -1;
        }
        ++c.p;
        skip_ws(&c);
        unsigned bit;
        int rc;
        if (strcmp(key, "descr") == 0) {
            bit = KEY_DESCR;
            rc = parse_string(&c, descr, sizeof descr, "'descr'", err);
        } else if (strcmp(key, "fortran_order") == 0) {
            bit = KEY_FORTRAN;
            rc = parse_bool(&c, &fortran, err);
        } else if (strcmp(key, "shape") == 0) {
            bit = KEY_SHAPE;
            rc = parse_shape(&c, a, err);
        } else {
            set_err(err, "bad .npy header: unknown key '%s'", key);
            return -1;
        }
        if (rc != 0) {
            return -1;
        }
        if (seen & bit) {
            set_err(err, "bad .npy header: key '%s' appears twice", key);
            return -1;
        }
        seen |= bit;
        skip_ws(&c);
        if (c.p < c.end && *c.p == ',') {
            ++c.p;
        } else if (c.p < c.end && *c.p == '}') {
            ++c.p;
            break;
        } else {
            set_err(err, "bad .npy header: expected ',' or '}' after '%s'", key);
            return -1;
        }
    }
    skip_ws(&c);
    if (c.p != c.end) {
        set_err(err, "bad .npy header: unexpected text after the dict");
        return -1;
    }
    if (seen != (KEY_DESCR | KEY_FORTRAN | KEY_SHAPE)) {
        set_err(err, "bad .npy header: missing key '%s'",
                !(seen & KEY_DESCR)     ? "descr"
                : !(seen & KEY_FORTRAN) ? "fortran_order"
                                        : "shape");
        return -1;
    }
    if (fortran) {
        set_err(err, "Fortran-order arrays are not supported: save with "
                     "numpy.save(f, numpy.ascontiguousarray(a))");
        return -1;
    }
    a->dtype = MLB_DTYPE_INVALID;
    for (size_t i = 0; i < sizeof descrs / sizeof descrs[0]; ++i) {
        if (strcmp(descrs[i].descr, descr) == 0) {
            a->dtype = descrs[i].dtype;
        }
    }
    if (a->dtype == MLB_DTYPE_INVALID) {
        if (descr[0] == '>') {
            set_err(err,
                    "big-endian data ('%s') is not supported: convert with "
                    "a.astype(a.dtype.newbyteorder('<'))",
                    descr);
        } else {
            set_err(err,
                    "unsupported dtype '%s' (accepted: <f4 <f2 <f8 |i1 |u1 <i4 <i8 |b1, "
                    "and <u2 for bf16 bit patterns)",
                    descr);
        }
        return -1;
    }
    return 0;
}

/* ---- reading -------------------------------------------------------------------------------- */

int npy_parse(const void *buf, size_t len, npy_array *a, char *err) {
    const unsigned char *b = buf;
    memset(a, 0, sizeof *a);
    err[0] = '\0';
    if (len < sizeof npy_magic || memcmp(b, npy_magic, sizeof npy_magic) != 0) {
        set_err(err, "not a .npy file (no \\x93NUMPY magic at the start)");
        return -1;
    }
    if (len < 8) {
        set_err(err, "truncated .npy file: no version after the magic");
        return -1;
    }
    const unsigned major = b[6], minor = b[7];
    if (major < 1 || major > 3 || minor != 0) {
        set_err(err, "unsupported .npy format version %u.%u (1.0, 2.0 and 3.0 are read)", major,
                minor);
        return -1;
    }
    const size_t lenbytes = major == 1 ? 2 : 4;
    const size_t pre = 8 + lenbytes;
    if (len < pre) {
        set_err(err, "truncated .npy file: the header length is cut off");
        return -1;
    }
    uint32_t hlen = 0;
    for (size_t i = 0; i < lenbytes; ++i) {
        hlen |= (uint32_t)b[8 + i] << (8 * i);
    }
    if (hlen > NPY_MAX_HEADER) {
        set_err(err, "bad .npy header: %lu bytes long (more than %d)", (unsigned long)hlen,
                NPY_MAX_HEADER);
        return -1;
    }
    if (hlen == 0) {
        set_err(err, "bad .npy header: empty");
        return -1;
    }
    if (len - pre < hlen) {
        set_err(err, "truncated .npy file: the header needs %lu bytes, %lu present",
                (unsigned long)hlen, (unsigned long)(len - pre));
        return -1;
    }
    if ((pre + hlen) % 16 != 0) {
        set_err(err,
                "bad .npy header: magic, version, length and header (%lu bytes) are not padded "
                "to a multiple of 16 (NumPy pads to 64)",
                (unsigned long)(pre + hlen));
        return -1;
    }
    const char *h = (const char *)b + pre;
    if (h[hlen - 1] != '\n') {
        set_err(err, "bad .npy header: it does not end with a newline");
        return -1;
    }
    for (uint32_t i = 0; i + 1 < hlen; ++i) {
        const unsigned char ch = (unsigned char)h[i];
        if (ch < 0x20 && ch != '\t') {
            set_err(err, "bad .npy header: control character 0x%02x at byte %lu", ch,
                    (unsigned long)(pre + i));
            return -1;
        }
        if (ch >= 0x7f) {
            set_err(err, "bad .npy header: non-ASCII byte 0x%02x at byte %lu", ch,
                    (unsigned long)(pre + i));
            return -1;
        }
    }
    if (parse_dict(h, hlen - 1, a, err) != 0) {
        memset(a, 0, sizeof *a);
        return -1;
    }
    const size_t isz = npy_itemsize(a->dtype);
    uint64_t count = 1;
    for (int32_t k = 0; k < a->rank; ++k) {
        const uint64_t e = (uint64_t)a->shape[k];
        if (e != 0 && count > UINT64_MAX / e) {
            set_err(err, "bad .npy header: the element count overflows 64 bits");
            memset(a, 0, sizeof *a);
            return -1;
        }
        count *= e;
    }
    if (count > UINT64_MAX / isz || count * isz > (uint64_t)SIZE_MAX) {
        set_err(err, "bad .npy header: the data size overflows");
        memset(a, 0, sizeof *a);
        return -1;
    }
    const uint64_t nbytes = count * isz;
    const size_t have = len - pre - hlen;
    if ((uint64_t)have != nbytes) {
        set_err(err, "%s .npy file: the header's shape needs %llu data bytes, the file has %llu",
                (uint64_t)have < nbytes ? "truncated" : "trailing bytes in",
                (unsigned long long)nbytes, (unsigned long long)have);
        memset(a, 0, sizeof *a);
        return -1;
    }
    a->count = count;
    a->nbytes = nbytes;
    a->data = malloc(nbytes ? (size_t)nbytes : 1);
    if (!a->data) {
        set_err(err, "out of memory for %llu bytes of data", (unsigned long long)nbytes);
        memset(a, 0, sizeof *a);
        return -1;
    }
    if (nbytes) {
        memcpy(a->data, h + hlen, (size_t)nbytes);
    }
    return 0;
}

int npy_read_file(const char *path, npy_array *a, char *err) {
    memset(a, 0, sizeof *a);
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_err(err, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    unsigned char *buf = malloc(cap);
    int rc = -1;
    for (;;) {
        if (!buf) {
            set_err(err, "%s: out of memory", path);
            break;
        }
        const size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (len < cap) {
            if (ferror(f)) {
                set_err(err, "%s: read error: %s", path, strerror(errno));
                break;
            }
            char e[NPY_ERR_LEN];
            rc = npy_parse(buf, len, a, e);
            if (rc != 0) {
                set_err(err, "%s: %s", path, e);
            }
            break;
        }
        unsigned char *nb = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
        if (!nb) {
            set_err(err, "%s: out of memory", path);
            break;
        }
        buf = nb;
        cap *= 2;
    }
    free(buf);
    fclose(f);
    return rc;
}

/* ---- writing -------------------------------------------------------------------------------- */

int npy_encode(const npy_array *a, unsigned char **out, size_t *len, char *err) {
    const char *descr = npy_descr(a->dtype);
    *out = NULL;
    *len = 0;
    if (!descr) {
        set_err(err, "cannot write dtype %d to .npy", (int)a->dtype);
        return -1;
    }
    if (a->rank < 0 || a->rank > MLB_MAX_RANK) {
        set_err(err, "cannot write rank %d to .npy", (int)a->rank);
        return -1;
    }
    char dict[512];
    int n =
        snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
    uint64_t count = 1;
    for (int32_t k = 0; k < a->rank; ++k) {
        if (a->shape[k] < 0) {
            set_err(err, "cannot write a negative extent to .npy");
            return -1;
        }
        count *= (uint64_t)a->shape[k];
        n += snprintf(dict + n, sizeof dict - (size_t)n, k ? ", %lld" : "%lld",
                      (long long)a->shape[k]);
    }
    n += snprintf(dict + n, sizeof dict - (size_t)n, "%s), }", a->rank == 1 ? "," : "");
    const uint64_t nbytes = count * npy_itemsize(a->dtype);
    if (nbytes != a->nbytes) {
        set_err(err, "array holds %llu bytes, its shape needs %llu", (unsigned long long)a->nbytes,
                (unsigned long long)nbytes);
        return -1;
    }
    /* magic (6) + version (2) + length (2) + dict + spaces + '\n', a multiple of 64 */
    size_t hlen = (size_t)n + 1;
    hlen += (64 - (10 + hlen) % 64) % 64;
    const size_t total = 10 + hlen + (size_t)nbytes;
    unsigned char *buf = malloc(total);
    if (!buf) {
        set_err(err, "out of memory");
        return -1;
    }
    memcpy(buf, npy_magic, 6);
    buf[6] = 1;
    buf[7] = 0;
    buf[8] = (unsigned char)(hlen & 0xff);
    buf[9] = (unsigned char)(hlen >> 8);
    memcpy(buf + 10, dict, (size_t)n);
    memset(buf + 10 + n, ' ', hlen - (size_t)n - 1);
    buf[10 + hlen - 1] = '\n';
    if (nbytes) {
        memcpy(buf + 10 + hlen, a->data, (size_t)nbytes);
    }
    *out = buf;
    *len = total;
    return 0;
}

int npy_write_file(const char *path, const npy_array *a, char *err) {
    unsigned char *img;
    size_t len;
    char e[NPY_ERR_LEN];
    if (npy_encode(a, &img, &len, e) != 0) {
        set_err(err, "%s: %s", path, e);
        return -1;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        set_err(err, "%s: %s", path, strerror(errno));
        free(img);
        return -1;
    }
    int rc = 0;
    if (fwrite(img, 1, len, f) != len) {
        set_err(err, "%s: write error: %s", path, strerror(errno));
        rc = -1;
    }
    if (fclose(f) != 0 && rc == 0) {
        set_err(err, "%s: write error: %s", path, strerror(errno));
        rc = -1;
    }
    free(img);
    return rc;
}
