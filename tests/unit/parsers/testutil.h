/* Helpers shared by the parser tests: open real and generated fixtures, read whole files. */
#ifndef DTP_TEST_PARSERS_UTIL_H
#define DTP_TEST_PARSERS_UTIL_H

#include <stdio.h>
#include <stdlib.h>

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

#endif
