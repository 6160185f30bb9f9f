#include "fetch/unctad.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "fetch/csvread.h"
#include "fetch/number.h"
#include "fetch/unpack.h"

#define STAGE "fetch"
#define MAX_MEASURES 16

typedef struct measure {
    long col; /* value; footnote = col + 1, missing label = col + 2 */
    const char *name;
    int main;          /* the US$ millions measure */
    char *ind_flow[2]; /* "<dataset>/01/<name>" and ".../02/...", built once */
} measure;

typedef struct unctad {
    const dtp_parse_ctx *pc;
    const dtp_unctad_opts *opts;
    dtp_parse_stats *stats;
    size_t width;
    long year, economy, economy_label, flow, flow_label, category;
    measure m[MAX_MEASURES];
    size_t nm;
    dtp_buf hdr;   /* header names kept for the measures' lifetime */
    dtp_buf ind;   /* indicator text per observation */
    dtp_buf flags; /* footnote + missing label */
} unctad;

static const char EXPECTED[] =
    "Year, Economy, Economy Label, Flow, Flow Label[, Category, Category Label], then for each "
    "measure <M>, <M> Footnote, <M> Missing value, including \"" DTP_UNCTAD_MEASURE "\"";

static int is_suffixed(const dtp_csv_field *f, const char *base, const char *suffix)
{
    size_t bl = strlen(base), sl = strlen(suffix);
    return f->len == bl + sl && memcmp(f->s, base, bl) == 0 && memcmp(f->s + bl, suffix, sl) == 0;
}

static dtp_status header_error(unctad *u, const dtp_csv_row *row, const dtp_csv_field *at,
                               const char *what, dtp_error *err)
{
    char found[600];
    size_t n = 0;
    for (size_t i = 0; i < row->n && n < sizeof found - 1; i++) {
        int w = snprintf(found + n, sizeof found - n, "%s%s", i ? ", " : "", row->f[i].s);
        n += w > 0 ? (size_t)w : 0;
    }
    if (n >= sizeof found - 1)
        memcpy(found + sizeof found - 4, "...", 4);
    return dtp_csv_field_error(err, DTP_ERR_PARSE, u->pc->file, at,
                               "unexpected unctad bulk header (%s): expected %s; found %s", what,
                               EXPECTED, found);
}

static dtp_status header(unctad *u, const dtp_csv_row *row, dtp_error *err)
{
    u->year = u->economy = u->economy_label = u->flow = u->flow_label = u->category = -1;
    /* copy names: the row's storage is reused for the next row */
    for (size_t i = 0; i < row->n; i++)
        if (dtp_buf_append(&u->hdr, row->f[i].s, row->f[i].len + 1) != DTP_OK)
            return dtp_csv_field_error(err, DTP_ERR_LIMIT, u->pc->file, &row->f[i],
                                       "header too long");
    const char *names = u->hdr.data;
    size_t i = 0;
    while (i < row->n) {
        const dtp_csv_field *f = &row->f[i];
        const char *name = names;
        names += f->len + 1;
        if (f->len == 0)
            return header_error(u, row, f, "empty column name", err);
        if (i + 1 < row->n && is_suffixed(&row->f[i + 1], f->s, " Label")) {
            long *code = NULL, *label = NULL;
            if (strcmp(f->s, "Year") == 0)
                code = &u->year, label = NULL;
            else if (strcmp(f->s, "Economy") == 0)
                code = &u->economy, label = &u->economy_label;
            else if (strcmp(f->s, "Flow") == 0)
                code = &u->flow, label = &u->flow_label;
            else if (strcmp(f->s, "Category") == 0)
                code = &u->category;
            else
                return header_error(u, row, f, "unknown dimension", err);
            if (*code >= 0)
                return header_error(u, row, f, "repeated dimension", err);
            *code = (long)i;
            if (label)
                *label = (long)i + 1;
            names += row->f[i + 1].len + 1;
            i += 2;
        } else if (i + 2 < row->n && is_suffixed(&row->f[i + 1], f->s, " Footnote") &&
                   is_suffixed(&row->f[i + 2], f->s, " Missing value")) {
            if (u->nm == MAX_MEASURES)
                return header_error(u, row, f, "too many measures", err);
            u->m[u->nm].col = (long)i;
            u->m[u->nm].name = name;
            u->m[u->nm].main = strcmp(f->s, DTP_UNCTAD_MEASURE) == 0;
            for (int k = 0; k < 2; k++) {
                dtp_buf b;
                dtp_buf_init(&b, 4096);
                if (dtp_buf_printf(&b, "%s/0%d/%s", DTP_UNCTAD_DATASET, k + 1, f->s) != DTP_OK ||
                    !(u->m[u->nm].ind_flow[k] = dtp_buf_take(&b))) {
                    dtp_buf_free(&b);
                    u->nm++;
                    return dtp_csv_field_error(err, DTP_ERR_NOMEM, u->pc->file, f, "out of memory");
                }
            }
            u->nm++;
            names += row->f[i + 1].len + 1 + row->f[i + 2].len + 1;
            i += 3;
        } else if (strcmp(f->s, "Year") == 0 && u->year < 0) {
            u->year = (long)i;
            i += 1;
        } else {
            return header_error(u, row, f,
                                "column is neither a dimension pair nor a measure triple", err);
        }
    }
    if (u->year < 0 || u->economy < 0 || u->flow < 0)
        return header_error(u, row, &row->f[0], "a Year, Economy or Flow column is missing", err);
    int have_main = 0;
    for (size_t k = 0; k < u->nm; k++)
        have_main |= u->m[k].main;
    if (!have_main)
        return header_error(u, row, &row->f[0], "no \"" DTP_UNCTAD_MEASURE "\" measure", err);
    if (u->category >= 0 && !u->opts->total_category)
        return dtp_csv_field_error(err, DTP_ERR_UNSUPPORTED, u->pc->file, &row->f[u->category],
                                   "the file has a Category dimension: configure which category "
                                   "code is the total before it can give dt_exp/dt_imp");
    u->width = row->n;
    return DTP_OK;
}

