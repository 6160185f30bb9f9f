/* The table of source kinds this build reads, and the glue from each to its parser. */
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "fetch/adapter.h"
#include "fetch/data360.h"
#include "fetch/declared_csv.h"
#include "fetch/isosurvey.h"
#include "fetch/unctad.h"
#include "fetch/worldbank.h"

#define WB_PAGE_MAX ((size_t)64 << 20)

/* Read the rest of r into b (capped by b->max). */
static dtp_status slurp(const dtp_parse_ctx *pc, dtp_reader *r, dtp_buf *b, dtp_error *err)
{
    char chunk[65536];
    for (;;) {
        ssize_t n = r->read(r->ctx, chunk, sizeof chunk);
        if (n < 0) {
            dtp_error_where(err, pc->source, pc->artifact, pc->file);
            return dtp_error_set(err, DTP_ERR_IO, "fetch", "read failed");
        }
        if (n == 0)
            return DTP_OK;
        if (dtp_buf_append(b, chunk, (size_t)n) != DTP_OK) {
            dtp_error_where(err, pc->source, pc->artifact, pc->file);
            return dtp_error_set(err, DTP_ERR_LIMIT, "fetch", "artifact larger than %zu bytes",
                                 b->max);
        }
    }
}

/* The first bytes of r, then rewind: formats are detected, not assumed. */
static int peek(dtp_reader *r, unsigned char *p, size_t n)
{
    if (!r->seek)
        return -1;
    ssize_t k = r->read(r->ctx, p, n);
    if (r->seek(r->ctx, 0, SEEK_SET) != 0)
        return -1;
    return (int)k;
}

static int is_zip(const unsigned char *p, int n)
{
    return n >= 4 && p[0] == 'P' && p[1] == 'K' && p[2] == 3 && p[3] == 4;
}

static int is_7z(const unsigned char *p, int n)
{
    static const unsigned char magic[6] = {'7', 'z', 0xBC, 0xAF, 0x27, 0x1C};
    return n >= 6 && memcmp(p, magic, 6) == 0;
}

static dtp_status parse_data360(const dtp_parse_ctx *pc, const dtp_adapter_src *src, dtp_reader *r,
                                dtp_parse_stats *stats, dtp_error *err)
{
    return dtp_data360_parse(pc, r, stats, err);
}

static dtp_status parse_unctad(const dtp_parse_ctx *pc, const dtp_adapter_src *src, dtp_reader *r,
                               dtp_parse_stats *stats, dtp_error *err)
{
    unsigned char head[8];
    int n = peek(r, head, sizeof head);
    dtp_unctad_opts opts = {0};
    if (is_7z(head, n))
        return dtp_unctad_parse_7z(pc, r, &opts, stats, err);
    /* a mirror may serve the extracted CSV itself */
    return dtp_unctad_parse_csv(pc, r, &opts, stats, err);
}

typedef struct entity_fwd {
    const dtp_adapter_src *src;
} entity_fwd;

static dtp_status forward_entity(void *ctx, const dtp_wb_entity *e, dtp_error *err)
{
    const dtp_adapter_src *src = ((entity_fwd *)ctx)->src;
    if (!src->on_entity)
        return DTP_OK;
    return src->on_entity(src->entity_ctx, e->id, e->iso2, e->name, e->region, e->income,
                          e->aggregate, err);
}

static dtp_status parse_wb_bulk(const dtp_parse_ctx *pc, const dtp_adapter_src *src, dtp_reader *r,
                                dtp_parse_stats *stats, dtp_error *err)
{
    unsigned char head[8];
    int n = peek(r, head, sizeof head);
    entity_fwd fwd = {src};
    dtp_wb_bulk_result res;
    memset(&res, 0, sizeof res);
    if (is_zip(head, n))
        return dtp_wb_bulk_parse_zip(pc, r, forward_entity, &fwd, &res, stats, err);
    if (strcmp(src->role, "countries") == 0) {
        size_t count = 0;
        return dtp_wb_bulk_parse_country_csv(pc, r, forward_entity, &fwd, &count, err);
    }
    return dtp_wb_bulk_parse_csv(pc, r, &res, stats, err);
}

static dtp_status parse_wb_api(const dtp_parse_ctx *pc, const dtp_adapter_src *src, dtp_reader *r,
                               dtp_parse_stats *stats, dtp_error *err)
{
    dtp_buf b;
    dtp_buf_init(&b, WB_PAGE_MAX);
    dtp_status st = slurp(pc, r, &b, err);
    dtp_wb_meta meta;
    dtp_wb_opts opts = {0};
    entity_fwd fwd = {src};
    if (st == DTP_OK) {
        if (strcmp(src->role, "countries") == 0 || strncmp(src->role, "countries/", 10) == 0)
            st = dtp_wb_parse_countries(pc, b.data ? b.data : "", b.len, &opts, &meta,
                                        forward_entity, &fwd, err);
        else
            st = dtp_wb_parse_page(pc, b.data ? b.data : "", b.len, &opts, &meta, stats, err);
    }
    dtp_buf_free(&b);
    return st;
}

