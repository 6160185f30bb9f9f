/* A streaming reader for .xlsx workbooks that come from outside (STYLE.md 4, 7).
 *
 * The zip is read through libarchive (from a memory buffer or a file), the XML parts through
 * libxml2's streaming reader: a sheet is never held in memory as a DOM, cells are pushed through a
 * callback as they are parsed. Only the shared-string table is kept, because cells refer to it by
 * index; it is capped like everything else sized by the input (dtp_xlsx_limits).
 *
 * Hostile input is refused, not survived by luck: DOCTYPE and entity declarations (billion laughs),
 * network access, zip entries with absolute or `..` paths, too many entries, too large or too
 * compressible entries (zip bombs), too many shared strings, too long cells. */
#ifndef DTP_FETCH_XLSX_H
#define DTP_FETCH_XLSX_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* Every cap the reader applies. Start from dtp_xlsx_limits_default and change what you need. */
typedef struct dtp_xlsx_limits {
    size_t max_entries;        /* zip entries in the archive */
    uint64_t max_entry_bytes;  /* uncompressed bytes of one entry */
    uint64_t max_total_bytes;  /* uncompressed bytes of all entries together */
    uint64_t max_ratio;        /* uncompressed / compressed bytes of one entry ... */
    uint64_t ratio_grace;      /* ... checked once an entry has produced more than this */
    size_t max_sheets;         /* sheets listed in the workbook */
    size_t max_shared_strings; /* entries in the shared-string table */
    size_t max_shared_bytes;   /* bytes of all shared strings together */
    size_t max_cell_bytes;     /* bytes of one cell's text (Excel itself stops at 32767 chars) */
    size_t max_merges;         /* merge ranges in one sheet */
    size_t read_chunk;         /* not a cap: the most bytes handed to libxml2 per read, 0 = what
                                * it asks for; tests feed every chunk size (STYLE.md 9) */
} dtp_xlsx_limits;

/* Fill lim with the defaults: 10000 entries, 512 MiB per entry, 2 GiB total, ratio 1000 after
 * 1 MiB, 1000 sheets, 2 million shared strings in 256 MiB, 128 KiB per cell, 100000 merges;
 * read_chunk 0. */
void dtp_xlsx_limits_default(dtp_xlsx_limits *lim);

typedef enum dtp_xlsx_type {
    DTP_XLSX_BLANK = 0, /* a cell element without a value (styled empty cell) */
    DTP_XLSX_NUMBER,    /* numeric value; number is set */
    DTP_XLSX_STRING,    /* shared, inline or formula string */
    DTP_XLSX_BOOL,      /* "1" or "0"; number is set */
    DTP_XLSX_ERROR,     /* an Excel error such as "#N/A" */
    DTP_XLSX_DATE       /* ISO 8601 text (t="d"; rare, Excel normally stores dates as numbers) */
} dtp_xlsx_type;

/* Static, never NULL: "blank", "number", "string", "bool", "error", "date". */
const char *dtp_xlsx_type_name(dtp_xlsx_type t);

/* One cell as it is parsed. All pointers are borrowed for the duration of the callback. */
typedef struct dtp_xlsx_cell {
    const char *sheet; /* sheet name as the workbook lists it */
    uint32_t row;      /* 1-based row index */
    uint32_t col;      /* 1-based column index (A = 1) */
    const char *ref;   /* "C7" */
    dtp_xlsx_type type;
    const char *value; /* the value as text ("" for a blank); NUL-terminated */
    size_t value_len;
    double number; /* for DTP_XLSX_NUMBER and DTP_XLSX_BOOL */
} dtp_xlsx_cell;

/* A merged range, 1-based and inclusive: the text of the top-left cell covers the range. */
typedef struct dtp_xlsx_range {
    uint32_t row1, col1, row2, col2;
    const char *ref; /* "A1:F1" as written */
} dtp_xlsx_range;

/* Return DTP_OK to continue; anything else stops the read, which returns that status. */
typedef dtp_status (*dtp_xlsx_cell_fn)(void *ctx, const dtp_xlsx_cell *c, dtp_error *err);
typedef dtp_status (*dtp_xlsx_row_fn)(void *ctx, const char *sheet, uint32_t row, dtp_error *err);
typedef dtp_status (*dtp_xlsx_merge_fn)(void *ctx, const char *sheet, const dtp_xlsx_range *r,
                                        dtp_error *err);

typedef struct dtp_xlsx_handlers {
    dtp_xlsx_cell_fn cell;   /* each cell element, in document order; may be NULL */
    dtp_xlsx_row_fn row_end; /* after the last cell of each row element; may be NULL */
    dtp_xlsx_merge_fn merge; /* each merge range; may be NULL */
    int merges_first;        /* 1: read the sheet twice so that merges come before any cell
                              * (in the XML they follow the cells); 0: they come after */
} dtp_xlsx_handlers;

typedef struct dtp_xlsx dtp_xlsx;

/* Open a workbook held in memory. bytes must stay valid until dtp_xlsx_free. name is used in
 * messages (may be NULL). lim NULL means the defaults. Reads the zip directory, the workbook,
 * its relationships and the shared strings. NULL on failure with err filled. */
dtp_xlsx *dtp_xlsx_open_memory(const void *bytes, size_t n, const char *name,
                               const dtp_xlsx_limits *lim, dtp_error *err);

/* Same, from a file path (the name in messages is the path). */
dtp_xlsx *dtp_xlsx_open_file(const char *path, const dtp_xlsx_limits *lim, dtp_error *err);

void dtp_xlsx_free(dtp_xlsx *x);

/* Worksheets in workbook order (chart sheets and sheets without a part are not listed). */
size_t dtp_xlsx_sheet_count(const dtp_xlsx *x);

/* Borrowed name of sheet i, or NULL when i is out of range. */
const char *dtp_xlsx_sheet_name(const dtp_xlsx *x, size_t i);

/* Borrowed zip part of sheet i ("xl/worksheets/sheet1.xml"), or NULL. */
const char *dtp_xlsx_sheet_part(const dtp_xlsx *x, size_t i);

/* Borrowed name given at open. */
const char *dtp_xlsx_name(const dtp_xlsx *x);

/* Stream sheet i through the handlers. */
dtp_status dtp_xlsx_read_sheet(dtp_xlsx *x, size_t i, const dtp_xlsx_handlers *h, void *ctx,
                               dtp_error *err);

/* Parse "C7" into 1-based row and column. DTP_OK or DTP_ERR_PARSE (no error record). Accepts
 * `$` anchors; columns A..XFD, rows 1..1048576. */
dtp_status dtp_xlsx_parse_ref(const char *ref, uint32_t *row, uint32_t *col);

/* Write "C7" for a 1-based row and column into out (at least 16 bytes). Returns out. */
char *dtp_xlsx_format_ref(uint32_t row, uint32_t col, char *out, size_t outsz);

#endif
