/* export: a panel view to CSV (with a sidecar describing the columns) or Stata .dta through
 * ReadStat, with variable labels and value labels for the status flags. The file is written
 * to <path>.tmp-<pid> and renamed into place, so a reader never sees half an export. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <csv.h>
#include <readstat.h>

#include "load/load.h"

#define EXPORT_MAX_COLS 128
#define EXPORT_MAX_STR 2045 /* Stata str# limit */

typedef enum col_kind { COL_STRING, COL_INT, COL_DOUBLE, COL_STATUS } col_kind;

static const struct {
    const char *name, *label;
} labels[] = {
    {"iso3", "ISO 3166-1 alpha-3 country code"},
    {"province_code", "province code (GB/T 2260, two digits)"},
    {"province", "province"},
    {"year", "year"},
    {"entity_id", "panel entity id for xtset (1.. in code order)"},
    {"region", "economic belt: eastern, central, western"},
    {"dt_exp", "digitally deliverable services exports, US$ mn, current (UNCTADstat)"},
    {"dt_imp", "digitally deliverable services imports, US$ mn, current (UNCTADstat)"},
    {"dt_total", "digitally deliverable services trade, dt_exp + dt_imp, US$ mn"},
    {"iso27001", "valid ISO/IEC 27001 certificates at 31 December (ISO Survey)"},
    {"pv", "political stability and absence of violence, estimate (WGI)"},
    {"fdi", "foreign direct investment, net inflows, % of GDP"},
    {"infra", "population covered by at least a 3G mobile network, %"},
    {"ln_dt_exp", "ln(dt_exp)"},
    {"ln_dt_imp", "ln(dt_imp)"},
    {"ln_dt_total", "ln dt_total (per release setting total_definition)"},
    {"ln_iso27001", "ln iso27001 (per release setting iso27001_transform)"},
    {"developed", "1 = IMF advanced economy"},
    {"rcep", "1 = RCEP member"},
    {"high_dev", "1 = ln GDP per capita above the sample mean"},
    {"iso27001_listed", "ISO/IEC 27001 certificates of listed companies (registry)"},
    {"ln_iso27001_listed", "ln(1 + iso27001_listed)"},
    {"dt_index", "digital trade development index (entropy weights)"},
    {"dt_ordering", "digital ordering trade sub-index"},
    {"dt_products", "digital products, services and technology trade sub-index"},
    {"fiscal", "general budget expenditure / GDP"},
    {"ln_gdppc", "ln GDP per capita"},
    {"structure", "tertiary / secondary value added"},
    {"consumption", "retail sales of consumer goods / GDP"},
    {"tech", "technology market turnover / GDP"},
    {"popdens", "year-end resident population / area"},
    {"info", "postal and telecommunications business volume / GDP"},
    {"finance", "loans outstanding / GDP"},
};

static const char *const status_names[] = {NULL,      "observed", "imputed", "overridden",
                                           "derived", "excluded", "missing"};

int dtp_load_status_code(const char *status)
{
    if (!status)
        return 0;
    for (int i = 1; i <= 6; i++)
        if (strcmp(status, status_names[i]) == 0)
            return i;
    return 0;
}

static size_t ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static col_kind kind_of(const char *name)
{
    if (ends_with(name, "_status"))
        return COL_STATUS;
    if (!strcmp(name, "iso3") || !strcmp(name, "province_code") || !strcmp(name, "province") ||
        !strcmp(name, "region"))
        return COL_STRING;
    if (!strcmp(name, "year") || !strcmp(name, "entity_id") || !strcmp(name, "developed") ||
        !strcmp(name, "rcep") || !strcmp(name, "high_dev"))
        return COL_INT;
    return COL_DOUBLE;
}

static void label_of(const char *name, char *out, size_t n)
{
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(labels[i].name, name) == 0) {
            snprintf(out, n, "%s", labels[i].label);
            return;
        }
    if (ends_with(name, "_status")) {
        snprintf(out, n, "%.*s: status flag", (int)(strlen(name) - 7), name);
        return;
    }
    snprintf(out, n, "%s", name);
}

static const char *kind_name(col_kind k)
{
    return k == COL_STRING   ? "string"
           : k == COL_INT    ? "integer"
           : k == COL_STATUS ? "status"
                             : "double";
}

