#include "fetch/declared_csv.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fetch/csvread.h"
#include "fetch/number.h"

#define STAGE "fetch"

typedef struct decl {
    const dtp_parse_ctx *pc;
    const dtp_declared_csv_cfg *cfg;
    dtp_parse_stats *stats;
    size_t header_index; /* 0-based row index of the header */
    long entity, code, year, value;
    size_t width;
} decl;

dtp_status dtp_declared_csv_check(const dtp_declared_csv_cfg *c, dtp_error *err)
{
    if (!c->entity_col || !c->entity_col[0] || !c->year_col || !c->year_col[0] || !c->value_col ||
        !c->value_col[0])
        return dtp_error_set(err, DTP_ERR_CONFIG, "config",
                             "declared csv needs entity, year and value column names");
    if (!c->code_system ||
        (strcmp(c->code_system, "iso3") != 0 && strcmp(c->code_system, "m49") != 0 &&
         strcmp(c->code_system, "name") != 0))
        return dtp_error_set(err, DTP_ERR_CONFIG, "config",
                             "declared csv code system must be iso3, m49 or name");
    if (c->delim && c->delim != ',' && c->delim != ';' && c->delim != '\t')
        return dtp_error_set(err, DTP_ERR_CONFIG, "config",
                             "declared csv delimiter must be ',', ';' or tab");
    if (c->header_row < 0 || c->header_row > 100)
        return dtp_error_set(err, DTP_ERR_CONFIG, "config",
                             "declared csv header row must be 1..100");
    if (c->scale < -12 || c->scale > 12)
        return dtp_error_set(err, DTP_ERR_CONFIG, "config", "declared csv scale out of range");
    if ((unsigned)c->empty_code > DTP_DECL_EMPTY_CODE_ERROR)
        return dtp_error_set(err, DTP_ERR_CONFIG, "config", "bad empty-code rule");
    return DTP_OK;
}

static dtp_status header(decl *d, const dtp_csv_row *row, dtp_error *err)
{
    const dtp_declared_csv_cfg *c = d->cfg;
    d->entity = dtp_csv_find(row, c->entity_col);
    d->code = c->code_col ? dtp_csv_find(row, c->code_col) : -1;
    d->year = dtp_csv_find(row, c->year_col);
    d->value = dtp_csv_find(row, c->value_col);
    if (d->entity >= 0 && d->year >= 0 && d->value >= 0 && (!c->code_col || d->code >= 0)) {
        d->width = row->n;
        return DTP_OK;
    }
    char found[600];
    size_t n = 0;
    for (size_t i = 0; i < row->n && n < sizeof found - 1; i++) {
        int w = snprintf(found + n, sizeof found - n, "%s%s", i ? ", " : "", row->f[i].s);
        n += w > 0 ? (size_t)w : 0;
    }
    return dtp_csv_field_error(err, DTP_ERR_PARSE, d->pc->file, &row->f[0],
                               "declared columns not in the header: expected %s, %s%s%s, %s; "
                               "found %s",
                               c->entity_col, c->code_col ? c->code_col : "",
                               c->code_col ? ", " : "", c->year_col, c->value_col, found);
}

static dtp_status on_row(void *ctx, const dtp_csv_row *row, dtp_error *err)
{
    decl *d = ctx;
    const dtp_declared_csv_cfg *c = d->cfg;
    const char *file = d->pc->file;
    if (row->index < d->header_index)
        return DTP_OK; /* title lines above the declared header */
    if (row->index == d->header_index)
        return header(d, row, err);
    d->stats->rows++;
    if (row->n != d->width)
        return dtp_csv_field_error(err, DTP_ERR_PARSE, file, &row->f[0],
                                   "row has %zu fields, header has %zu", row->n, d->width);
    const dtp_csv_field *ent = &row->f[d->entity], *yr = &row->f[d->year], *val = &row->f[d->value];
    const dtp_csv_field *code = d->code >= 0 ? &row->f[d->code] : NULL;
    int aggregate = 0;
    if (code && code->len == 0) {
        if (c->empty_code == DTP_DECL_EMPTY_CODE_SKIP) {
            d->stats->skipped++;
            return DTP_OK;
        }
        if (c->empty_code == DTP_DECL_EMPTY_CODE_ERROR)
            return dtp_csv_field_error(err, DTP_ERR_PARSE, file, code, "empty %s for \"%s\"",
                                       c->code_col, ent->s);
        aggregate = 1;
    }
    if (code && c->aggregate_prefix && c->aggregate_prefix[0] &&
        strncmp(code->s, c->aggregate_prefix, strlen(c->aggregate_prefix)) == 0)
        aggregate = 1;
    if (val->len == 0 && !c->emit_missing) {
        d->stats->skipped++;
        return DTP_OK;
    }
    int year;
    if (dtp_fetch_parse_year(yr->s, yr->len, &year) != DTP_OK)
        return dtp_csv_field_error(err, DTP_ERR_PARSE, file, yr, "%s \"%s\" is not a year",
                                   c->year_col, yr->s);
    char loc[DTP_ERR_LOCATOR_MAX];
    int has_code = code && code->len;
    dtp_obs o = {
        .source = d->pc->source,
        .indicator = c->indicator ? c->indicator : c->value_col,
        .variable = c->variable,
        .entity_raw = ent->s,
        .entity_code = has_code ? code->s : NULL,
        .entity_system = has_code ? c->code_system : "name",
        .is_aggregate = aggregate,
        .year = year,
        .value_raw = val->s,
        .unit = c->unit,
        .scale = c->scale,
        .edition = d->pc->edition,
        .locator = dtp_csv_locator(file, val, loc, sizeof loc),
    };
    if (val->len) {
        const char *why = NULL;
        double v;
        if (dtp_fetch_parse_number(val->s, val->len, c->allow_thousands ? DTP_NUM_THOUSANDS : 0, &v,
                                   &why) != DTP_OK)
            return dtp_csv_field_error(err, DTP_ERR_PARSE, file, val, "%s \"%s\": %s", c->value_col,
                                       val->s, why);
        o.has_value = 1;
        o.value = c->scale ? v * pow(10.0, c->scale) : v;
    }
    return dtp_parse_emit(d->pc, d->stats, &o, err);
}

dtp_status dtp_declared_csv_parse(const dtp_parse_ctx *pc, const dtp_declared_csv_cfg *cfg,
                                  dtp_reader *r, dtp_parse_stats *stats, dtp_error *err)
{
    dtp_status st = dtp_declared_csv_check(cfg, err);
    if (st != DTP_OK)
        return dtp_parse_fail(pc, st, err);
    dtp_parse_stats local = {0};
    decl d = {.pc = pc,
              .cfg = cfg,
              .stats = stats ? stats : &local,
              .header_index = cfg->header_row > 0 ? (size_t)cfg->header_row - 1 : 0};
    dtp_csv_opts o = {.file = pc->file, .delim = cfg->delim};
    st = dtp_csv_read(&o, r, on_row, &d, err);
    if (st == DTP_OK && d.width == 0) {
        dtp_error_locatef(err, "%s", pc->file ? pc->file : "");
        st = dtp_error_set(err, DTP_ERR_PARSE, STAGE, "no header row %zu in the file",
                           d.header_index + 1);
    }
    return st == DTP_OK ? DTP_OK : dtp_parse_fail(pc, st, err);
}
