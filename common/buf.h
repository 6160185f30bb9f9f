/* A growable byte buffer that cannot be made without a hard cap (STYLE.md 4). The data is
 * always NUL-terminated so it can be used as a C string when it holds text. */
#ifndef DTP_COMMON_BUF_H
#define DTP_COMMON_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "common/error.h"

typedef struct dtp_buf {
    char *data; /* owned; NULL until the first append */
    size_t len; /* bytes used, not counting the NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* the cap: len may never exceed it */
} dtp_buf;

/* Start empty with a cap of max bytes (max > 0). Allocates nothing. */
void dtp_buf_init(dtp_buf *b, size_t max);

/* Append n bytes. DTP_ERR_LIMIT (buffer unchanged) when len + n would exceed max. */
dtp_status dtp_buf_append(dtp_buf *b, const void *p, size_t n);

/* Append a NUL-terminated string. */
dtp_status dtp_buf_puts(dtp_buf *b, const char *s);

/* Append printf-style text. */
dtp_status dtp_buf_printf(dtp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
dtp_status dtp_buf_vprintf(dtp_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Make the contents empty, keep the allocation. */
void dtp_buf_reset(dtp_buf *b);

/* Return the contents (caller frees) and leave b empty. Never NULL unless out of memory. */
char *dtp_buf_take(dtp_buf *b);

/* Borrowed view of the contents as a string ("" when empty). */
const char *dtp_buf_str(const dtp_buf *b);

void dtp_buf_free(dtp_buf *b);

#endif
