/*
 * check.h - a tiny assertion harness for the project's C tests.
 *
 * Each test program calls CHECK*() freely and ends with `return check_finish();`.
 * A failed check prints file:line and the expression, and the program exits 1.
 * check_skip() reports a skip (exit 77, automake's SKIP) with a reason.
 */
#ifndef MLB_TESTS_CHECK_H
#define MLB_TESTS_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        ++check_count;                                                                             \
        if (!(cond)) {                                                                             \
            ++check_failures;                                                                      \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

#define CHECK_INT_EQ(got, want)                                                                    \
    do {                                                                                           \
        long long check_g_ = (long long)(got), check_w_ = (long long)(want);                       \
        ++check_count;                                                                             \
        if (check_g_ != check_w_) {                                                                \
            ++check_failures;                                                                      \
            fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, #got,  \
                    check_g_, #want, check_w_);                                                    \
        }                                                                                          \
    } while (0)

#define CHECK_STR_EQ(got, want)                                                                    \
    do {                                                                                           \
        const char *check_g_ = (got), *check_w_ = (want);                                          \
        ++check_count;                                                                             \
        if (!check_g_ || strcmp(check_g_, check_w_) != 0) {                                        \
            ++check_failures;                                                                      \
            fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #got,    \
                    check_g_ ? check_g_ : "(null)", check_w_);                                     \
        }                                                                                          \
    } while (0)

/* Substring match, for messages that must name a cause. */
#define CHECK_STR_CONTAINS(got, needle)                                                            \
    do {                                                                                           \
        const char *check_g_ = (got), *check_n_ = (needle);                                        \
        ++check_count;                                                                             \
        if (!check_g_ || !strstr(check_g_, check_n_)) {                                            \
            ++check_failures;                                                                      \
            fprintf(stderr, "%s:%d: %s is \"%s\", expected it to contain \"%s\"\n", __FILE__,      \
                    __LINE__, #got, check_g_ ? check_g_ : "(null)", check_n_);                     \
        }                                                                                          \
    } while (0)

static inline int check_finish(void) {
    printf("%d checks, %d failed\n", check_count, check_failures);
    return check_failures ? 1 : 0;
}

static inline int check_skip(const char *reason) {
    printf("SKIP: %s\n", reason);
    return 77;
}

#endif /* MLB_TESTS_CHECK_H */
