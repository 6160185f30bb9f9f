/* What every source parser is given and reports: where its observations go, the names it puts in
 * locators and errors, and counts a caller can log and check. */
#ifndef DTP_FETCH_PARSE_H
#define DTP_FETCH_PARSE_H

#include <stddef.h>

#include "common/error.h"
#include "common/obs.h"

typedef struct dtp_parse_ctx {
    const char *source;   /* configured source name: obs.source and error source */
    const char *file;     /* file name used in locators (entry name inside an archive) */
    const char *artifact; /* sha256 hex of the raw artifact, for errors; may be NULL */
    const char *edition;  /* dataset version to stamp on observations, or NULL */
    dtp_obs_fn on_obs;    /* receives every observation; may be NULL to only count */
    void *obs_ctx;
} dtp_parse_ctx;

typedef struct dtp_parse_stats {
    size_t rows;       /* data rows (or JSON records) read */
    size_t obs;        /* observations pushed */
    size_t missing;    /* of which has_value == 0 */
    size_t aggregates; /* of which is_aggregate == 1 */
    size_t skipped;    /* rows or cells read but not of interest (other indicators, empty cells) */
} dtp_parse_stats;

/* Push o through pc->on_obs and count it; fills the error's source/artifact on failure. */
dtp_status dtp_parse_emit(const dtp_parse_ctx *pc, dtp_parse_stats *stats, const dtp_obs *o,
                          dtp_error *err);

/* Stamp source and artifact on err (keeps its locator). Returns err->status or st. */
dtp_status dtp_parse_fail(const dtp_parse_ctx *pc, dtp_status st, dtp_error *err);

#endif