static dtp_status parse_declared(const dtp_parse_ctx *pc, const dtp_adapter_src *src, dtp_reader *r,
                                 dtp_parse_stats *stats, dtp_error *err)
{
    const dtp_config *c = src->cfg;
    const char *sec = src->section;
    const char *delim = dtp_config_get(c, sec, "delimiter");
    const char *code = dtp_config_get(c, sec, "code_column");
    const char *prefix = dtp_config_get(c, sec, "aggregate_prefix");
    dtp_declared_csv_cfg cfg = {
        .delim = strcmp(delim, "\\t") == 0 || strcmp(delim, "tab") == 0 ? '\t' : delim[0],
        .entity_col = dtp_config_get(c, sec, "entity_column"),
        .code_col = code && *code ? code : NULL,
        .code_system = dtp_config_get(c, sec, "code_system"),
        .year_col = dtp_config_get(c, sec, "year_column"),
        .value_col = dtp_config_get(c, sec, "value_column"),
        .variable = dtp_config_get(c, sec, "variable"),
        .unit = dtp_config_get(c, sec, "unit"),
        .empty_code = DTP_DECL_EMPTY_CODE_AGGREGATE,
        .aggregate_prefix = prefix && *prefix ? prefix : NULL,
        .emit_missing = 1,
    };
    dtp_status st = dtp_declared_csv_check(&cfg, err);
    if (st != DTP_OK) {
        dtp_error_where(err, pc->source, NULL, sec);
        return st;
    }
    return dtp_declared_csv_parse(pc, &cfg, r, stats, err);
}

/* The ISO Survey reader pushes observations named for "isosurvey"; they are re-stamped with the
 * configured source name and counted like every other parser's. */
typedef struct iso_fwd {
    const dtp_parse_ctx *pc;
    dtp_parse_stats *stats;
} iso_fwd;

static dtp_status iso_obs(void *ctx, const dtp_obs *o, dtp_error *err)
{
    iso_fwd *f = ctx;
    dtp_obs copy = *o;
    copy.source = f->pc->source;
    return dtp_parse_emit(f->pc, f->stats, &copy, err);
}

static dtp_status parse_isosurvey(const dtp_parse_ctx *pc, const dtp_adapter_src *src,
                                  dtp_reader *r, dtp_parse_stats *stats, dtp_error *err)
{
    dtp_buf b;
    dtp_buf_init(&b, (size_t)256 << 20);
    dtp_status st = slurp(pc, r, &b, err);
    iso_fwd f = {pc, stats};
    if (st == DTP_OK)
        st = dtp_isosurvey_parse(b.data ? b.data : "", b.len, pc->file, src->year, NULL, iso_obs,
                                 &f, err);
    if (st != DTP_OK)
        dtp_parse_fail(pc, st, err);
    dtp_buf_free(&b);
    return st;
}

static const dtp_adapter adapters[] = {
    {"unctad", "unctad/1", "application/x-7z-compressed,application/octet-stream,text/csv", 0, 0, 0,
     0, parse_unctad},
    {"unctad_data360", "data360/1", "text/csv,application/csv,text/plain,application/octet-stream",
     0, 0, 0, 0, parse_data360},
    {"worldbank", "wbapi/1", "application/json,text/json", 0, 0, 1, 1, parse_wb_api},
    {"worldbank_bulk", "wbbulk/1",
     "application/zip,application/x-zip-compressed,application/octet-stream,text/csv", 0, 0, 0, 1,
     parse_wb_bulk},
    {"declared_csv", "declared/1", "text/csv,application/csv,text/plain,application/octet-stream",
     0, 0, 0, 0, parse_declared},
    {"isosurvey", "isosurvey/1",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/"
     "octet-stream,application/zip",
     1, 0, 0, 0, parse_isosurvey},
    /* captures are stored here and read by the ocr stage */
    {"cnca", "inbox/1", NULL, 0, 1, 0, 0, NULL},
};

const dtp_adapter *dtp_adapter_find(const char *kind)
{
    for (size_t i = 0; i < sizeof adapters / sizeof *adapters; i++)
        if (strcmp(adapters[i].kind, kind) == 0)
            return &adapters[i];
    return NULL;
}

const char *dtp_fetch_kinds(void)
{
    static char kinds[256];
    if (!kinds[0]) {
        size_t n = 0;
        for (size_t i = 0; i < sizeof adapters / sizeof *adapters; i++) {
            int w = snprintf(kinds + n, sizeof kinds - n, "%s%s", i ? "|" : "", adapters[i].kind);
            if (w > 0)
                n += (size_t)w;
        }
    }
    return kinds;
}