static dtp_status emit_measure(unctad *u, const dtp_csv_row *row, const measure *m, const char *var,
                               int year, int aggregate, dtp_error *err)
{
    const char *file = u->pc->file;
    const dtp_csv_field *val = &row->f[m->col];
    const dtp_csv_field *foot = &row->f[m->col + 1];
    const dtp_csv_field *miss = &row->f[m->col + 2];
    const dtp_csv_field *flow = &row->f[u->flow];
    dtp_buf_reset(&u->flags);
    dtp_status st = DTP_OK;
    const char *indicator = m->ind_flow[flow->s[1] == '1' ? 0 : 1]; /* flow is 01 or 02 here */
    if (u->category >= 0) {
        dtp_buf_reset(&u->ind);
        st = dtp_buf_printf(&u->ind, "%s/%s", indicator, row->f[u->category].s);
        indicator = dtp_buf_str(&u->ind);
    }
    if (st == DTP_OK && foot->len)
        st = dtp_buf_append(&u->flags, foot->s, foot->len);
    if (st == DTP_OK && miss->len)
        st = dtp_buf_printf(&u->flags, "%s%s", foot->len ? "; " : "", miss->s);
    if (st != DTP_OK)
        return dtp_csv_field_error(err, st, file, val, "indicator or flags too long");
    char loc[DTP_ERR_LOCATOR_MAX];
    dtp_obs o = {
        .source = u->pc->source,
        .indicator = indicator,
        .variable = m->main ? var : NULL,
        .entity_raw = u->economy_label >= 0 ? row->f[u->economy_label].s : "",
        .entity_code = row->f[u->economy].s,
        .entity_system = "m49",
        .is_aggregate = aggregate,
        .year = year,
        .value_raw = val->s,
        .unit = m->main ? "US$ millions" : m->name,
        .scale = 0, /* the bulk file is already in millions */
        .flags = u->flags.len ? dtp_buf_str(&u->flags) : NULL,
        .edition = u->pc->edition,
        .locator = dtp_csv_locator(file, val, loc, sizeof loc),
    };
    if (val->len) {
        const char *why = NULL;
        if (dtp_fetch_parse_number(val->s, val->len, 0, &o.value, &why) != DTP_OK)
            return dtp_csv_field_error(err, DTP_ERR_PARSE, file, val, "%s \"%s\": %s", m->name,
                                       val->s, why);
        o.has_value = 1;
    }
    return dtp_parse_emit(u->pc, u->stats, &o, err);
}

static int all_digits(const dtp_csv_field *f)
{
    for (size_t i = 0; i < f->len; i++)
        if (f->s[i] < '0' || f->s[i] > '9')
            return 0;
    return f->len > 0;
}

