/*
 * npy_test.c - the .npy layer: round trips of every dtype and rank, every
 * class of malformed file with its error text, and a deterministic mutation
 * fuzz loop (random byte flips, truncations, insertions and header edits of
 * valid images) that must never crash; run under ASan/UBSan in CI.
 *
 *   npy_test                     run the tests
 *   npy_test --write-corpus DIR  write valid images as a seed corpus for npy_fuzz
 */
#include "npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            ++failures;                                                                            \
            fprintf(stderr, "%s:%d: FAILED: %s: ", __FILE__, __LINE__, #cond);                     \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

static const int32_t all_dtypes[] = {MLB_DTYPE_F32, MLB_DTYPE_F16, MLB_DTYPE_BF16,
                                     MLB_DTYPE_F64, MLB_DTYPE_I8,  MLB_DTYPE_U8,
                                     MLB_DTYPE_I32, MLB_DTYPE_I64, MLB_DTYPE_BOOL};
#define N_DTYPES (sizeof all_dtypes / sizeof all_dtypes[0])

/* ---- helpers -------------------------------------------------------------------------------- */

/*
 * Builds an image: magic, version major.0, header = dict + spaces + '\n' padded so that the
 * preamble is a multiple of `align` (0: no padding), then `ndata` data bytes (0x5a).
 */
static unsigned char *build(unsigned major, const char *dict, size_t align, size_t ndata,
                            size_t *len) {
    const size_t lb = major == 1 ? 2 : 4;
    size_t hlen = strlen(dict) + 1;
    if (align) {
        hlen += (align - (8 + lb + hlen) % align) % align;
    }
    *len = 8 + lb + hlen + ndata;
    unsigned char *b = malloc(*len);
    memcpy(b, "\x93NUMPY", 6);
    b[6] = (unsigned char)major;
    b[7] = 0;
    for (size_t i = 0; i < lb; ++i) {
        b[8 + i] = (unsigned char)(hlen >> (8 * i));
    }
    memcpy(b + 8 + lb, dict, strlen(dict));
    memset(b + 8 + lb + strlen(dict), ' ', hlen - strlen(dict) - 1);
    b[8 + lb + hlen - 1] = '\n';
    memset(b + 8 + lb + hlen, 0x5a, ndata);
    return b;
}

/* Parses; expects failure with `want` in the message (or success when want is NULL). */
static void expect(const unsigned char *b, size_t len, const char *want, const char *what) {
    npy_array a;
    char err[NPY_ERR_LEN];
    const int rc = npy_parse(b, len, &a, err);
    if (!want) {
        CHECK(rc == 0, "%s: should parse, got '%s'", what, err);
    } else {
        CHECK(rc == -1, "%s: should fail with '%s'", what, want);
        CHECK(rc != -1 || strstr(err, want) != NULL, "%s: error '%s' lacks '%s'", what, err, want);
        CHECK(rc != -1 || strchr(err, '\n') == NULL, "%s: error is not one line", what);
        CHECK(a.data == NULL && a.rank == 0, "%s: array not cleared on error", what);
    }
    npy_free(&a);
}

static void expect_dict(unsigned major, const char *dict, size_t ndata, const char *want) {
    size_t len;
    unsigned char *b = build(major, dict, 64, ndata, &len);
    expect(b, len, want, dict);
    free(b);
}

/* ---- round trips ---------------------------------------------------------------------------- */

static void test_round_trips(void) {
    static const int64_t shapes[][4] = {{0}, {5}, {2, 3, 4}, {3, 0}, {1, 1, 1, 7}};
    static const int32_t ranks[] = {0, 1, 3, 2, 4};
    for (size_t d = 0; d < N_DTYPES; ++d) {
        for (size_t s = 0; s < sizeof ranks / sizeof ranks[0]; ++s) {
            npy_array a;
            memset(&a, 0, sizeof a);
            a.dtype = all_dtypes[d];
            a.rank = ranks[s];
            a.count = 1;
            for (int32_t k = 0; k < a.rank; ++k) {
                a.shape[k] = shapes[s][k];
                a.count *= (uint64_t)shapes[s][k];
            }
            a.nbytes = a.count * npy_itemsize(a.dtype);
            a.data = malloc(a.nbytes + 1);
            for (uint64_t i = 0; i < a.nbytes; ++i) {
                ((unsigned char *)a.data)[i] = (unsigned char)(i * 37 + d);
            }
            unsigned char *img;
            size_t len;
            char err[NPY_ERR_LEN];
            CHECK(npy_encode(&a, &img, &len, err) == 0, "encode: %s", err);
            CHECK((len - a.nbytes) % 64 == 0, "preamble not 64-aligned");
            npy_array b;
            CHECK(npy_parse(img, len, &b, err) == 0, "parse back dtype %d rank %d: %s",
                  (int)a.dtype, (int)a.rank, err);
            CHECK(b.dtype == a.dtype && b.rank == a.rank && b.count == a.count &&
                      b.nbytes == a.nbytes,
                  "metadata differs for dtype %d rank %d", (int)a.dtype, (int)a.rank);
            CHECK(b.data && memcmp(a.data, b.data, a.nbytes) == 0, "data differs");
            for (int32_t k = 0; k < a.rank && k < b.rank; ++k) {
                CHECK(a.shape[k] == b.shape[k], "shape differs on axis %d", (int)k);
            }
            npy_free(&b);
            free(img);
            npy_free(&a);
        }
    }
    /* The exact header NumPy writes, byte for byte. */
    npy_array a;
    memset(&a, 0, sizeof a);
    a.dtype = MLB_DTYPE_F32;
    a.rank = 2;
    a.shape[0] = 3, a.shape[1] = 4;
    a.count = 12;
    a.nbytes = 48;
    a.data = calloc(1, 48);
    unsigned char *img;
    size_t len;
    char err[NPY_ERR_LEN];
    CHECK(npy_encode(&a, &img, &len, err) == 0, "%s", err);
    const char *want = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }";
    CHECK(len == 128 + 48 && memcmp(img + 10, want, strlen(want)) == 0 && img[127] == '\n',
          "header is not NumPy's");
    free(img);
    a.shape[0] = 12, a.rank = 1;
    CHECK(npy_encode(&a, &img, &len, err) == 0, "%s", err);
    CHECK(strstr((const char *)img + 10, "'shape': (12,), }") != NULL, "1-d shape needs a comma");
    free(img);
    a.nbytes = 4; /* inconsistent with the shape */
    CHECK(npy_encode(&a, &img, &len, err) == -1 && strstr(err, "needs") != NULL, "%s", err);
    a.nbytes = 48;
    a.dtype = 77;
    CHECK(npy_encode(&a, &img, &len, err) == -1 && strstr(err, "dtype") != NULL, "%s", err);
    npy_free(&a);
}

