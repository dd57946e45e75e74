/*
 * npy.h - a small, strict reader and writer of NumPy .npy files (format
 * versions 1.0, 2.0 and 3.0) for the dtypes of ml_backend.
 *
 * Accepted element types (`descr`), as NumPy writes them on a little-endian
 * machine; '=' (native) is accepted too since this code only runs on
 * little-endian hosts, and '|' or '<' for the one-byte types:
 *
 *   <f4 f32   <f2 f16   <f8 f64   |i1 i8   |u1 u8   <i4 i32   <i8 i64   |b1 bool
 *   <u2 uint16 bit patterns of bf16 (ml_backend has no uint16 dtype, so a
 *       uint16 array always means bf16 here; see docs/mlb-run.md)
 *
 * The header must be a Python dict literal with exactly the keys 'descr',
 * 'fortran_order' (False only) and 'shape' (a tuple of at most MLB_MAX_RANK
 * non-negative integers), terminated by '\n', padded with spaces so that the
 * whole preamble is a multiple of 16 bytes (NumPy pads to 64; 16 is what
 * older writers used), and at most NPY_MAX_HEADER bytes. The data must have
 * exactly shape-product x itemsize bytes: truncated files and trailing bytes
 * are errors. Every error comes with one line of text saying what is wrong.
 */
#ifndef MLB_TOOLS_NPY_H
#define MLB_TOOLS_NPY_H

#include <stddef.h>
#include <stdint.h>

#include "ml_backend.h"

/** Longest header this reader accepts (NumPy's own default limit). */
#define NPY_MAX_HEADER 10000
/** Room for an error line. */
#define NPY_ERR_LEN 256

/** An array: dtype (enum mlb_dtype; bf16 means a '<u2' file), shape, C-order data. */
typedef struct npy_array {
    int32_t dtype;
    int32_t rank;
    int64_t shape[MLB_MAX_RANK];
    uint64_t count;  /**< elements: the product of shape (1 for rank 0) */
    uint64_t nbytes; /**< count x itemsize */
    void *data;      /**< nbytes of C-order elements (malloc; NULL only when nbytes is 0) */
} npy_array;

/** Bytes per element of an mlb dtype that .npy can hold, 0 otherwise. */
size_t npy_itemsize(int32_t dtype);

/** The descr written for an mlb dtype ("<f4", ..., "<u2" for bf16), NULL for others. */
const char *npy_descr(int32_t dtype);

/**
 * Parses a whole .npy image held in memory.
 * @param buf the bytes. @param len their count.
 * @param[out] a the array; its data is a fresh copy (free with npy_free).
 * @param[out] err one line describing the first problem (NPY_ERR_LEN bytes).
 * @return 0, or -1 with `err` set and `a` zeroed.
 */
int npy_parse(const void *buf, size_t len, npy_array *a, char *err);

/** Reads a file with npy_parse's rules; err names the file. @return 0 or -1. */
int npy_read_file(const char *path, npy_array *a, char *err);

/**
 * Encodes `a` as a version 1.0 image (NumPy's layout: 64-byte aligned
 * preamble). @param[out] out malloc'd image. @param[out] len its size.
 * @return 0, or -1 with err set (unknown dtype, bad shape, out of memory).
 */
int npy_encode(const npy_array *a, unsigned char **out, size_t *len, char *err);

/** Writes `a` to `path` (npy_encode's layout). @return 0 or -1 with err set. */
int npy_write_file(const char *path, const npy_array *a, char *err);

/** Frees the data and zeroes the array. NULL does nothing. */
void npy_free(npy_array *a);

#endif /* MLB_TOOLS_NPY_H */
