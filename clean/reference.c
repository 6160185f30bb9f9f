/* See reference.h. */
#include "clean/reference.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clean/csvtable.h"
#include "common/uscc.h"

#define REF_MAX_ROWS 10000u

#define bad_field(err, t, r, field, what, arg)                                                     \
    (dtp_error_locatef((err), "%s:%zu:%s", dtp_clean_csv_name(t), dtp_clean_csv_line((t), (r)),    \
                       (field)),                                                                   \
     dtp_error_set((err), DTP_ERR_PARSE, "clean", what, (arg)))

static int is_iso3(const char *s)
{
    return strlen(s) == 3 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]) &&
           isupper((unsigned char)s[2]);
}

static int parse_date(const char *s, int *y, int *m, int *d)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return 0;
    *y = (int)strtol(s, NULL, 10);
    *m = (int)strtol(s + 5, NULL, 10);
    *d = (int)strtol(s + 8, NULL, 10);
    if (*m < 1 || *m > 12 || *d < 1 || *d > mdays[*m - 1])
        return 0;
    int leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
    return !(*m == 2 && *d == 29 && !leap);
}

/* Read and check the header; *rows gets the data row count (capped). */
static dtp_status open_table(const char *data, size_t n, const char *name, const char *const *cols,
                             size_t ncols, long *idx, dtp_clean_csv **t, size_t *rows,
                             dtp_error *err)
{
    dtp_status st = dtp_clean_csv_read_mem(data, n, ',', name, t, err);
    if (st != DTP_OK)
        return st;
    if ((st = dtp_clean_csv_require(*t, cols, ncols, idx, "clean", err)) != DTP_OK)
        return st;
    *rows = dtp_clean_csv_rows(*t) - 1;
    if (*rows > REF_MAX_ROWS) {
        dtp_error_where(err, NULL, NULL, dtp_clean_csv_name(*t));
        return dtp_error_set(err, DTP_ERR_LIMIT, "clean", "more than %u rows", REF_MAX_ROWS);
    }
    return DTP_OK;
}

/* ---- advanced economies ----------------------------------------------------------------- */

dtp_status dtp_ref_advanced_read_mem(const char *data, size_t n, const char *name,
                                     dtp_ref_advanced *out, dtp_error *err)
{
    static const char *const cols[] = {"iso3", "name"};
    long idx[2];
    size_t rows = 0;
    dtp_clean_csv *t = NULL;
    memset(out, 0, sizeof *out);
    dtp_status st = open_table(data, n, name, cols, 2, idx, &t, &rows, err);
    if (st != DTP_OK)
        goto out;
    out->iso3 = calloc(rows ? rows : 1, sizeof *out->iso3);
    if (!out->iso3) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, "clean", "out of memory");
        goto out;
    }
    for (size_t r = 1; r <= rows; r++) {
        char code[8], nm[256];
        if (!dtp_clean_csv_take(t, r, idx[0], code, sizeof code) || !is_iso3(code)) {
            st = bad_field(err, t, r, "iso3", "'%s' is not an alpha-3 code", code);
            goto out;
        }
        if (!dtp_clean_csv_take(t, r, idx[1], nm, sizeof nm) || !nm[0]) {
            st = bad_field(err, t, r, "name", "%s", "name is required");
            goto out;
        }
        if (dtp_ref_developed(out, code)) {
            st = bad_field(err, t, r, "iso3", "%s listed twice", code);
            goto out;
        }
        memcpy(out->iso3[out->n++], code, 4);
    }
out:
    dtp_clean_csv_free(t);
    if (st != DTP_OK)
        dtp_ref_advanced_free(out);
    return st;
}

static dtp_status adv_reader(const char *d, size_t n, const char *nm, void *o, dtp_error *e)
{
    return dtp_ref_advanced_read_mem(d, n, nm, o, e);
}

dtp_status dtp_ref_advanced_read_file(const char *path, dtp_ref_advanced *out, dtp_error *err)
{
    memset(out, 0, sizeof *out);
    return dtp_clean_read_capped(path, "reference table", adv_reader, out, err);
}

void dtp_ref_advanced_free(dtp_ref_advanced *t)
{
    free(t->iso3);
    t->iso3 = NULL;
    t->n = 0;
}

int dtp_ref_developed(const dtp_ref_advanced *t, const char *iso3)
{
    for (size_t i = 0; i < t->n; i++)
        if (iso3 && strcmp(t->iso3[i], iso3) == 0)
            return 1;
    return 0;
}

/* ---- RCEP ------------------------------------------------------------------------------- */

