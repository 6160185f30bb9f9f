/* Shared helpers for the clean-stage unit tests (test-only code). */
#ifndef DTP_TEST_CLEAN_UTIL_H
#define DTP_TEST_CLEAN_UTIL_H

#include <stdio.h>
#include <stdlib.h>

/* Path under the repository: $DTP_SOURCE_DIR/rel (falls back to the compile-time source dir). */
static inline const char *repo_path(const char *rel, char *out, size_t outsz)
{
    const char *root = getenv("DTP_SOURCE_DIR");
    snprintf(out, outsz, "%s/%s", root ? root : DTP_TEST_SOURCE_DIR, rel);
    return out;
}

#endif
