/* World Bank bulk CSV download: API_<ID>_DS2_en_csv_v2_<n>.csv (BOM, a preamble of key/value
 * lines, then "Country Name","Country Code","Indicator Name","Indicator Code","1960",..., every
 * line ending in a comma) and Metadata_Country_<...>.csv, alone or inside the zip. */
#include <string.h>

#include "fetch/csvread.h"
#include "fetch/number.h"
#include "fetch/unpack.h"
#include "fetch/worldbank.h"

#define STAGE "fetch"
#define MAX_YEARS 400
#define MAX_PREAMBLE 16

typedef struct bulk {
    const dtp_parse_ctx *pc;
    dtp_parse_stats *stats;
    dtp_wb_bulk_result *res;
    int have_header;
    size_t width;  /* fields per row, trailing empty one included */
    size_t nyears; /* year columns from index 4 */
    int years[MAX_YEARS];
    size_t preamble; /* rows before the header */
} bulk;

static int field_is(const dtp_csv_field *f, const char *s)
{
    return strcmp(f->s, s) == 0;
}

static dtp_status data_header(bulk *b, const dtp_csv_row *row, dtp_error *err)
{
    const char *file = b->pc->file;
    size_t n = row->n;
    if (n > 4 && row->f[n - 1].len == 0)
        n--; /* the trailing comma every line has */
    if (n - 4 > MAX_YEARS)
        return dtp_csv_field_error(err, DTP_ERR_LIMIT, file, &row->f[0], "more than %d years",
                                   MAX_YEARS);
    for (size_t i = 4; i < n; i++)
        if (dtp_fetch_parse_year(row->f[i].s, row->f[i].len, &b->years[i - 4]) != DTP_OK)
            return dtp_csv_field_error(err, DTP_ERR_PARSE, file, &row->f[i],
                                       "header column \"%s\" is not a year", row->f[i].s);
    b->nyears = n - 4;
    b->width = row->n;
    b->have_header = 1;
    return DTP_OK;
}

static dtp_status data_row(void *ctx, const dtp_csv_row *row, dtp_error *err)
{
    bulk *b = ctx;
    const char *file = b->pc->file;
    if (!b->have_header) {
        if (row->n >= 4 && field_is(&row->f[0], "Country Name") &&
            field_is(&row->f[1], "Country Code") && field_is(&row->f[2], "Indicator Name") &&
            field_is(&row->f[3], "Indicator Code"))
            return data_header(b, row, err);
        if (++b->preamble > MAX_PREAMBLE || row->n > 3)
            return dtp_csv_field_error(
                err, DTP_ERR_PARSE, file, &row->f[0],
                "not a world bank bulk csv: expected a preamble of \"key\",\"value\", lines and "
                "then the header \"Country Name\",\"Country Code\",\"Indicator Name\","
                "\"Indicator Code\",\"1960\",...; found a row starting \"%.60s\"",
                row->f[0].s);
        if (row->n >= 2 && field_is(&row->f[0], "Last Updated Date")) {
            if (row->f[1].len == 0 || row->f[1].len >= sizeof b->res->last_updated)
                return dtp_csv_field_error(err, DTP_ERR_PARSE, file, &row->f[1],
                                           "bad Last Updated Date");
            memcpy(b->res->last_updated, row->f[1].s, row->f[1].len + 1);
        }
        return DTP_OK;
    }
    b->stats->rows++;
    if (row->n != b->width)
        return dtp_csv_field_error(err, DTP_ERR_PARSE, file, &row->f[0],
                                   "row has %zu fields, header has %zu", row->n, b->width);
    const dtp_csv_field *name = &row->f[0], *code = &row->f[1], *ind = &row->f[3];
    if (code->len == 0 || ind->len == 0)
        return dtp_csv_field_error(err, DTP_ERR_PARSE, file, code->len ? ind : code,
                                   "empty Country Code or Indicator Code");
    if (!b->res->indicator[0]) {
        if (ind->len >= sizeof b->res->indicator)
            return dtp_csv_field_error(err, DTP_ERR_PARSE, file, ind, "indicator code too long");
        memcpy(b->res->indicator, ind->s, ind->len + 1);
    } else if (strcmp(b->res->indicator, ind->s) != 0) {
        return dtp_csv_field_error(err, DTP_ERR_PARSE, file, ind,
                                   "second indicator \"%s\" in a file of %s", ind->s,
                                   b->res->indicator);
    }
    if (b->width > 4 + b->nyears && row->f[b->width - 1].len != 0)
        return dtp_csv_field_error(err, DTP_ERR_PARSE, file, &row->f[b->width - 1],
                                   "value in the column after the last year");
    const char *var = dtp_wb_variable(ind->s);
    const char *edition = b->res->last_updated[0] ? b->res->last_updated : b->pc->edition;
    for (size_t k = 0; k < b->nyears; k++) {
        const dtp_csv_field *cell = &row->f[4 + k];
        if (cell->len == 0) {
            b->stats->skipped++;
            continue;
        }
        double v;
        const char *why = NULL;
        if (dtp_fetch_parse_number(cell->s, cell->len, 0, &v, &why) != DTP_OK)
            return dtp_csv_field_error(err, DTP_ERR_PARSE, file, cell, "%s %d \"%s\": %s", code->s,
                                       b->years[k], cell->s, why);
        char loc[DTP_ERR_LOCATOR_MAX];
        dtp_obs o = {
            .source = b->pc->source,
            .indicator = ind->s,
            .variable = var,
            .entity_raw = name->s,
            .entity_code = code->s,
            .entity_system = "iso3",
            .year = b->years[k],
            .value_raw = cell->s,
            .has_value = 1,
            .value = v,
            .unit = "",
            .edition = edition,
            .locator = dtp_csv_locator(file, cell, loc, sizeof loc),
        };
        dtp_status st = dtp_parse_emit(b->pc, b->stats, &o, err);
        if (st != DTP_OK)
            return st;
    }
    return DTP_OK;
}

