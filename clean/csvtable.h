/* A small in-memory CSV table read with libcsv, for the clean stage's reference files (aliases,
 * aggregates, overrides, reference tables). These files are small and curated, so the whole table
 * is held in memory, but the input size, row count and field size are capped. Each row keeps the
 * physical line it is on (for a record whose first field is a quoted multi-line value, the line
 * that field ends on) so errors can name file:line:field. */
#ifndef DTP_CLEAN_CSVTABLE_H
#define DTP_CLEAN_CSVTABLE_H

#include <stddef.h>

#include "common/error.h"

#define DTP_CLEAN_CSV_MAX_BYTES (8u * 1024u * 1024u)
#define DTP_CLEAN_CSV_MAX_ROWS 200000u
#define DTP_CLEAN_CSV_MAX_FIELD 4096u

typedef struct dtp_clean_csv dtp_clean_csv;

/* Parse n bytes (UTF-8, optional BOM) with the given delimiter (0 = detect ',' or ';' from the
 * first line). name is used in error locators. Row 0 is the header. Blank lines are skipped. */
dtp_status dtp_clean_csv_read_mem(const char *data, size_t n, char delim, const char *name,
                                  dtp_clean_csv **out, dtp_error *err);

/* A reader of a table held in memory (name is used in messages). */
typedef dtp_status (*dtp_clean_mem_reader)(const char *data, size_t n, const char *name, void *out,
                                           dtp_error *err);

/* Read a file of at most DTP_CLEAN_CSV_MAX_BYTES and hand its bytes to fn; what names the file
 * in messages ("override file"). The one place the clean tables are read from disk. */
dtp_status dtp_clean_read_capped(const char *path, const char *what, dtp_clean_mem_reader fn,
                                 void *out, dtp_error *err);

/* Read a file (at most DTP_CLEAN_CSV_MAX_BYTES) and parse it as dtp_clean_csv_read_mem. */
dtp_status dtp_clean_csv_read_file(const char *path, char delim, dtp_clean_csv **out,
                                   dtp_error *err);

void dtp_clean_csv_free(dtp_clean_csv *t);

/* Number of rows including the header. */
size_t dtp_clean_csv_rows(const dtp_clean_csv *t);
/* Number of fields in row r (0 when r is out of range). */
size_t dtp_clean_csv_ncols(const dtp_clean_csv *t, size_t r);
/* Borrowed field text (NUL-terminated), or NULL when r or c is out of range. */
const char *dtp_clean_csv_cell(const dtp_clean_csv *t, size_t r, size_t c);
/* 1-based physical line of row r (see above). */
size_t dtp_clean_csv_line(const dtp_clean_csv *t, size_t r);
/* Index of the header column named name (exact, after trimming spaces), or -1. */
long dtp_clean_csv_col(const dtp_clean_csv *t, const char *name);
/* The name the table was read under (file path or caller-given name). Borrowed. */
const char *dtp_clean_csv_name(const dtp_clean_csv *t);

/* Map the header onto required columns: for each of names[0..n-1] store its index in idx[i].
 * DTP_ERR_PARSE naming the file and the first missing column when one is absent. */
dtp_status dtp_clean_csv_require(const dtp_clean_csv *t, const char *const *names, size_t n,
                                 long *idx, const char *stage, dtp_error *err);

/* Copy src into dst (dstsz > 0) without leading spaces or tabs and trailing spaces, tabs or CRs.
 * Returns 1 when the trimmed text fits. Otherwise returns 0 and dst still holds a NUL-terminated
 * prefix, cut at a UTF-8 character boundary, so a message may quote what was read. */
int dtp_clean_trim_copy(const char *src, char *dst, size_t dstsz);

/* dtp_clean_trim_copy of cell (r, c); a missing cell (c < 0, short row) reads as "". */
int dtp_clean_csv_take(const dtp_clean_csv *t, size_t r, long c, char *dst, size_t dstsz);

#endif
