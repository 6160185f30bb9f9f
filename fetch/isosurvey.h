/* ISO Survey workbooks: ISO/IEC 27001 certificates per country, every edition (SOURCES.md §4).
 *
 * No real workbook was seen while this was written, so layouts are recognised by their text, never
 * by position, and a workbook that cannot be placed fails with a message naming the workbook, the
 * sheets it has and the headers that were looked for. Layouts:
 *
 *  - per standard: a sheet named for ISO/IEC 27001 (`ISO/IEC 27001`, `ISO IEC 27001`,
 *    `ISO 27001`, `ISO_IEC_27001`, any case and spacing, optionally followed by a year such as
 *    `ISO 27001 2013`), up to 30 title/note rows, then a header row with a country column
 *    (`Country`, `Land/Sector`, ...) and a count column, chosen in this order: a header with
 *    `certificates` (not `sites`), `Total`, one naming 27001, the edition year. Rows are
 *    countries; a blank count is 0 (value_raw "", flags "blank=0"); `TOTAL` rows are pushed with
 *    is_aggregate = 1; `Sector number` rows before the data are skipped, and after the data they
 *    start the sector table, which ends the country list. The "certificates and sites per
 *    country" workbook (country | certificates | sites) is this layout too, and so is a sheet
 *    with another name whose title rows (or the workbook name) mention 27001.
 *  - per country (old editions): one sheet per country, standards as columns, rows are years;
 *    the header row has a column naming 27001 and usually `Year`. entity_raw is the sheet name,
 *    year is the row's year, a blank count is missing (has_value = 0, flags "blank"), since the
 *    standard did not exist in every year.
 *
 * Note rows (`Note...`, `Disclaimer...`, `*...`, `Source...`, or long text with no count) are not
 * observations: their text is collected in dtp_isosurvey_info.disclaimer, and text found above
 * the header is also carried in every observation's flags as "disclaimer=<text>".
 * Country names are pushed as written (entity_system "name"); mapping them to ISO 3166 is the
 * clean stage's job. */
#ifndef DTP_FETCH_ISOSURVEY_H
#define DTP_FETCH_ISOSURVEY_H

#include <stddef.h>

#include "common/error.h"
#include "common/obs.h"
#include "fetch/xlsx.h"

typedef enum dtp_isosurvey_layout {
    DTP_ISOSURVEY_UNKNOWN = 0,
    DTP_ISOSURVEY_PER_STANDARD, /* a 27001 sheet, rows are countries */
    DTP_ISOSURVEY_PER_COUNTRY   /* a sheet per country, a 27001 column, rows are years */
} dtp_isosurvey_layout;

/* What the parser found, for logs and reconciliation. */
typedef struct dtp_isosurvey_info {
    dtp_isosurvey_layout layout;
    int edition;              /* edition year used */
    char sheet[256];          /* per standard: the sheet used; per country: the first one */
    unsigned header_row;      /* 1-based row of the header (in `sheet`) */
    char country_header[128]; /* header text of the country (or year) column */
    char value_header[128];   /* header text of the count column */
    char disclaimer[4096];    /* note and disclaimer rows, joined by " | " (may be cut) */
    size_t sheets_used;       /* sheets that gave observations */
    size_t n_obs;             /* observations pushed, aggregates included */
    size_t n_aggregate;       /* of which TOTAL rows */
    size_t n_blank;           /* of which blank counts */
    size_t n_notes;           /* note rows skipped */
    size_t n_skipped;         /* other rows skipped (sector numbers, unlabelled values) */
} dtp_isosurvey_info;

/* 1 when a sheet name names ISO/IEC 27001 (see the header comment), else 0. */
int dtp_isosurvey_sheet_is_27001(const char *name);

/* Parse one workbook held in memory and push each 27001 count to cb. workbook_name is used in
 * messages (may be NULL); edition_year 0 means: take the year from the workbook name or title.
 * lim NULL means the xlsx defaults. DTP_ERR_UNSUPPORTED when no sheet or column is for 27001,
 * DTP_ERR_PARSE when a 27001 sheet has no header row; the message names the workbook, the sheets
 * seen and the headers looked for. */
dtp_status dtp_isosurvey_parse(const void *bytes, size_t n, const char *workbook_name,
                               int edition_year, const dtp_xlsx_limits *lim, dtp_obs_fn cb,
                               void *ctx, dtp_error *err);

/* Same, also filling info (may be NULL). */
dtp_status dtp_isosurvey_parse_ex(const void *bytes, size_t n, const char *workbook_name,
                                  int edition_year, const dtp_xlsx_limits *lim, dtp_obs_fn cb,
                                  void *ctx, dtp_isosurvey_info *info, dtp_error *err);

/* Same on an open workbook (a file or memory), so big files need not be read into memory. */
dtp_status dtp_isosurvey_parse_xlsx(dtp_xlsx *x, int edition_year, dtp_obs_fn cb, void *ctx,
                                    dtp_isosurvey_info *info, dtp_error *err);

#endif