dtp_status dtp_wb_bulk_parse_csv(const dtp_parse_ctx *pc, dtp_reader *r, dtp_wb_bulk_result *res,
                                 dtp_parse_stats *stats, dtp_error *err)
{
    dtp_parse_stats ls = {0};
    dtp_wb_bulk_result lr;
    if (!res)
        res = &lr;
    memset(res, 0, sizeof *res);
    bulk b = {.pc = pc, .stats = stats ? stats : &ls, .res = res};
    dtp_csv_opts o = {.file = pc->file, .max_cols = MAX_YEARS + 8};
    dtp_status st = dtp_csv_read(&o, r, data_row, &b, err);
    if (st == DTP_OK && !b.have_header) {
        dtp_error_locatef(err, "%s", pc->file ? pc->file : "");
        st = dtp_error_set(err, DTP_ERR_PARSE, STAGE,
                           "no \"Country Name\",\"Country Code\",... header found");
    }
    if (st == DTP_OK)
        res->data_files = 1;
    return st == DTP_OK ? DTP_OK : dtp_parse_fail(pc, st, err);
}

typedef struct meta {
    const dtp_parse_ctx *pc;
    dtp_wb_entity_fn fn;
    void *ctx;
    long code, region, income, name;
    size_t width, count;
} meta;

static dtp_status meta_row(void *ctx, const dtp_csv_row *row, dtp_error *err)
{
    meta *m = ctx;
    const char *file = m->pc->file;
    if (row->index == 0) {
        m->code = dtp_csv_find(row, "Country Code");
        m->region = dtp_csv_find(row, "Region");
        m->income = dtp_csv_find(row, "IncomeGroup");
        m->name = dtp_csv_find(row, "TableName");
        if (m->code < 0 || m->region < 0 || m->income < 0 || m->name < 0)
            return dtp_csv_field_error(err, DTP_ERR_PARSE, file, &row->f[0],
                                       "not a Metadata_Country header: expected \"Country "
                                       "Code\",\"Region\",\"IncomeGroup\",...,\"TableName\"");
        m->width = row->n;
        return DTP_OK;
    }
    if (row->n != m->width)
        return dtp_csv_field_error(err, DTP_ERR_PARSE, file, &row->f[0],
                                   "row has %zu fields, header has %zu", row->n, m->width);
    const dtp_csv_field *code = &row->f[m->code];
    if (code->len == 0)
        return dtp_csv_field_error(err, DTP_ERR_PARSE, file, code, "empty Country Code");
    char loc[DTP_ERR_LOCATOR_MAX];
    dtp_wb_entity e = {
        .id = code->s,
        .iso2 = "",
        .name = row->f[m->name].s,
        .region_id = "",
        .region = row->f[m->region].s,
        .income_id = "",
        .income = row->f[m->income].s,
        .aggregate = row->f[m->region].len == 0,
        .locator = dtp_csv_locator(file, code, loc, sizeof loc),
    };
    m->count++;
    dtp_status st = m->fn ? m->fn(m->ctx, &e, err) : DTP_OK;
    if (st != DTP_OK && err && err->status == DTP_OK)
        dtp_error_set(err, st, STAGE, "entity callback failed");
    return st;
}

