/* See yearbook.h. */
#include "clean/yearbook.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clean/csvtable.h"
#include "common/uscc.h"

const char *const dtp_yb_index_indicators[DTP_YB_N_INDEX] = {
    "websites_per_100_enterprises", /* websites per hundred enterprises */
    "ecommerce_enterprise_share",   /* share of enterprises with e-commerce transactions */
    "ecommerce_sales",              /* e-commerce sales */
    "ecommerce_purchases",          /* e-commerce purchases */
    "online_retail_sales",          /* online retail sales */
    "telecom_business_volume",      /* telecommunications business volume */
    "software_revenue",             /* software business revenue */
    "it_services_revenue",          /* IT services revenue */
    "software_it_enterprises",      /* number of software and IT services enterprises */
    "electronics_enterprises",      /* number of electronic information manufacturing firms */
};

const char *const dtp_yb_control_indicators[DTP_YB_N_CONTROL] = {
    "gdp",         "budget_expenditure", "population",     "area",
    "tertiary_va", "secondary_va",       "retail_sales",   "tech_market_turnover",
    "fdi",         "exchange_rate",      "postal_telecom", "loans",
};

#define bad_field(err, t, r, field, what, arg)                                                     \
    (dtp_error_locatef((err), "%s:%zu:%s", dtp_clean_csv_name(t), dtp_clean_csv_line((t), (r)),    \
                       (field)),                                                                   \
     dtp_error_set((err), DTP_ERR_PARSE, "clean", what, (arg)))

static int known_indicator(const char *s)
{
    for (size_t i = 0; i < DTP_YB_N_INDEX; i++)
        if (strcmp(s, dtp_yb_index_indicators[i]) == 0)
            return 1;
    for (size_t i = 0; i < DTP_YB_N_CONTROL; i++)
        if (strcmp(s, dtp_yb_control_indicators[i]) == 0)
            return 1;
    return 0;
}

static int take(const dtp_clean_csv *t, size_t r, long c, char *dst, size_t dstsz)
{
    const char *src = c >= 0 ? dtp_clean_csv_cell(t, r, (size_t)c) : NULL;
    if (!src)
        src = "";
    while (*src == ' ')
        src++;
    size_t len = strlen(src);
    while (len && (src[len - 1] == ' ' || src[len - 1] == '\r'))
        len--;
    if (len >= dstsz)
        return 0;
    memcpy(dst, src, len);
    dst[len] = '\0';
    return 1;
}

dtp_status dtp_yearbook_read_mem(const char *data, size_t n, const char *name, dtp_yearbook *out,
                                 dtp_error *err)
{
    static const char *const cols[] = {"province", "year", "indicator", "value", "unit", "source"};
    long idx[6];
    dtp_clean_csv *t = NULL;
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", name ? name : "<memory>");
    dtp_status st = dtp_clean_csv_read_mem(data, n, ',', name, &t, err);
    if (st != DTP_OK)
        return st;
    if ((st = dtp_clean_csv_require(t, cols, 6, idx, "clean", err)) != DTP_OK)
        goto out;
    size_t rows = dtp_clean_csv_rows(t) - 1;
    if (rows > DTP_YB_MAX_ROWS) {
        dtp_error_where(err, NULL, NULL, dtp_clean_csv_name(t));
        st = dtp_error_set(err, DTP_ERR_LIMIT, "clean", "more than %u yearbook rows",
                           DTP_YB_MAX_ROWS);
        goto out;
    }
    out->rows = calloc(rows ? rows : 1, sizeof *out->rows);
    if (!out->rows) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, "clean", "out of memory");
        goto out;
    }
    for (size_t r = 1; r <= rows; r++) {
        dtp_yb_row *y = &out->rows[out->n];
        char year[16], value[64];
        char *end;
        if (!take(t, r, idx[0], y->province, sizeof y->province) || strlen(y->province) != 2 ||
            !dtp_province_code_known(y->province)) {
            st = bad_field(err, t, r, "province", "'%s' is not a GB/T 2260 province code",
                           y->province);
            goto out;
        }
        errno = 0;
        long yr = take(t, r, idx[1], year, sizeof year) ? strtol(year, &end, 10) : -1;
        if (yr < 1900 || yr > 2100 || errno || *end) {
            st = bad_field(err, t, r, "year", "'%s' is not a year between 1900 and 2100", year);
            goto out;
        }
        y->year = (int)yr;
        if (!take(t, r, idx[2], y->indicator, sizeof y->indicator) ||
            !known_indicator(y->indicator)) {
            st = bad_field(err, t, r, "indicator", "'%s' is not a known indicator", y->indicator);
            goto out;
        }
        errno = 0;
        if (!take(t, r, idx[3], value, sizeof value) || !value[0]) {
            st = bad_field(err, t, r, "value", "%s", "value is required");
            goto out;
        }
        y->value = strtod(value, &end);
        if (errno || *end || !isfinite(y->value)) {
            st = bad_field(err, t, r, "value", "'%s' is not a finite number", value);
            goto out;
        }
        if (!take(t, r, idx[4], y->unit, sizeof y->unit) || !y->unit[0]) {
            st = bad_field(err, t, r, "unit", "%s", "unit is required (at most 31 bytes)");
            goto out;
        }
        if (!take(t, r, idx[5], y->source, sizeof y->source) || !y->source[0]) {
            st = bad_field(err, t, r, "source", "%s", "source is required (at most 255 bytes)");
            goto out;
        }
        y->line = dtp_clean_csv_line(t, r);
        const dtp_yb_row *dup = dtp_yearbook_get(out, y->province, y->year, y->indicator);
        if (dup) {
            char msg[32];
            snprintf(msg, sizeof msg, "%zu", dup->line);
            st = bad_field(err, t, r, "indicator",
                           "a second value for this province, year and indicator (first on "
                           "line %s)",
                           msg);
            goto out;
        }
        out->n++;
    }