static dtp_status prepare_view(sqlite3 *wh, const char *panel, sqlite3_stmt **s, dtp_error *err)
{
    const char *sql = strcmp(panel, "country") == 0    ? "SELECT * FROM panel_country_year"
                      : strcmp(panel, "province") == 0 ? "SELECT * FROM panel_province_year"
                                                       : NULL;
    if (!sql)
        return dtp_error_set(err, DTP_ERR_USAGE, "load", "panel is country or province, not '%s'",
                             panel);
    if (sqlite3_prepare_v2(wh, sql, -1, s, NULL) != SQLITE_OK)
        return dtp_error_set(err, DTP_ERR_DB, "load", "read %s panel: %s", panel,
                             sqlite3_errmsg(wh));
    if (sqlite3_column_count(*s) > EXPORT_MAX_COLS) {
        sqlite3_finalize(*s);
        *s = NULL;
        return dtp_error_set(err, DTP_ERR_LIMIT, "load", "too many columns");
    }
    return DTP_OK;
}

static dtp_status io_fail(const char *path, dtp_error *err)
{
    dtp_error_locatef(err, "%s", path);
    return dtp_error_set(err, DTP_ERR_IO, "load", "cannot write export: %s", strerror(errno));
}

static int csv_field(FILE *f, const char *s, int first)
{
    if (!first && fputc(',', f) == EOF)
        return -1;
    return csv_fwrite(f, s, strlen(s));
}

static dtp_status write_columns_sidecar(sqlite3_stmt *s, const char *path, dtp_error *err)
{
    char side[4200], tmp[4300];
    snprintf(side, sizeof side, "%s.columns.csv", path);
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", side, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f)
        return io_fail(tmp, err);
    int bad = fputs("column,type,label,description\n", f) == EOF;
    int n = sqlite3_column_count(s);
    for (int i = 0; i < n && !bad; i++) {
        const char *name = sqlite3_column_name(s, i);
        char label[256];
        label_of(name, label, sizeof label);
        col_kind k = kind_of(name);
        const char *desc = k == COL_STATUS
                               ? "cell status: observed, imputed, overridden, derived, excluded,"
                                 " missing (empty: no cell); .dta codes 1-6 in that order"
                           : k == COL_DOUBLE ? "empty when the cell is not published"
                                             : "";
        bad = csv_field(f, name, 1) < 0 || csv_field(f, kind_name(k), 0) < 0 ||
              csv_field(f, label, 0) < 0 || csv_field(f, desc, 0) < 0 || fputc('\n', f) == EOF;
    }
    if (fclose(f) != 0 || bad || rename(tmp, side) != 0) {
        unlink(tmp);
        return io_fail(side, err);
    }
    return DTP_OK;
}

static dtp_status export_csv(sqlite3_stmt *s, const char *path, const char *tmp, int64_t *rows,
                             dtp_error *err)
{
    FILE *f = fopen(tmp, "w");
    if (!f)
        return io_fail(tmp, err);
    int n = sqlite3_column_count(s), bad = 0;
    for (int i = 0; i < n && !bad; i++)
        bad = csv_field(f, sqlite3_column_name(s, i), i == 0) < 0;
    bad = bad || fputc('\n', f) == EOF;
    int rc;
    while (!bad && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        for (int i = 0; i < n && !bad; i++) {
            char num[64];
            const char *v = "";
            int t = sqlite3_column_type(s, i);
            if (t == SQLITE_FLOAT) {
                snprintf(num, sizeof num, "%.17g", sqlite3_column_double(s, i));
                v = num;
            } else if (t != SQLITE_NULL) {
                v = (const char *)sqlite3_column_text(s, i);
            }
            bad = csv_field(f, v ? v : "", i == 0) < 0;
        }
        bad = bad || fputc('\n', f) == EOF;
        (*rows)++;
    }
    if (fflush(f) != 0 || fsync(fileno(f)) != 0)
        bad = 1;
    if (fclose(f) != 0 || bad) {
        unlink(tmp);
        return io_fail(path, err);
    }
    return DTP_OK;
}

static ssize_t dta_write(const void *data, size_t len, void *ctx)
{
    return fwrite(data, 1, len, (FILE *)ctx) == len ? (ssize_t)len : -1;
}