static dtp_status on_row(void *ctx, const dtp_csv_row *row, dtp_error *err)
{
    unctad *u = ctx;
    const char *file = u->pc->file;
    if (row->index == 0)
        return header(u, row, err);
    u->stats->rows++;
    if (row->n != u->width)
        return dtp_csv_field_error(err, DTP_ERR_PARSE, file, &row->f[0],
                                   "row has %zu fields, header has %zu", row->n, u->width);
    const dtp_csv_field *yf = &row->f[u->year], *ef = &row->f[u->economy], *ff = &row->f[u->flow];
    int year;
    if (dtp_fetch_parse_year(yf->s, yf->len, &year) != DTP_OK)
        return dtp_csv_field_error(err, DTP_ERR_PARSE, file, yf, "Year \"%s\" is not a year",
                                   yf->s);
    if (!all_digits(ef) || (ef->len != 3 && ef->len != 4))
        return dtp_csv_field_error(err, DTP_ERR_PARSE, file, ef,
                                   "Economy \"%s\" is not a 3-digit (economy) or 4-digit (group) "
                                   "M49 code",
                                   ef->s);
    const char *var;
    if (strcmp(ff->s, "01") == 0)
        var = "dt_imp";
    else if (strcmp(ff->s, "02") == 0)
        var = "dt_exp";
    else
        return dtp_csv_field_error(err, DTP_ERR_PARSE, file, ff,
                                   "Flow \"%s\" is neither 01 (imports) nor 02 (exports)", ff->s);
    if (u->category >= 0 && strcmp(row->f[u->category].s, u->opts->total_category) != 0)
        var = NULL;
    for (size_t k = 0; k < u->nm; k++) {
        if (!u->m[k].main && !u->opts->all_measures) {
            continue;
        }
        dtp_status st = emit_measure(u, row, &u->m[k], var, year, ef->len == 4, err);
        if (st != DTP_OK)
            return st;
    }
    return DTP_OK;
}

dtp_status dtp_unctad_parse_csv(const dtp_parse_ctx *pc, dtp_reader *r, const dtp_unctad_opts *opts,
                                dtp_parse_stats *stats, dtp_error *err)
{
    dtp_unctad_opts defaults = {0};
    dtp_parse_stats local = {0};
    unctad u = {.pc = pc, .opts = opts ? opts : &defaults, .stats = stats ? stats : &local};
    dtp_buf_init(&u.hdr, 64 * 1024);
    dtp_buf_init(&u.ind, 4096);
    dtp_buf_init(&u.flags, 8192);
    dtp_csv_opts o = {.file = pc->file, .max_field = 64 * 1024, .max_cols = 256};
    dtp_status st = dtp_csv_read(&o, r, on_row, &u, err);
    if (st == DTP_OK && u.width == 0) {
        dtp_error_locatef(err, "%s", pc->file ? pc->file : "");
        st = dtp_error_set(err, DTP_ERR_PARSE, STAGE, "empty file: expected the header %s",
                           EXPECTED);
    }
    for (size_t k = 0; k < u.nm; k++) {
        free(u.m[k].ind_flow[0]);
        free(u.m[k].ind_flow[1]);
    }
    dtp_buf_free(&u.hdr);
    dtp_buf_free(&u.ind);
    dtp_buf_free(&u.flags);
    return st == DTP_OK ? DTP_OK : dtp_parse_fail(pc, st, err);
}

dtp_status dtp_unctad_parse_7z(const dtp_parse_ctx *pc, dtp_reader *r, const dtp_unctad_opts *opts,
                               dtp_parse_stats *stats, dtp_error *err)
{
    dtp_unctad_opts defaults = {0};
    if (!opts)
        opts = &defaults;
    const char *want = opts->entry_name ? opts->entry_name : DTP_UNCTAD_ENTRY;
    dtp_unpack_limits lim = {.max_entries = 16,
                             .max_entry_bytes =
                                 opts->max_entry_bytes ? opts->max_entry_bytes : 512u << 20};
    dtp_unpack *u = NULL;
    dtp_status st = dtp_unpack_open(&u, r, DTP_UNPACK_7ZIP, &lim, pc->file, err);
    if (st != DTP_OK)
        goto out;
    const char *name = NULL;
    st = dtp_unpack_next(u, &name, err);
    if (st != DTP_OK)
        goto out;
    if (!name) {
        dtp_error_locatef(err, "%s", pc->file ? pc->file : "");
        st = dtp_error_set(err, DTP_ERR_PARSE, STAGE, "7z archive is empty: expected %s", want);
        goto out;
    }
    if (strcmp(name, want) != 0) {
        dtp_error_locatef(err, "%s!%s", pc->file ? pc->file : "", name);
        st = dtp_error_set(err, DTP_ERR_PARSE, STAGE, "unexpected entry \"%s\": expected %s", name,
                           want);
        goto out;
    }
    dtp_reader er = dtp_unpack_entry_reader(u);
    dtp_parse_ctx inner = *pc;
    inner.file = want;
    st = dtp_unctad_parse_csv(&inner, &er, opts, stats, err);
    if (st != DTP_OK) {
        if (dtp_unpack_status(u, NULL) != DTP_OK) {
            dtp_error_clear(err);
            st = dtp_unpack_status(u, err);
        }
        goto out;
    }
    /* exactly one entry: a second member means the layout changed */
    st = dtp_unpack_next(u, &name, err);
    if (st == DTP_OK && name) {
        dtp_error_locatef(err, "%s!%s", pc->file ? pc->file : "", name);
        st = dtp_error_set(err, DTP_ERR_PARSE, STAGE,
                           "unexpected second entry \"%s\": expected only %s", name, want);
    }
out:
    dtp_unpack_free(u);
    return st == DTP_OK ? DTP_OK : dtp_parse_fail(pc, st, err);
}