/* ---- malformed files, one class at a time --------------------------------------------------- */

static void test_malformed(void) {
    static const char ok[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    expect_dict(1, ok, 24, NULL);
    expect_dict(2, ok, 24, NULL);
    expect_dict(3, ok, 24, NULL);
    /* spellings NumPy and other writers use */
    expect_dict(1, "{\"descr\":\"<f4\",\"fortran_order\":False,\"shape\":(2,3)}", 24, NULL);
    expect_dict(1, "{'shape': (2, 3), 'fortran_order': False, 'descr': '=f4'}", 24, NULL);
    expect_dict(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (), }", 1, NULL);
    expect_dict(1, "{'descr': '<u2', 'fortran_order': False, 'shape': (4,), }", 8, NULL);

    /* magic and version */
    {
        static const unsigned char not_npy[] = "PK\x03\x04 this is a zip";
        expect(not_npy, sizeof not_npy, "not a .npy file", "zip");
        expect((const unsigned char *)"", 0, "not a .npy file", "empty");
        expect((const unsigned char *)"\x93NUMP", 5, "not a .npy file", "short magic");
        expect((const unsigned char *)"\x93NUMPY\x01", 7, "no version", "no minor");
        expect((const unsigned char *)"\x93NUMPY\x01\x00\x10", 9, "length is cut off", "len");
        size_t len;
        unsigned char *b = build(1, ok, 64, 24, &len);
        b[6] = 4;
        expect(b, len, "unsupported .npy format version 4.0", "v4");
        b[6] = 1, b[7] = 1;
        expect(b, len, "version 1.1", "v1.1");
        b[6] = 0, b[7] = 0;
        expect(b, len, "version 0.0", "v0");
        free(b);
    }
    /* header length, padding, terminator */
    {
        size_t len;
        unsigned char *b = build(1, ok, 64, 24, &len);
        expect(b, 60, "truncated .npy file: the header needs", "cut header");
        b[8] = 0xff, b[9] = 0xff;
        expect(b, len, "65535 bytes long", "huge header");
        b[8] = 0, b[9] = 0;
        expect(b, len, "empty", "zero header");
        free(b);
        b = build(1, ok, 0, 24, &len);
        expect(b, len, "multiple of 16", "unpadded");
        free(b);
        b = build(1, ok, 16, 24, &len); /* older writers: 16 */
        expect(b, len, NULL, "16-aligned");
        free(b);
        b = build(1, ok, 64, 24, &len);
        b[10 + 117] = ' ';
        expect(b, len, "newline", "no newline");
        free(b);
        b = build(1, ok, 64, 24, &len);
        b[10 + 100] = '\0';
        expect(b, len, "control character", "NUL in header");
        b[10 + 100] = (char)0xc3;
        expect(b, len, "non-ASCII", "latin1 in header");
        b[10 + 100] = 'x';
        expect(b, len, "unexpected text after the dict", "junk in padding");
        free(b);
    }
    /* the dict */
    expect_dict(1, "['descr', '<f4']", 24, "not a dict");
    expect_dict(1, "{'descr': '<f4', 'fortran_order': False}", 24, "missing key 'shape'");
    expect_dict(1, "{'fortran_order': False, 'shape': (2, 3)}", 24, "missing key 'descr'");
    expect_dict(1, "{'descr': '<f4', 'shape': (2, 3)}", 24, "missing key 'fortran_order'");
    expect_dict(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", 24,
                "unknown key 'x'");
    expect_dict(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}", 24,
                "appears twice");
    expect_dict(1, "{'descr': '<f4' 'fortran_order': False, 'shape': (2, 3)}", 24,
                "expected ',' or '}'");
    expect_dict(1, "{'descr' '<f4', 'fortran_order': False, 'shape': (2, 3)}", 24, "expected ':'");
    expect_dict(1, "{descr: '<f4', 'fortran_order': False, 'shape': (2, 3)}", 24,
                "expected a quoted key");
    expect_dict(1, "{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3)}", 24, "");
    expect_dict(1, "{'descr': '<f\\x34', 'fortran_order': False, 'shape': (2, 3)}", 24,
                "escape sequences");
    expect_dict(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)", 24,
                "expected ',' or '}'");
    expect_dict(1, "{'descr': '<f4', 'fortran_order': false, 'shape': (2, 3)}", 24,
                "True or False");
    expect_dict(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", 24,
                "Fortran-order arrays are not supported");
    expect_dict(1, "{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3)}", 24, "True or False");
    expect_dict(1, "{'descr': 5, 'fortran_order': False, 'shape': (2, 3)}", 24,
                "expected a quoted 'descr'");
    expect_dict(1, "{'descr': '<f4xxxxxxxxxxxxxxxxxxxxxxx', 'fortran_order': False, 'shape': ()}",
                4, "too long");
    /* dtypes */
    expect_dict(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3)}", 24, "big-endian");
    expect_dict(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (2, 3)}", 24,
                "unsupported dtype '<c8'");
    expect_dict(1, "{'descr': '|O', 'fortran_order': False, 'shape': (2, 3)}", 24,
                "unsupported dtype '|O'");
    expect_dict(1, "{'descr': '|f4', 'fortran_order': False, 'shape': (2, 3)}", 24,
                "unsupported dtype");
    expect_dict(1, "{'descr': '<u4', 'fortran_order': False, 'shape': (2, 3)}", 24,
                "unsupported dtype '<u4'");
    /* shapes */
    expect_dict(1, "{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}", 24,
                "must be a tuple");
    expect_dict(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6)}", 24, "is not a tuple");
    expect_dict(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3)}", 24,
                "non-negative integers");
    expect_dict(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L)}", 24,
                "expected ',' or ')'");
    expect_dict(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3.0)}", 24,
                "expected ',' or ')'");
    expect_dict(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (02, 3)}", 24,
                "leading zero");
    expect_dict(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,, 3)}", 24,
                "non-negative integers");
    expect_dict(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1)}", 4,
                "more than 8 axes");
    expect_dict(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", 0,
                "overflows 64 bits");
    expect_dict(1,
                "{'descr': '<f8', 'fortran_order': False, "
                "'shape': (4294967296, 4294967296)}",
                0, "element count overflows");
    expect_dict(1,
                "{'descr': '<f8', 'fortran_order': False, "
                "'shape': (9223372036854775807,)}",
                0, "data size overflows");
    /* data length */
    expect_dict(1, ok, 23, "truncated .npy file: the header's shape needs 24 data bytes");
    expect_dict(1, ok, 0, "truncated");
    expect_dict(1, ok, 25, "trailing bytes");
    expect_dict(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3)}", 0, NULL);
    expect_dict(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3)}", 1,
                "trailing bytes");
}

