/* See yearbook.h. */
#include "clean/yearbook.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"

static const char *const names[DTP_YB_N] = {"websites_per_100",
                                            "ecommerce_share",
                                            "ecommerce_sales",
                                            "ecommerce_purchases",
                                            "online_retail",
                                            "telecom_volume",
                                            "software_revenue",
                                            "it_services_revenue",
                                            "software_firms",
                                            "electronics_firms",
                                            "gdp",
                                            "budget_expenditure",
                                            "population",
                                            "area",
                                            "tertiary_va",
                                            "secondary_va",
                                            "retail_sales",
                                            "tech_market_turnover",
                                            "fdi",
                                            "postal_telecom",
                                            "loans",
                                            "exchange_rate"};

int dtp_yearbook_indicator(const char *name)
{
    for (int k = 0; name && k < DTP_YB_N; k++)
        if (strcmp(name, names[k]) == 0)
            return k;
    return -1;
}

const char *dtp_yearbook_indicator_name(int k)
{
    return k >= 0 && k < DTP_YB_N ? names[k] : "?";
}

void dtp_yearbook_free(dtp_yearbook *y)
{
    if (!y)
        return;
    dtp_clean_csv_free(y->csv);
    free(y->rows);
    memset(y, 0, sizeof *y);
}

static int two_digits(const char *s)
{
    return s && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && s[2] == 0;
}

dtp_status dtp_yearbook_read_mem(const char *data, size_t n, const char *name, dtp_yearbook *out,
                                 dtp_error *err)
{
    memset(out, 0, sizeof *out);
    dtp_status st = dtp_clean_csv_read_mem(data, n, ',', name, &out->csv, err);
    if (st != DTP_OK)
        return st;
    static const char *const need[] = {"province_code", "year", "indicator", "value", "unit"};
    long ix[5];
    if ((st = dtp_clean_csv_require(out->csv, need, 5, ix, "clean", err)) != DTP_OK)
        goto fail;
    long src_col = dtp_clean_csv_col(out->csv, "source");
    size_t nrows = dtp_clean_csv_rows(out->csv);
    out->rows = calloc(nrows ? nrows : 1, sizeof *out->rows);
    if (!out->rows) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, "clean", "out of memory");
        goto fail;
    }
    out->all_generated = src_col >= 0 && nrows > 1;
    for (size_t r = 1; r < nrows; r++) {
        dtp_yearbook_row *y = &out->rows[out->n];
        const char *code = dtp_clean_csv_cell(out->csv, r, (size_t)ix[0]);
        const char *ys = dtp_clean_csv_cell(out->csv, r, (size_t)ix[1]);
        const char *ind = dtp_clean_csv_cell(out->csv, r, (size_t)ix[2]);
        const char *vs = dtp_clean_csv_cell(out->csv, r, (size_t)ix[3]);
        const char *unit = dtp_clean_csv_cell(out->csv, r, (size_t)ix[4]);
        const char *src = src_col >= 0 ? dtp_clean_csv_cell(out->csv, r, (size_t)src_col) : NULL;
        y->line = dtp_clean_csv_line(out->csv, r);
        long year = 0;
        if (!two_digits(code) || dtp_parse_long(ys, &year) != 0 || year < 1900 || year > 2999 ||
            !ind || !vs || !unit || !*unit) {
            dtp_error_locatef(err, "%s:%zu", name, y->line);
            st = dtp_error_set(err, DTP_ERR_PARSE, "clean",
                               "yearbook row needs province_code (2 digits), year, indicator,"
                               " value and unit");
            goto fail;
        }
        if ((y->indicator = dtp_yearbook_indicator(ind)) < 0) {
            dtp_error_locatef(err, "%s:%zu", name, y->line);
            st = dtp_error_set(err, DTP_ERR_PARSE, "clean",
                               "unknown indicator '%.64s' (data/snapshot/province/README.md lists"
                               " the names)",
                               ind);
            goto fail;
        }
        if (dtp_parse_double(vs, &y->value) != 0 || !isfinite(y->value) || y->value < 0) {
            dtp_error_locatef(err, "%s:%zu", name, y->line);
            st = dtp_error_set(err, DTP_ERR_PARSE, "clean",
                               "%s %s %ld: value '%.64s' is not a non-negative number", code, ind,
                               year, vs);
            goto fail;
        }
        if (strcmp(code, "00") == 0 && y->indicator != DTP_YB_EXCHANGE_RATE) {
            dtp_error_locatef(err, "%s:%zu", name, y->line);
            st =
                dtp_error_set(err, DTP_ERR_PARSE, "clean",
                              "province_code 00 (national) is only for exchange_rate, not %s", ind);
            goto fail;
        }
        memcpy(y->code, code, 3);
        y->year = (int)year;
        y->raw = vs;
        y->unit = unit;
        y->source = src ? src : "";
        y->value_col = ix[3] + 1;
        if (!src || strncmp(src, "GENERATED", 9) != 0)
            out->all_generated = 0;
        out->n++;
    }
    return DTP_OK;
fail:
    dtp_yearbook_free(out);
    return st;
}
