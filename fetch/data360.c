#include "fetch/data360.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fetch/csvread.h"
#include "fetch/number.h"

#define STAGE "fetch"

enum { C_AREA, C_AREA_LABEL, C_INDICATOR, C_TIME, C_VALUE, C_MULT, C_STATUS, C_REQUIRED };
static const char *const REQUIRED[C_REQUIRED] = {"REF_AREA",    "REF_AREA_LABEL", "INDICATOR",
                                                 "TIME_PERIOD", "OBS_VALUE",      "UNIT_MULT",
                                                 "OBS_STATUS"};

typedef struct d360 {
    const dtp_parse_ctx *pc;
    dtp_parse_stats *stats;
    long col[C_REQUIRED];
    long unit_measure; /* optional column */
    size_t width;
} d360;

const char *dtp_data360_variable(const char *indicator)
{
    if (strcmp(indicator, DTP_DATA360_EXP) == 0)
        return "dt_exp";
    if (strcmp(indicator, DTP_DATA360_IMP) == 0)
        return "dt_imp";
    return NULL;
}

static dtp_status header(d360 *d, const dtp_csv_row *row, dtp_error *err)
{
    char missing[512] = "";
    size_t n = 0;
    for (int i = 0; i < C_REQUIRED; i++) {
        d->col[i] = dtp_csv_find(row, REQUIRED[i]);
        if (d->col[i] < 0 && n < sizeof missing) {
            int w = snprintf(missing + n, sizeof missing - n, "%s%s", n ? ", " : "", REQUIRED[i]);
            n += w > 0 ? (size_t)w : 0;
        }
    }
    if (n) {
        dtp_csv_field_error(err, DTP_ERR_PARSE, d->pc->file, &row->f[0],
                            "not a data360 sdmx-csv header: missing column(s) %s (found %zu "
                            "columns starting with \"%s\")",
                            missing, row->n, row->f[0].s);
        return DTP_ERR_PARSE;
    }
    d->unit_measure = dtp_csv_find(row, "UNIT_MEASURE");
    d->width = row->n;
    return DTP_OK;
}

static dtp_status on_row(void *ctx, const dtp_csv_row *row, dtp_error *err)
{
    d360 *d = ctx;
    const char *file = d->pc->file;
    if (row->index == 0)
        return header(d, row, err);
    d->stats->rows++;
    if (row->n != d->width)
        return dtp_csv_field_error(err, DTP_ERR_PARSE, file, &row->f[0],
                                   "row has %zu fields, header has %zu", row->n, d->width);
    const dtp_csv_field *ind = &row->f[d->col[C_INDICATOR]];
    const char *var = dtp_data360_variable(ind->s);
    if (!var) {
        d->stats->skipped++;
        return DTP_OK;
    }
    const dtp_csv_field *area = &row->f[d->col[C_AREA]];
    const dtp_csv_field *time = &row->f[d->col[C_TIME]];
    const dtp_csv_field *val = &row->f[d->col[C_VALUE]];
    const dtp_csv_field *mult = &row->f[d->col[C_MULT]];
    const dtp_csv_field *status = &row->f[d->col[C_STATUS]];
    if (area->len == 0)
        return dtp_csv_field_error(err, DTP_ERR_PARSE, file, area, "empty REF_AREA");
    int year;
    if (dtp_fetch_parse_year(time->s, time->len, &year) != DTP_OK)
        return dtp_csv_field_error(err, DTP_ERR_PARSE, file, time,
                                   "TIME_PERIOD \"%s\" is not a year", time->s);
    if (d->unit_measure >= 0 && strcmp(row->f[d->unit_measure].s, "USD") != 0)
        return dtp_csv_field_error(err, DTP_ERR_PARSE, file, &row->f[d->unit_measure],
                                   "UNIT_MEASURE \"%s\" for %s, expected USD",
                                   row->f[d->unit_measure].s, ind->s);
    long m;
    int neg = mult->len > 0 && mult->s[0] == '-';
    if (dtp_fetch_parse_long(mult->s + neg, mult->len - (size_t)neg, &m) != DTP_OK || m > 15)
        return dtp_csv_field_error(err, DTP_ERR_PARSE, file, mult,
                                   "UNIT_MULT \"%s\" is not a power of ten in 0..15", mult->s);
    int scale = (int)(neg ? -m : m) - 6; /* the panel keeps US$ millions */
    char loc[DTP_ERR_LOCATOR_MAX];
    dtp_obs o = {
        .source = d->pc->source,
        .indicator = ind->s,
        .variable = var,
        .entity_raw = row->f[d->col[C_AREA_LABEL]].s,
        .entity_code = area->s,
        .entity_system = "iso3",
        .is_aggregate = 0,
        .year = year,
        .value_raw = val->s,
        .unit = "US$ millions",
        .scale = scale,
        .flags = status->len ? status->s : NULL,
        .edition = d->pc->edition,
        .locator = dtp_csv_locator(file, val, loc, sizeof loc),
    };
    if (val->len == 0) {
        o.has_value = 0;
    } else {
        const char *why = NULL;
        double v;
        if (dtp_fetch_parse_number(val->s, val->len, 0, &v, &why) != DTP_OK)
            return dtp_csv_field_error(err, DTP_ERR_PARSE, file, val, "OBS_VALUE \"%s\": %s",
                                       val->s, why);
        o.has_value = 1;
        o.value = scale ? v * pow(10.0, scale) : v;
    }
    return dtp_parse_emit(d->pc, d->stats, &o, err);
}

dtp_status dtp_data360_parse(const dtp_parse_ctx *pc, dtp_reader *r, dtp_parse_stats *stats,
                             dtp_error *err)
{
    dtp_parse_stats local = {0};
    d360 d = {.pc = pc, .stats = stats ? stats : &local};
    dtp_csv_opts o = {.file = pc->file};
    dtp_status st = dtp_csv_read(&o, r, on_row, &d, err);
    if (st == DTP_OK && d.width == 0) {
        dtp_error_locatef(err, "%s", pc->file ? pc->file : "");
        st = dtp_error_set(err, DTP_ERR_PARSE, STAGE, "empty file: no data360 header");
    }
    return st == DTP_OK ? DTP_OK : dtp_parse_fail(pc, st, err);
}
