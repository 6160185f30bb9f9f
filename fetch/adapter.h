/* Source adapters: how each source kind names its requests and parses its artifacts. The fetch
 * stage driver (stage.c) is the same for all kinds. Internal to the fetch library. */
#ifndef DTP_FETCH_ADAPTER_H
#define DTP_FETCH_ADAPTER_H

#include "common/config.h"
#include "fetch/parse.h"
#include "fetch/reader.h"

typedef struct dtp_adapter_src {
    const dtp_config *cfg;
    const char *section; /* "source.NAME" */
    const char *name;    /* NAME */
    const char *role;    /* the artifact's role within the source ("data", "edition/2022") */
    int year;            /* edition year for per-edition sources, else 0 */
    /* Entity metadata found beside the data (World Bank country lists); the driver stores it. */
    dtp_status (*on_entity)(void *ctx, const char *code, const char *iso2, const char *name,
                            const char *region, const char *income, int aggregate, dtp_error *err);
    void *entity_ctx;
} dtp_adapter_src;

typedef struct dtp_adapter {
    const char *kind;
    const char *parser_version; /* bump when the parser's output changes: forces a re-parse */
    const char *accept_types;   /* media types an http(s) answer must have, or NULL */
    int per_edition;            /* 1: one request per year of `editions`, {year} in the url */
    int inbox;                  /* 1: artifacts come from the inbox directory, not a url */
    int paged_api;              /* 1: World Bank API paging (the driver follows the pages) */
    int countries;              /* 1: `countries_url` is fetched too, as role "countries" */
    /* Parse one artifact; NULL when the artifact is read by a later stage (ocr). */
    dtp_status (*parse)(const dtp_parse_ctx *pc, const dtp_adapter_src *src, dtp_reader *r,
                        dtp_parse_stats *stats, dtp_error *err);
} dtp_adapter;

/* The adapter of a kind, or NULL. */
const dtp_adapter *dtp_adapter_find(const char *kind);

#endif