static const dtp_ref_rcep_row *rcep_row(const dtp_ref_rcep *t, const char *iso3)
{
    for (size_t i = 0; i < t->n; i++)
        if (iso3 && strcmp(t->rows[i].iso3, iso3) == 0)
            return &t->rows[i];
    return NULL;
}

dtp_status dtp_ref_rcep_read_mem(const char *data, size_t n, const char *name, dtp_ref_rcep *out,
                                 dtp_error *err)
{
    static const char *const cols[] = {"iso3", "name", "signature_date", "entry_into_force"};
    long idx[4];
    size_t rows = 0;
    dtp_clean_csv *t = NULL;
    memset(out, 0, sizeof *out);
    dtp_status st = open_table(data, n, name, cols, 4, idx, &t, &rows, err);
    if (st != DTP_OK)
        goto out;
    long inote = dtp_clean_csv_col(t, "note");
    out->rows = calloc(rows ? rows : 1, sizeof *out->rows);
    if (!out->rows) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, "clean", "out of memory");
        goto out;
    }
    for (size_t r = 1; r <= rows; r++) {
        dtp_ref_rcep_row *row = &out->rows[out->n];
        char code[8], nm[256], sd[16], ed[16], note[1024];
        if (!dtp_clean_csv_take(t, r, idx[0], code, sizeof code) || !is_iso3(code)) {
            st = bad_field(err, t, r, "iso3", "'%s' is not an alpha-3 code", code);
            goto out;
        }
        if (!dtp_clean_csv_take(t, r, idx[1], nm, sizeof nm) || !nm[0]) {
            st = bad_field(err, t, r, "name", "%s", "name is required");
            goto out;
        }
        if (!dtp_clean_csv_take(t, r, idx[2], sd, sizeof sd) ||
            !parse_date(sd, &row->sign_y, &row->sign_m, &row->sign_d)) {
            st = bad_field(err, t, r, "signature_date", "'%s' is not a YYYY-MM-DD date", sd);
            goto out;
        }
        if (!dtp_clean_csv_take(t, r, idx[3], ed, sizeof ed) ||
            !parse_date(ed, &row->eif_y, &row->eif_m, &row->eif_d)) {
            st = bad_field(err, t, r, "entry_into_force", "'%s' is not a YYYY-MM-DD date", ed);
            goto out;
        }
        if (strcmp(ed, sd) < 0) {
            st = bad_field(err, t, r, "entry_into_force", "'%s' is before the signature", ed);
            goto out;
        }
        if (!dtp_clean_csv_take(t, r, inote, note, sizeof note)) {
            st = bad_field(err, t, r, "note", "%s", "note longer than 1023 bytes");
            goto out;
        }
        if (rcep_row(out, code)) {
            st = bad_field(err, t, r, "iso3", "%s listed twice", code);
            goto out;
        }
        memcpy(row->iso3, code, 4);
        row->flags = strstr(note, "contested") ? DTP_RCEP_FLAG_CONTESTED : 0;
        out->n++;
    }
out:
    dtp_clean_csv_free(t);
    if (st != DTP_OK)
        dtp_ref_rcep_free(out);
    return st;
}

static dtp_status rcep_reader(const char *d, size_t n, const char *nm, void *o, dtp_error *e)
{
    return dtp_ref_rcep_read_mem(d, n, nm, o, e);
}

dtp_status dtp_ref_rcep_read_file(const char *path, dtp_ref_rcep *out, dtp_error *err)
{
    memset(out, 0, sizeof *out);
    return dtp_clean_read_capped(path, "reference table", rcep_reader, out, err);
}

void dtp_ref_rcep_free(dtp_ref_rcep *t)
{
    free(t->rows);
    t->rows = NULL;
    t->n = 0;
}

int dtp_ref_rcep_dummy(const dtp_ref_rcep *t, const char *iso3, int year, dtp_rcep_mode mode,
                       unsigned *flags)
{
    const dtp_ref_rcep_row *row = rcep_row(t, iso3);
    if (flags)
        *flags = row ? row->flags : 0;
    if (!row)
        return 0;
    if (mode == DTP_RCEP_TIME_INVARIANT)
        return 1;
    /* In force on 31 December of year: entry into force on or before that day. */
    return row->eif_y <= year;
}

dtp_status dtp_rcep_mode_parse(const char *s, dtp_rcep_mode *out, dtp_error *err)
{
    if (s && strcmp(s, "time_invariant") == 0)
        *out = DTP_RCEP_TIME_INVARIANT;
    else if (s && strcmp(s, "entry_into_force") == 0)
        *out = DTP_RCEP_ENTRY_INTO_FORCE;
    else
        return dtp_error_set(err, DTP_ERR_CONFIG, "clean",
                             "rcep mode '%s': expected time_invariant or entry_into_force",
                             s ? s : "");
    return DTP_OK;
}

