/* Declared CSV sources: a CSV whose columns are named in configuration (pipeline.conf), so a new
 * long-format file (entity, code, year, value columns) is read without code. The ITU coverage
 * series via Our World in Data is the first such source. */
#ifndef DTP_FETCH_DECLARED_CSV_H
#define DTP_FETCH_DECLARED_CSV_H

#include "fetch/parse.h"
#include "fetch/reader.h"

typedef enum dtp_decl_empty_code {
    DTP_DECL_EMPTY_CODE_AGGREGATE = 0, /* emit with is_aggregate = 1 (regions without a code) */
    DTP_DECL_EMPTY_CODE_SKIP,          /* count as skipped */
    DTP_DECL_EMPTY_CODE_ERROR          /* a parse error naming the cell */
} dtp_decl_empty_code;

typedef struct dtp_declared_csv_cfg {
    char delim;              /* ',' (when 0), ';' or '\t' */
    int header_row;          /* 1-based row (blank lines not counted) of the header; 0 = 1 */
    const char *entity_col;  /* entity name column (required) */
    const char *code_col;    /* entity code column, or NULL when the file has none */
    const char *code_system; /* "iso3", "m49" or "name" (codes in code_col are of it) */
    const char *year_col;    /* required */
    const char *value_col;   /* required */
    const char *indicator;   /* the source's series code; NULL = value_col */
    const char *variable;    /* panel variable, e.g. "infra" */
    const char *unit;        /* e.g. "%" */
    int scale;               /* power of ten to apply to values (0 = as written) */
    dtp_decl_empty_code empty_code;
    const char *aggregate_prefix; /* codes with this prefix are aggregates ("OWID_"), or NULL */
    int allow_thousands;          /* accept "1,234" (only when the source is known to) */
    int emit_missing;             /* emit has_value = 0 for empty value cells, else skip them */
} dtp_declared_csv_cfg;

/* DTP_OK, or DTP_ERR_CONFIG naming what is wrong with cfg. */
dtp_status dtp_declared_csv_check(const dtp_declared_csv_cfg *cfg, dtp_error *err);

/* Parse a declared CSV from r. Columns are found by their header names; a missing one is an error
 * listing the header found. */
dtp_status dtp_declared_csv_parse(const dtp_parse_ctx *pc, const dtp_declared_csv_cfg *cfg,
                                  dtp_reader *r, dtp_parse_stats *stats, dtp_error *err);

#endif
