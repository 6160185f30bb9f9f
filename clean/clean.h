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

#endif