/* ---- files ---------------------------------------------------------------------------------- */

static void test_files(void) {
    char path[] = "/tmp/npy_test_XXXXXX";
    npy_array a, b;
    char err[NPY_ERR_LEN];
    memset(&a, 0, sizeof a);
    a.dtype = MLB_DTYPE_I64;
    a.rank = 1;
    a.shape[0] = 100000; /* bigger than the reader's first chunk */
    a.count = 100000;
    a.nbytes = 800000;
    a.data = malloc(a.nbytes);
    for (int64_t i = 0; i < 100000; ++i) {
        ((int64_t *)a.data)[i] = i * 7919 - 3;
    }
    int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp");
    CHECK(npy_write_file(path, &a, err) == 0, "%s", err);
    CHECK(npy_read_file(path, &b, err) == 0, "%s", err);
    CHECK(b.nbytes == a.nbytes && memcmp(a.data, b.data, a.nbytes) == 0, "file round trip");
    npy_free(&b);
    CHECK(npy_read_file("/nonexistent/x.npy", &b, err) == -1 &&
              strstr(err, "/nonexistent/x.npy: No such file") != NULL,
          "%s", err);
    CHECK(npy_read_file("/", &b, err) == -1, "a folder is not a file");
    remove(path);
    npy_free(&a);
}

