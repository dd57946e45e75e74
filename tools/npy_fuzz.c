/*
 * npy_fuzz.c - libFuzzer target for the .npy reader: any input must parse or
 * be rejected with one line of text, never crash or read out of bounds; what
 * parses must encode and parse back to the same array.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iabi \
 *       tools/npy_fuzz.c tools/npy.c -o npy-fuzz && ./npy-fuzz CORPUS_DIR
 *
 * tools/npy_fuzz_test.sh builds and runs it briefly under make check when
 * clang's -fsanitize=fuzzer works; the build never depends on it.
 */
#include "npy.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    npy_array a, b;
    char err[NPY_ERR_LEN];
    if (npy_parse(data, size, &a, err) != 0) {
        if (!err[0] || strchr(err, '\n')) {
            abort(); /* an error must be one line of text */
        }
        return 0;
    }
    unsigned char *img;
    size_t len;
    if (npy_encode(&a, &img, &len, err) != 0) {
        abort();
    }
    if (npy_parse(img, len, &b, err) != 0 || b.dtype != a.dtype || b.rank != a.rank ||
        b.nbytes != a.nbytes || memcmp(a.shape, b.shape, sizeof a.shape) != 0 ||
        (a.nbytes && memcmp(a.data, b.data, a.nbytes) != 0)) {
        abort();
    }
    free(img);
    npy_free(&a);
    npy_free(&b);
    return 0;
}