static dtp_status export_dta(sqlite3 *wh, const char *panel, sqlite3_stmt *s, const char *path,
                             const char *tmp, int64_t *rows, dtp_error *err)
{
    dtp_status st = DTP_OK;
    int n = sqlite3_column_count(s);
    col_kind kinds[EXPORT_MAX_COLS];
    size_t width[EXPORT_MAX_COLS];
    readstat_variable_t *vars[EXPORT_MAX_COLS];
    long nrows = 0;
    /* First pass: row count and string widths (a .dta header states both up front). */
    for (int i = 0; i < n; i++) {
        kinds[i] = kind_of(sqlite3_column_name(s, i));
        width[i] = 1;
    }
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        nrows++;
        for (int i = 0; i < n; i++)
            if (kinds[i] == COL_STRING && sqlite3_column_type(s, i) != SQLITE_NULL) {
                size_t w = (size_t)sqlite3_column_bytes(s, i);
                if (w > width[i])
                    width[i] = w > EXPORT_MAX_STR ? EXPORT_MAX_STR : w;
            }
    }
    if (rc != SQLITE_DONE)
        return dtp_error_set(err, DTP_ERR_DB, "load", "read %s panel: %s", panel,
                             sqlite3_errmsg(wh));
    sqlite3_reset(s);

    FILE *f = fopen(tmp, "wb");
    if (!f)
        return io_fail(tmp, err);
    readstat_writer_t *w = readstat_writer_init();
    if (!w) {
        fclose(f);
        unlink(tmp);
        return dtp_error_set(err, DTP_ERR_NOMEM, "load", "out of memory");
    }
    readstat_set_data_writer(w, dta_write);
    char flabel[80];
    snprintf(flabel, sizeof flabel, "dtpanel %s-year panel", panel);
    readstat_writer_set_file_label(w, flabel);
    readstat_label_set_t *ls = readstat_add_label_set(w, READSTAT_TYPE_INT32, "dtp_status");
    for (int c = 1; c <= 6; c++)
        readstat_label_int32_value(ls, c, status_names[c]);
    for (int i = 0; i < n; i++) {
        const char *name = sqlite3_column_name(s, i);
        readstat_type_t t = kinds[i] == COL_STRING   ? READSTAT_TYPE_STRING
                            : kinds[i] == COL_DOUBLE ? READSTAT_TYPE_DOUBLE
                                                     : READSTAT_TYPE_INT32;
        vars[i] = readstat_add_variable(w, name, t, kinds[i] == COL_STRING ? width[i] : 0);
        char label[256];
        label_of(name, label, sizeof label);
        readstat_variable_set_label(vars[i], label);
        if (kinds[i] == COL_STATUS)
            readstat_variable_set_label_set(vars[i], ls);
    }
    readstat_error_t re = readstat_begin_writing_dta(w, f, nrows);
    while (re == READSTAT_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        if ((re = readstat_begin_row(w)) != READSTAT_OK)
            break;
        for (int i = 0; i < n && re == READSTAT_OK; i++) {
            int null = sqlite3_column_type(s, i) == SQLITE_NULL;
            switch (kinds[i]) {
            case COL_STRING: {
                const char *v = (const char *)sqlite3_column_text(s, i);
                char cut[EXPORT_MAX_STR + 1];
                snprintf(cut, sizeof cut, "%s", v ? v : "");
                re = readstat_insert_string_value(w, vars[i], cut);
                break;
            }
            case COL_INT:
                re = null ? readstat_insert_missing_value(w, vars[i])
                          : readstat_insert_int32_value(w, vars[i], sqlite3_column_int(s, i));
                break;
            case COL_STATUS: {
                int code = dtp_load_status_code((const char *)sqlite3_column_text(s, i));
                re = code ? readstat_insert_int32_value(w, vars[i], code)
                          : readstat_insert_missing_value(w, vars[i]);
                break;
            }
            case COL_DOUBLE:
                re = null ? readstat_insert_missing_value(w, vars[i])
                          : readstat_insert_double_value(w, vars[i], sqlite3_column_double(s, i));
                break;
            }
        }
        if (re == READSTAT_OK)
            re = readstat_end_row(w);
        (*rows)++;
    }
    if (re == READSTAT_OK)
        re = readstat_end_writing(w);
    readstat_writer_free(w);
    int io_bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
    io_bad |= fclose(f) != 0;
    if (re != READSTAT_OK) {
        unlink(tmp);
        dtp_error_locatef(err, "%s", path);
        st = dtp_error_set(err, DTP_ERR_IO, "load", "readstat: %s", readstat_error_message(re));
    } else if (io_bad) {
        unlink(tmp);
        st = io_fail(path, err);
    }
    return st;
}

dtp_status dtp_load_export(sqlite3 *wh, const char *panel, dtp_load_format fmt, const char *path,
                           int64_t *rows, dtp_error *err)
{
    *rows = 0;
    sqlite3_stmt *s = NULL;
    dtp_status st = prepare_view(wh, panel, &s, err);
    if (st != DTP_OK)
        return st;
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
    if (fmt == DTP_LOAD_CSV) {
        st = write_columns_sidecar(s, path, err);
        if (st == DTP_OK)
            st = export_csv(s, path, tmp, rows, err);
    } else {
        st = export_dta(wh, panel, s, path, tmp, rows, err);
    }
    sqlite3_finalize(s);
    if (st == DTP_OK && rename(tmp, path) != 0) {
        unlink(tmp);
        st = io_fail(path, err);
    }
    return st;
}
