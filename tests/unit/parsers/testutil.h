/* Helpers shared by the parser tests: open real and generated fixtures, read whole files. */
#ifndef DTP_TEST_PARSERS_UTIL_H
#define DTP_TEST_PARSERS_UTIL_H

#include <stdio.h>
#include <stdlib.h>

#include "fetch/reader.h"

/* Path under $DTP_FIXTURES (tests/fixtures) into out. */
static inline const char *fixture_path(const char *rel, char *out, size_t outsz)
{
    const char *root = getenv("DTP_FIXTURES");
    int n = snprintf(out, outsz, "%s/%s", root ? root : "tests/fixtures", rel);
    if (n < 0 || (size_t)n >= outsz)
        abort();
    return out;
}

/* fopen a file under tests/fixtures/real; fails the test when missing. */
static inline FILE *open_fixture(const char *rel)
{
    char p[1024];
    FILE *f = fopen(fixture_path(rel, p, sizeof p), "rb");
    if (!f) {
        fprintf(stderr, "cannot open fixture %s\n", p);
        abort();
    }
    return f;
}

static inline FILE *open_real(const char *rel)
{
    char p[1024];
    int n = snprintf(p, sizeof p, "real/%s", rel);
    if (n < 0 || (size_t)n >= sizeof p)
        abort();
    return open_fixture(p);
}

/* Whole file into a malloc'd buffer (test fixtures are small); *len gets the size. */
static inline char *slurp_fixture(const char *rel, size_t *len)
{
    FILE *f = open_fixture(rel);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (!b || fread(b, 1, (size_t)n, f) != (size_t)n)
        abort();
    b[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* A reader over memory that hands out at most `step` bytes per call and fails (-1) once `fail_at`
 * bytes have been read (never when fail_at is 0): short reads and I/O errors on purpose. */
typedef struct trickle {
    const unsigned char *p;
    size_t len, pos, step, fail_at;
} trickle;

static inline ssize_t trickle_read(void *ctx, void *buf, size_t n)
{
    trickle *t = ctx;
    if (t->fail_at && t->pos >= t->fail_at)
        return -1;
    size_t k = t->len - t->pos;
    if (k > t->step)
        k = t->step;
    if (k > n)
        k = n;
    if (t->fail_at && t->pos + k > t->fail_at)
        k = t->fail_at - t->pos;
    for (size_t i = 0; i < k; i++)
        ((unsigned char *)buf)[i] = t->p[t->pos + i];
    t->pos += k;
    return (ssize_t)k;
}

static inline dtp_reader trickle_reader(trickle *t, const void *p, size_t len, size_t step,
                                        size_t fail_at)
{
    t->p = p;
    t->len = len;
    t->pos = 0;
    t->step = step;
    t->fail_at = fail_at;
    dtp_reader r = {trickle_read, NULL, t};
    return r;
}

#endif