/* ---- provinces -------------------------------------------------------------------------- */

dtp_status dtp_ref_provinces_read_mem(const char *data, size_t n, const char *name,
                                      dtp_ref_provinces *out, dtp_error *err)
{
    static const char *const cols[] = {"code",     "name_en", "name_zh",
                                       "short_zh", "region",  "in_panel"};
    long idx[6];
    size_t rows = 0;
    dtp_clean_csv *t = NULL;
    memset(out, 0, sizeof *out);
    dtp_status st = open_table(data, n, name, cols, 6, idx, &t, &rows, err);
    if (st != DTP_OK)
        goto out;
    out->rows = calloc(rows ? rows : 1, sizeof *out->rows);
    if (!out->rows) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, "clean", "out of memory");
        goto out;
    }
    for (size_t r = 1; r <= rows; r++) {
        dtp_ref_province *p = &out->rows[out->n];
        char region[16], inp[8];
        if (!dtp_clean_csv_take(t, r, idx[0], p->code, sizeof p->code) || strlen(p->code) != 2 ||
            !dtp_province_code_known(p->code)) {
            st = bad_field(err, t, r, "code", "'%s' is not a GB/T 2260 province code", p->code);
            goto out;
        }
        if (!dtp_clean_csv_take(t, r, idx[1], p->name_en, sizeof p->name_en) || !p->name_en[0]) {
            st = bad_field(err, t, r, "name_en", "%s", "name_en is required (at most 47 bytes)");
            goto out;
        }
        if (!dtp_clean_csv_take(t, r, idx[2], p->name_zh, sizeof p->name_zh) || !p->name_zh[0]) {
            st = bad_field(err, t, r, "name_zh", "%s", "name_zh is required (at most 47 bytes)");
            goto out;
        }
        if (!dtp_clean_csv_take(t, r, idx[3], p->short_zh, sizeof p->short_zh) || !p->short_zh[0]) {
            st = bad_field(err, t, r, "short_zh", "%s", "short_zh is required (at most 23 bytes)");
            goto out;
        }
        if (!dtp_clean_csv_take(t, r, idx[4], region, sizeof region))
            region[0] = '\0';
        if (strcmp(region, "eastern") == 0)
            p->region = DTP_REGION_EASTERN;
        else if (strcmp(region, "central") == 0)
            p->region = DTP_REGION_CENTRAL;
        else if (strcmp(region, "western") == 0)
            p->region = DTP_REGION_WESTERN;
        else {
            st = bad_field(err, t, r, "region", "'%s' is not eastern, central or western", region);
            goto out;
        }
        if (!dtp_clean_csv_take(t, r, idx[5], inp, sizeof inp) ||
            (strcmp(inp, "0") && strcmp(inp, "1"))) {
            st = bad_field(err, t, r, "in_panel", "'%s' is not 0 or 1", inp);
            goto out;
        }
        p->in_panel = inp[0] == '1';
        if (dtp_ref_province_get(out, p->code)) {
            st = bad_field(err, t, r, "code", "%s listed twice", p->code);
            goto out;
        }
        out->n++;
    }
out:
    dtp_clean_csv_free(t);
    if (st != DTP_OK)
        dtp_ref_provinces_free(out);
    return st;
}

static dtp_status prov_reader(const char *d, size_t n, const char *nm, void *o, dtp_error *e)
{
    return dtp_ref_provinces_read_mem(d, n, nm, o, e);
}

dtp_status dtp_ref_provinces_read_file(const char *path, dtp_ref_provinces *out, dtp_error *err)
{
    memset(out, 0, sizeof *out);
    return dtp_clean_read_capped(path, "reference table", prov_reader, out, err);
}

void dtp_ref_provinces_free(dtp_ref_provinces *t)
{
    free(t->rows);
    t->rows = NULL;
    t->n = 0;
}

const dtp_ref_province *dtp_ref_province_get(const dtp_ref_provinces *t, const char *code)
{
    for (size_t i = 0; i < t->n; i++)
        if (code && strcmp(t->rows[i].code, code) == 0)
            return &t->rows[i];
    return NULL;
}

const char *dtp_region_name(dtp_region r)
{
    switch (r) {
    case DTP_REGION_EASTERN:
        return "eastern";
    case DTP_REGION_CENTRAL:
        return "central";
    case DTP_REGION_WESTERN:
        break;
    }
    return "western";
}
