/* The province yearbook CSV (METHODS.md §B: the ten digital-trade indicators and the controls'
 * inputs), one row per province, year and indicator:
 *   province_code,year,indicator,value,unit[,source]
 * province_code: two-digit GB/T 2260 code, or 00 (national) for exchange_rate only; value: a
 * non-negative number as printed; unit: the figure's unit (clean/controls.h lists those the
 * controls convert); source: the yearbook edition and table (optional column). The format is
 * documented with the demo file in data/snapshot/province/README.md. */
#ifndef DTP_CLEAN_YEARBOOK_H
#define DTP_CLEAN_YEARBOOK_H

#include <stddef.h>

#include "clean/csvtable.h"
#include "common/error.h"

/* Indicator indices: the first DTP_YB_N_INDEX are the entropy index's, ordering then products. */
enum {
    DTP_YB_WEBSITES, /* websites_per_100: websites per hundred enterprises */
    DTP_YB_ECOM_SHARE,
    DTP_YB_ECOM_SALES,
    DTP_YB_ECOM_PURCHASES,
    DTP_YB_ONLINE_RETAIL,
    DTP_YB_TELECOM,
    DTP_YB_SOFTWARE_REV,
    DTP_YB_IT_SERVICES,
    DTP_YB_SOFTWARE_FIRMS,
    DTP_YB_ELECTRONICS_FIRMS,
    DTP_YB_N_INDEX,
    DTP_YB_GDP = DTP_YB_N_INDEX,
    DTP_YB_BUDGET,
    DTP_YB_POPULATION,
    DTP_YB_AREA,
    DTP_YB_TERTIARY,
    DTP_YB_SECONDARY,
    DTP_YB_RETAIL,
    DTP_YB_TECH_MARKET,
    DTP_YB_FDI,
    DTP_YB_POSTAL_TELECOM,
    DTP_YB_LOANS,
    DTP_YB_EXCHANGE_RATE,
    DTP_YB_N
};

typedef struct dtp_yearbook_row {
    char code[3]; /* "11".."82", or "00" */
    int year;
    int indicator; /* DTP_YB_* */
    double value;
    const char *raw, *unit, *source; /* borrowed from the table; source may be "" */
    size_t line;                     /* 1-based physical line */
    long value_col;                  /* 1-based column of the value */
} dtp_yearbook_row;

typedef struct dtp_yearbook {
    dtp_clean_csv *csv;
    dtp_yearbook_row *rows;
    size_t n;
    int all_generated; /* a source column where every row starts with GENERATED */
} dtp_yearbook;

/* Parse and check the shape of every row (columns, code, year, known indicator, value, unit;
 * 00 only for exchange_rate). DTP_ERR_PARSE naming name:line on the first bad row. Which
 * provinces and years are wanted, duplicates and balance are the caller's. */
dtp_status dtp_yearbook_read_mem(const char *data, size_t n, const char *name, dtp_yearbook *out,
                                 dtp_error *err);
void dtp_yearbook_free(dtp_yearbook *y);

/* DTP_YB_* for an indicator name, -1 when unknown; and the name of one. */
int dtp_yearbook_indicator(const char *name);
const char *dtp_yearbook_indicator_name(int k);

#endif
