/* The fetch stage: turns each configured source into immutable raw artifacts (the exact bytes
 * received, under their sha256, with a fetch row per request) and parses every current artifact
 * into observations with locators. Parsing reads artifacts, never the network, so an offline
 * run re-parses the archive and yields identical observations. */
#ifndef DTP_FETCH_FETCH_H
#define DTP_FETCH_FETCH_H

#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>

#include "common/archive.h"
#include "common/config.h"
#include "common/error.h"
#include "common/log.h"

typedef struct dtp_fetch_opts {
    sqlite3 *db;             /* staging */
    dtp_archive *archive;    /* raw archive */
    const dtp_config *cfg;   /* sources and [http] settings */
    const char *config_dir;  /* relative file:// paths and inbox dirs resolve against this */
    dtp_log *log;            /* may be NULL */
    int64_t run_id;          /* recorded on fetch rows */
    int offline;             /* 1: no requests; re-parse what the archive holds */
    int plan_only;           /* 1: only ask upstream whether it changed (dtpanel plan) */
    const char *only_source; /* NULL: every enabled source */
    volatile sig_atomic_t *interrupt;
    const char *version; /* for the User-Agent */
} dtp_fetch_opts;

#define DTP_FETCH_MAX_SOURCES 64

typedef struct dtp_fetch_source_result {
    char name[48];
    char kind[32];
    dtp_status status; /* DTP_OK, or why this source failed (the others still ran) */
    dtp_error err;
    int requests;         /* requests made (0 offline) */
    int stored;           /* new artifacts stored */
    int not_modified;     /* answers that said nothing changed */
    int artifacts;        /* artifacts that now make up the source */
    int64_t observations; /* observations parsed in this run (0 when already parsed) */
    char plan[256];       /* plan_only: what a fetch would do */
} dtp_fetch_source_result;

typedef struct dtp_fetch_result {
    dtp_fetch_source_result sources[DTP_FETCH_MAX_SOURCES];
    int n;
    int failed; /* sources that failed */
} dtp_fetch_result;

/* Fetch and parse every enabled source (or only_source). Returns DTP_OK when all succeeded;
 * otherwise the first failure's status with err describing it, while result lists every
 * source's outcome. A failed source keeps its previous artifacts and observations untouched. */
dtp_status dtp_fetch_run(const dtp_fetch_opts *o, dtp_fetch_result *result, dtp_error *err);

/* The source kinds this build can read, "unctad|...". */
const char *dtp_fetch_kinds(void);

#endif
