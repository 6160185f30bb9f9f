/* Province yearbook inputs (METHODS.md §B): the ten indicators of the digital trade index and
 * the inputs of the controls, supplied by the maintainer as one long CSV:
 *   province,year,indicator,value,unit,source
 * province is the GB/T 2260 two-digit code; indicator one of the names below; unit the figure's
 * unit as printed (checked where it matters: controls.h converts money, persons and area; the
 * index needs one unit per indicator and year across provinces); source the yearbook and table.
 * Every field is required; a second row for the same province, year and indicator is an error. */
#ifndef DTP_CLEAN_YEARBOOK_H
#define DTP_CLEAN_YEARBOOK_H

#include <stddef.h>

#include "clean/controls.h"
#include "common/error.h"

/* The ten index indicators, in METHODS.md order: the first five make dt_ordering (digital
 * ordering trade driven by industrial digitisation), the last five dt_products (digital
 * products, services and technology trade). */
#define DTP_YB_N_INDEX 10
#define DTP_YB_N_ORDERING 5
extern const char *const dtp_yb_index_indicators[DTP_YB_N_INDEX];
/* The control inputs, named as the fields of dtp_ctl_inputs. */
#define DTP_YB_N_CONTROL 12
extern const char *const dtp_yb_control_indicators[DTP_YB_N_CONTROL];

typedef struct dtp_yb_row {
    char province[3];
    int year;
    char indicator[40];
    double value;
    char unit[32];
    char source[256];
    size_t line;
} dtp_yb_row;

typedef struct dtp_yearbook {
    dtp_yb_row *rows;
    size_t n;
    char name[256]; /* file it was read from */
} dtp_yearbook;

#define DTP_YB_MAX_ROWS 200000u

dtp_status dtp_yearbook_read_mem(const char *data, size_t n, const char *name, dtp_yearbook *out,
                                 dtp_error *err);
dtp_status dtp_yearbook_read_file(const char *path, dtp_yearbook *out, dtp_error *err);
void dtp_yearbook_free(dtp_yearbook *yb);

/* Borrowed row, or NULL. */
const dtp_yb_row *dtp_yearbook_get(const dtp_yearbook *yb, const char *province, int year,
                                   const char *indicator);

/* The control inputs of one province-year (units borrowed from yb; absent inputs have unit
 * NULL), ready for dtp_controls_compute. */
void dtp_yearbook_control_inputs(const dtp_yearbook *yb, const char *province, int year,
                                 dtp_ctl_inputs *in);

/* The n x 10 matrix of index indicators for year over provinces[0..n-1] (row i = province i,
 * columns in dtp_yb_index_indicators order), for dtp_entropy_year. DTP_ERR_VALIDATION naming the
 * province, year and indicator when a value is absent, or when an indicator's unit differs
 * between provinces in the year (min-max scaling needs one unit). */
dtp_status dtp_yearbook_index_matrix(const dtp_yearbook *yb, const char *const *provinces, size_t n,
                                     int year, double *x, dtp_error *err);

#endif
