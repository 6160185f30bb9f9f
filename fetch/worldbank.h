/* World Bank Indicators API v2 (JSON, one page per call) and the bulk CSV download (zip or bare
 * CSV). SOURCES.md §2: every error shape is an error, an empty answer is explicit, and a page
 * sequence that does not add up to `total` is an error. */
#ifndef DTP_FETCH_WORLDBANK_H
#define DTP_FETCH_WORLDBANK_H

#include <stddef.h>

#include "fetch/parse.h"
#include "fetch/reader.h"

/* Panel variable for a World Bank indicator code (PV.EST, GOV_WGI_PV_EST, GOV_WGI_PV.EST -> pv;
 * BX.KLT.DINV.WD.GD.ZS -> fdi), or NULL. */
const char *dtp_wb_variable(const char *indicator);

typedef struct dtp_wb_meta {
    long page, pages, per_page, total; /* -1 when absent */
    char sourceid[32];
    char lastupdated[32];
    size_t rows;      /* records in this page */
    int empty;        /* the answer was [meta, []] or [meta, null] */
    int api_error_id; /* id of the first message when the answer was an error document, else 0 */
    char api_error_key[96];
} dtp_wb_meta;

typedef struct dtp_wb_opts {
    size_t max_bytes; /* 0 = 64 MiB */
    int max_depth;    /* nesting of arrays/objects; 0 = 32 */
} dtp_wb_opts;

/* True when the API error id means "this code is invalid or archived" (120, 175): the caller
 * should try the next indicator code of its fallback list. */
int dtp_wb_error_try_next(int api_error_id);

/* Parse one indicator page (buf[0..len)) into observations with locators "$[1][17].value".
 * Returns DTP_OK (meta->empty set for an explicit empty answer); DTP_ERR_NOT_FOUND for API
 * error 120/175 and DTP_ERR_UPSTREAM for other error documents and HTML error pages (meta->
 * api_error_id says which); DTP_ERR_PARSE for anything that is not the documented shape;
 * DTP_ERR_LIMIT over the size or depth cap. Entities are countryiso3code (system "iso3") or,
 * when that is "", country.id (system "wb"); aggregates are told apart by the country list. */
dtp_status dtp_wb_parse_page(const dtp_parse_ctx *pc, const void *buf, size_t len,
                             const dtp_wb_opts *opts, dtp_wb_meta *meta, dtp_parse_stats *stats,
                             dtp_error *err);

/* One economy of the country list (/v2/country) or of the bulk Metadata_Country file. Strings
 * are as written (the region "Latin America & Caribbean " keeps its trailing space) and borrowed
 * for the callback; absent ones are "". */
typedef struct dtp_wb_entity {
    const char *id;   /* ISO3-like code (ABW, EUU) */
    const char *iso2; /* iso2Code ("" in the bulk file) */
    const char *name;
    const char *region_id; /* "NA" for aggregates in the API; "" in the bulk file */
    const char *region;
    const char *income_id;
    const char *income;
    int aggregate; /* API: region.id == "NA"; bulk: Region blank */
    const char *locator;
} dtp_wb_entity;

typedef dtp_status (*dtp_wb_entity_fn)(void *ctx, const dtp_wb_entity *e, dtp_error *err);

/* Parse one page of the country list; same error rules as dtp_wb_parse_page. */
dtp_status dtp_wb_parse_countries(const dtp_parse_ctx *pc, const void *buf, size_t len,
                                  const dtp_wb_opts *opts, dtp_wb_meta *meta, dtp_wb_entity_fn fn,
                                  void *ctx, dtp_error *err);

/* Checks a sequence of pages against their metas: pages in order, total/pages/per_page steady,
 * no short page before the last, and the rows adding up to total. */
typedef struct dtp_wb_pager {
    int started, done;
    long total, pages, per_page, next_page;
    size_t rows_seen;
} dtp_wb_pager;

void dtp_wb_pager_init(dtp_wb_pager *p);

/* Account for one parsed page. */
dtp_status dtp_wb_pager_add(dtp_wb_pager *p, const dtp_wb_meta *m, dtp_error *err);

/* Page number to fetch next, or 0 when the sequence is complete. */
long dtp_wb_pager_next(const dtp_wb_pager *p);

/* After the last page: error unless every page came and the rows equal total. */
dtp_status dtp_wb_pager_finish(const dtp_wb_pager *p, dtp_error *err);

/* Bulk download: the zip from /v2/en/indicator/<ID>?downloadformat=csv, or the bare
 * API_<ID>_DS2_*.csv / Metadata_Country_*.csv from a mirror. Observations carry the "Last
 * Updated Date" as edition (overriding pc->edition); empty cells are counted as skipped, not
 * emitted. entity_fn (may be NULL) receives the Metadata_Country rows. */
typedef struct dtp_wb_bulk_result {
    char last_updated[32]; /* "Last Updated Date" of the data file */
    char indicator[64];    /* Indicator Code of the data rows */
    size_t data_files, metadata_files;
} dtp_wb_bulk_result;

dtp_status dtp_wb_bulk_parse_zip(const dtp_parse_ctx *pc, dtp_reader *r, dtp_wb_entity_fn entity_fn,
                                 void *entity_ctx, dtp_wb_bulk_result *res, dtp_parse_stats *stats,
                                 dtp_error *err);

/* A bare data CSV (API_...csv): pc->file names it in locators. */
dtp_status dtp_wb_bulk_parse_csv(const dtp_parse_ctx *pc, dtp_reader *r, dtp_wb_bulk_result *res,
                                 dtp_parse_stats *stats, dtp_error *err);

/* A bare Metadata_Country CSV. */
dtp_status dtp_wb_bulk_parse_country_csv(const dtp_parse_ctx *pc, dtp_reader *r,
                                         dtp_wb_entity_fn fn, void *ctx, size_t *count,
                                         dtp_error *err);

#endif
