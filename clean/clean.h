/* The clean stage: turns the current observations (and, for the province panel, certificate
 * records) into panel cells with status, lineage edges and a ledger of every rule applied
 * (METHODS.md). Reads and writes the staging database; never prints. */
#ifndef DTP_CLEAN_CLEAN_H
#define DTP_CLEAN_CLEAN_H

#include <sqlite3.h>
#include <stdint.h>

#include "common/archive.h"
#include "common/config.h"
#include "common/error.h"
#include "common/log.h"

typedef struct dtp_clean_opts {
    sqlite3 *db;            /* staging */
    dtp_archive *archive;   /* reference and override files are archived as artifacts */
    const dtp_config *cfg;  /* [panel], [clean] and the sources' variables */
    const char *config_dir; /* relative paths in [clean] resolve against this */
    dtp_log *log;           /* may be NULL */
    int64_t run_id;
} dtp_clean_opts;

typedef struct dtp_clean_result {
    int countries_seen;    /* countries with at least one observation in the years */
    int countries_kept;    /* in the balanced panel */
    int countries_dropped; /* by the sample rules */
    int aggregates;        /* aggregate labels set aside */
    int unmapped;          /* labels no table maps (the run fails when > 0) */
    int64_t cells;         /* cells written */
    int64_t imputed, overridden, derived;
    int variables;          /* panel variables with a source */
    char missing_vars[256]; /* panel variables no enabled source provides */
} dtp_clean_result;

/* Build the country-year panel (METHODS.md §A) from the current observations and write it to
 * staging in one transaction: cells, lineage, ledger, entity map, check results. Unmapped
 * labels or an unbalanced result fail with DTP_ERR_VALIDATION naming them (the ledger and
 * check results say more); nothing of a failed run replaces the previous cells. */
dtp_status dtp_clean_country(const dtp_clean_opts *o, dtp_clean_result *res, dtp_error *err);

typedef struct dtp_clean_province_result {
    int built;               /* 0 when [clean] yearbook is not set: no province panel (see below) */
    int provinces, years;    /* panel members (30) and years */
    int64_t cells;           /* cells written */
    int64_t yearbook_values; /* yearbook rows read into observations */
    int64_t records_seen;    /* certificate records in staging */
    int64_t records_excluded; /* needs_review, not ISMS, duplicate capture, unusable dates */
    int64_t certificates;     /* distinct accepted ISMS certificates considered */
    int64_t listed_uscc, listed_name, unmatched; /* how the holders were matched */
    int64_t address_fallback; /* listed certificates placed by their address text */
    int64_t no_history;       /* listed certificates decided by issue and expiry only */
    int reconcile_checked, reconcile_flagged; /* ISO Survey vs registry, per year */
} dtp_clean_province_result;

/* Build the province-year panel (METHODS.md §B) and write it to staging in one transaction,
 * replacing the previous province cells: iso27001_listed from the certificate records (listed
 * companies, validity on 31 December, province of the holder), dt_index / dt_ordering /
 * dt_products by the entropy weight method (weights in index_weights per year), the controls
 * and high_dev from the [clean] yearbook CSV, with lineage, ledger and check results. Without
 * [clean] yearbook no province panel is built (res->built = 0) and previous province cells
 * are removed. A yearbook that does not cover every in-panel province, year and indicator fails
 * with DTP_ERR_VALIDATION naming what is missing; nothing of a failed run replaces the
 * previous cells. */
dtp_status dtp_clean_province(const dtp_clean_opts *o, dtp_clean_province_result *res,
                              dtp_error *err);

#endif
