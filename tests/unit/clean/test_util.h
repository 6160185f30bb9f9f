/* Shared helpers for the clean-stage unit tests (test-only code). */
#ifndef DTP_TEST_CLEAN_UTIL_H
#define DTP_TEST_CLEAN_UTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* cmocka 1.1 has only a float comparison; the rules are in double. Include after cmocka.h. */
#define assert_double_equal(a, b, eps)                                                             \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (double)(eps)))                                                     \
            fail_msg("%.17g != %.17g (eps %g)", a_, b_, (double)(eps));                            \
    } while (0)

/* Path under the repository: $DTP_SOURCE_DIR/rel (falls back to the compile-time source dir). */
static inline const char *repo_path(const char *rel, char *out, size_t outsz)
{
    const char *root = getenv("DTP_SOURCE_DIR");
    snprintf(out, outsz, "%s/%s", root ? root : DTP_TEST_SOURCE_DIR, rel);
    return out;
}

#endif