/* ---- mutation fuzz loop --------------------------------------------------------------------- */

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void) {
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static unsigned char *valid_image(unsigned i, size_t *len) {
    static const char *const dicts[] = {
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
        "{'descr': '<f2', 'fortran_order': False, 'shape': (5,), }",
        "{'descr': '<u2', 'fortran_order': False, 'shape': (1, 2, 2), }",
        "{'descr': '|b1', 'fortran_order': False, 'shape': (), }",
        "{'descr': '<i8', 'fortran_order': False, 'shape': (0, 4), }",
        "{'descr': '|i1', 'fortran_order': False, 'shape': (3, 1, 1, 1, 1, 1, 1, 2), }",
    };
    static const size_t bytes[] = {24, 10, 8, 1, 0, 6};
    const unsigned k = i % 6;
    return build(1 + (i / 6) % 3, dicts[k], 64, bytes[k], len);
}

static void test_fuzz(void) {
    static const char tokens[] = "{}()[],:'\" 0123456789TrueFalse<|=>fiubc\n\t\\-L.";
    unsigned parsed = 0, rejected = 0;
    for (unsigned iter = 0; iter < 20000; ++iter) {
        size_t len;
        unsigned char *b = valid_image(iter, &len);
        const unsigned edits = 1 + (unsigned)(rnd() % 4);
        for (unsigned e = 0; e < edits && len > 0; ++e) {
            const size_t pos = (size_t)(rnd() % len);
            switch (rnd() % 6) {
            case 0: /* flip a bit */
                b[pos] ^= (unsigned char)(1u << (rnd() % 8));
                break;
            case 1: /* random byte */
                b[pos] = (unsigned char)rnd();
                break;
            case 2: /* a token character, mostly inside the header */
                b[pos % (len < 128 ? len : 128)] =
                    (unsigned char)tokens[rnd() % (sizeof tokens - 1)];
                break;
            case 3: /* truncate */
                len = pos;
                break;
            case 4: { /* insert a byte */
                unsigned char *nb = realloc(b, len + 1);
                b = nb;
                memmove(b + pos + 1, b + pos, len - pos);
                b[pos] = (unsigned char)tokens[rnd() % (sizeof tokens - 1)];
                ++len;
                break;
            }
            default: /* delete a byte */
                memmove(b + pos, b + pos + 1, len - pos - 1);
                --len;
                break;
            }
        }
        /* Parse from an exactly-sized copy so that ASan sees any overread. */
        unsigned char *exact = malloc(len ? len : 1);
        memcpy(exact, b, len);
        npy_array a;
        char err[NPY_ERR_LEN];
        if (npy_parse(exact, len, &a, err) == 0) {
            ++parsed;
            CHECK(a.nbytes == a.count * npy_itemsize(a.dtype) && a.data != NULL && a.rank >= 0 &&
                      a.rank <= MLB_MAX_RANK,
                  "inconsistent array accepted at iteration %u", iter);
        } else {
            ++rejected;
            CHECK(err[0] != '\0' && strchr(err, '\n') == NULL, "bad error text at iteration %u",
                  iter);
        }
        npy_free(&a);
        free(exact);
        free(b);
    }
    printf("fuzz: 20000 mutated images, %u parsed, %u rejected\n", parsed, rejected);
    CHECK(parsed > 0 && rejected > 0, "the mutations should produce both outcomes");
}

static int write_corpus(const char *dir) {
    for (unsigned i = 0; i < 18; ++i) {
        size_t len;
        unsigned char *b = valid_image(i, &len);
        char path[4096];
        snprintf(path, sizeof path, "%s/seed%02u.npy", dir, i);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(b, 1, len, f) != len) {
            fprintf(stderr, "npy_test: cannot write %s\n", path);
            free(b);
            if (f) {
                fclose(f);
            }
            return 1;
        }
        fclose(f);
        free(b);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--write-corpus") == 0) {
        return write_corpus(argv[2]);
    }
    test_round_trips();
    test_malformed();
    test_files();
    test_fuzz();
    if (failures) {
        fprintf(stderr, "npy_test: %d check(s) failed\n", failures);
        return 1;
    }
    printf("npy_test: all checks passed\n");
    return 0;
}
