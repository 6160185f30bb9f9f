/* A streaming CSV front-end on libcsv that knows where every field sits (file:line:col), strips
 * a UTF-8 byte order mark, refuses NUL bytes and invalid UTF-8, caps field length, row size and
 * row width, and hands whole rows to a callback. Lines and columns are 1-based; columns count
 * bytes from the start of the line (the BOM is not counted). */
#ifndef DTP_FETCH_CSVREAD_H
#define DTP_FETCH_CSVREAD_H

#include <stddef.h>

#include "common/error.h"
#include "fetch/reader.h"

typedef struct dtp_csv_field {
    const char *s;      /* NUL-terminated field text (quotes removed), borrowed for the callback */
    size_t len;         /* bytes, not counting the NUL */
    unsigned long line; /* where the field starts */
    unsigned long col;
} dtp_csv_field;

typedef struct dtp_csv_row {
    size_t index;           /* 0-based count of rows delivered before this one (header = 0) */
    size_t n;               /* number of fields */
    const dtp_csv_field *f; /* n fields, borrowed for the callback */
} dtp_csv_row;

/* Return DTP_OK to go on; any other status stops reading and is returned by the reader. */
typedef dtp_status (*dtp_csv_row_fn)(void *ctx, const dtp_csv_row *row, dtp_error *err);

typedef struct dtp_csv_opts {
    const char *file;     /* name used in locators and messages ("" if NULL) */
    char delim;           /* ',' (default when 0), ';' or '\t' */
    size_t max_field;     /* bytes per field; 0 = 1 MiB */
    size_t max_row_bytes; /* bytes per row, all fields together; 0 = 4 MiB */
    size_t max_cols;      /* fields per row; 0 = 4096 */
    int lenient_quotes;   /* 0 = libcsv strict mode (stray or unbalanced quotes are errors) */
} dtp_csv_opts;

typedef struct dtp_csv dtp_csv;

/* A push parser; opts is copied (its file string is borrowed). NULL when out of memory. */
dtp_csv *dtp_csv_new(const dtp_csv_opts *opts, dtp_csv_row_fn fn, void *ctx);

/* Feed the next n bytes (any chunking gives the same rows). */
dtp_status dtp_csv_feed(dtp_csv *c, const void *p, size_t n, dtp_error *err);

/* End of input: deliver a last row without a line end; errors on an open quoted field or a
 * truncated UTF-8 sequence. */
dtp_status dtp_csv_finish(dtp_csv *c, dtp_error *err);

/* Rows delivered so far. */
size_t dtp_csv_rows(const dtp_csv *c);

void dtp_csv_free(dtp_csv *c);

/* Read everything from r through a new parser. */
dtp_status dtp_csv_read(const dtp_csv_opts *opts, dtp_reader *r, dtp_csv_row_fn fn, void *ctx,
                        dtp_error *err);

/* Index of the first field equal to name, or -1. */
long dtp_csv_find(const dtp_csv_row *row, const char *name);

/* "file:line:col" of a field into out (always NUL-terminated); returns out. */
char *dtp_csv_locator(const char *file, const dtp_csv_field *f, char *out, size_t outsz);

/* Fail at a field: err gets status st, stage "fetch", locator "file:line:col" of f and the
 * printf-style message (which need not repeat the place). Returns st. */
dtp_status dtp_csv_field_error(dtp_error *err, dtp_status st, const char *file,
                               const dtp_csv_field *f, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