dtp_status dtp_wb_bulk_parse_country_csv(const dtp_parse_ctx *pc, dtp_reader *r,
                                         dtp_wb_entity_fn fn, void *ctx, size_t *count,
                                         dtp_error *err)
{
    meta m = {.pc = pc, .fn = fn, .ctx = ctx};
    dtp_csv_opts o = {.file = pc->file};
    dtp_status st = dtp_csv_read(&o, r, meta_row, &m, err);
    if (st == DTP_OK && m.width == 0) {
        dtp_error_locatef(err, "%s", pc->file ? pc->file : "");
        st = dtp_error_set(err, DTP_ERR_PARSE, STAGE, "empty Metadata_Country file");
    }
    if (count)
        *count = m.count;
    return st == DTP_OK ? DTP_OK : dtp_parse_fail(pc, st, err);
}

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int ends(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

dtp_status dtp_wb_bulk_parse_zip(const dtp_parse_ctx *pc, dtp_reader *r, dtp_wb_entity_fn entity_fn,
                                 void *entity_ctx, dtp_wb_bulk_result *res, dtp_parse_stats *stats,
                                 dtp_error *err)
{
    dtp_wb_bulk_result lr;
    if (!res)
        res = &lr;
    memset(res, 0, sizeof *res);
    dtp_unpack_limits lim = {.max_entries = 8, .max_entry_bytes = (uint64_t)256 << 20};
    dtp_unpack *u = NULL;
    dtp_status st = dtp_unpack_open(&u, r, DTP_UNPACK_ZIP, &lim, pc->file, err);
    const char *name = NULL;
    while (st == DTP_OK && (st = dtp_unpack_next(u, &name, err)) == DTP_OK && name) {
        const char *base = strrchr(name, '/');
        base = base ? base + 1 : name;
        dtp_reader er = dtp_unpack_entry_reader(u);
        dtp_parse_ctx inner = *pc;
        inner.file = name;
        if (starts(base, "API_") && ends(base, ".csv")) {
            if (res->data_files) {
                dtp_error_locatef(err, "%s!%s", pc->file ? pc->file : "", name);
                st = dtp_error_set(err, DTP_ERR_PARSE, STAGE, "second data file in the zip");
                break;
            }
            dtp_wb_bulk_result one;
            st = dtp_wb_bulk_parse_csv(&inner, &er, &one, stats, err);
            if (st == DTP_OK) {
                memcpy(res->last_updated, one.last_updated, sizeof res->last_updated);
                memcpy(res->indicator, one.indicator, sizeof res->indicator);
                res->data_files = 1;
            }
        } else if (starts(base, "Metadata_Country_") && ends(base, ".csv")) {
            st = dtp_wb_bulk_parse_country_csv(&inner, &er, entity_fn, entity_ctx, NULL, err);
            res->metadata_files++;
        } else if (starts(base, "Metadata_Indicator_") && ends(base, ".csv")) {
            res->metadata_files++; /* its text is documentation, not data */
        } else {
            dtp_error_locatef(err, "%s!%s", pc->file ? pc->file : "", name);
            st = dtp_error_set(err, DTP_ERR_PARSE, STAGE,
                               "unexpected entry \"%s\": expected API_<ID>_DS2_*.csv and "
                               "Metadata_*.csv",
                               name);
        }
        if (st != DTP_OK && dtp_unpack_status(u, NULL) != DTP_OK) {
            dtp_error_clear(err);
            st = dtp_unpack_status(u, err);
        }
    }
    if (st == DTP_OK && !res->data_files) {
        dtp_error_locatef(err, "%s", pc->file ? pc->file : "");
        st = dtp_error_set(err, DTP_ERR_PARSE, STAGE, "zip holds no API_<ID>_DS2_*.csv data file");
    }
    dtp_unpack_free(u);
    return st == DTP_OK ? DTP_OK : dtp_parse_fail(pc, st, err);
}