out:
    dtp_clean_csv_free(t);
    if (st != DTP_OK)
        dtp_yearbook_free(out);
    return st;
}

dtp_status dtp_yearbook_read_file(const char *path, dtp_yearbook *out, dtp_error *err)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) {
        dtp_error_where(err, NULL, NULL, path);
        return dtp_error_set(err, DTP_ERR_IO, "clean", "cannot open yearbook file");
    }
    char *buf = malloc(DTP_CLEAN_CSV_MAX_BYTES + 1);
    dtp_status st;
    if (!buf) {
        fclose(f);
        return dtp_error_set(err, DTP_ERR_NOMEM, "clean", "out of memory");
    }
    size_t n = fread(buf, 1, DTP_CLEAN_CSV_MAX_BYTES + 1, f);
    if (ferror(f)) {
        dtp_error_where(err, NULL, NULL, path);
        st = dtp_error_set(err, DTP_ERR_IO, "clean", "read failed");
    } else if (n > DTP_CLEAN_CSV_MAX_BYTES) {
        dtp_error_where(err, NULL, NULL, path);
        st = dtp_error_set(err, DTP_ERR_LIMIT, "clean", "yearbook file over %u bytes",
                           DTP_CLEAN_CSV_MAX_BYTES);
    } else {
        st = dtp_yearbook_read_mem(buf, n, path, out, err);
    }
    fclose(f);
    free(buf);
    return st;
}

void dtp_yearbook_free(dtp_yearbook *yb)
{
    free(yb->rows);
    yb->rows = NULL;
    yb->n = 0;
}

const dtp_yb_row *dtp_yearbook_get(const dtp_yearbook *yb, const char *province, int year,
                                   const char *indicator)
{
    for (size_t i = 0; i < yb->n; i++) {
        const dtp_yb_row *r = &yb->rows[i];
        if (r->year == year && strcmp(r->province, province) == 0 &&
            strcmp(r->indicator, indicator) == 0)
            return r;
    }
    return NULL;
}

void dtp_yearbook_control_inputs(const dtp_yearbook *yb, const char *province, int year,
                                 dtp_ctl_inputs *in)
{
    dtp_ctl_quantity *slots[DTP_YB_N_CONTROL] = {
        &in->gdp,         &in->budget_expenditure, &in->population,     &in->area,
        &in->tertiary_va, &in->secondary_va,       &in->retail_sales,   &in->tech_market_turnover,
        &in->fdi,         &in->exchange_rate,      &in->postal_telecom, &in->loans,
    };
    for (size_t i = 0; i < DTP_YB_N_CONTROL; i++) {
        const dtp_yb_row *r = dtp_yearbook_get(yb, province, year, dtp_yb_control_indicators[i]);
        slots[i]->value = r ? r->value : NAN;
        slots[i]->unit = r ? r->unit : NULL;
    }
}

dtp_status dtp_yearbook_index_matrix(const dtp_yearbook *yb, const char *const *provinces, size_t n,
                                     int year, double *x, dtp_error *err)
{
    for (size_t k = 0; k < DTP_YB_N_INDEX; k++) {
        const char *unit = NULL, *unit_prov = NULL;
        for (size_t i = 0; i < n; i++) {
            const dtp_yb_row *r =
                dtp_yearbook_get(yb, provinces[i], year, dtp_yb_index_indicators[k]);
            if (!r) {
                dtp_error_locatef(err, "%s: province %s year %d indicator %s", yb->name,
                                  provinces[i], year, dtp_yb_index_indicators[k]);
                return dtp_error_set(err, DTP_ERR_VALIDATION, "clean",
                                     "no value for an index indicator");
            }
            if (unit && strcmp(unit, r->unit) != 0) {
                dtp_error_locatef(err, "%s:%zu: province %s year %d indicator %s", yb->name,
                                  r->line, provinces[i], year, dtp_yb_index_indicators[k]);
                return dtp_error_set(err, DTP_ERR_VALIDATION, "clean",
                                     "unit '%s' differs from '%s' of province %s", r->unit, unit,
                                     unit_prov);
            }
            unit = r->unit;
            unit_prov = provinces[i];
            x[i * DTP_YB_N_INDEX + k] = r->value;
        }
    }
    return DTP_OK;
}
