/* The load stage: publishes the staging database as a warehouse release (a new SQLite file,
 * checked, then renamed over the published one), and the auditor's tools over a published
 * release: trace, explain, verify, diff, export. Nothing here prints or exits. */
#ifndef DTP_LOAD_LOAD_H
#define DTP_LOAD_LOAD_H

#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>

#include <jansson.h>

#include "common/archive.h"
#include "common/error.h"
#include "common/log.h"

/* The cell statuses that are published values (the others, excluded and missing, carry no
 * value in the panel views). */
#define DTP_LOAD_PUBLISHED_STATUSES "('observed','imputed','overridden','derived')"

/* One problem found by a check: publish records it in staging check_results, verify reports
 * it. Strings are borrowed for the duration of the callback; unknown fields are "" or 0. */
typedef struct dtp_load_problem {
    const char *check; /* integrity, foreign_key, lineage, artifact_missing, artifact_hash,
                          balance, expected_rows, manifest_chain, release_file */
    const char *panel, *entity;
    int year;
    const char *variable;
    const char *artifact; /* sha256 of the raw artifact concerned */
    const char *detail;
} dtp_load_problem;
typedef void (*dtp_load_problem_fn)(void *ctx, const dtp_load_problem *p);

typedef struct dtp_load_options {
    const char *warehouse; /* the published path; the new file is built as <warehouse>.new-<pid> */
    const char *data_dir;  /* releases are kept under <data_dir>/releases */
    int keep_releases;     /* releases kept (>= 1) */
    int64_t run_id;        /* the load run (0 when none) */
    int year_first, year_last; /* configured panel years; 0 and 0: the years the cells have */
    /* Expected rows (members x years) of each panel view; -1: only require a balanced panel. */
    long expected_country_rows, expected_province_rows;
    const char *total_definition;     /* "sum" (NULL) or "log_sum" */
    const char *iso27001_transform;   /* "ln_max1" (NULL), "log1p" or "missing" */
    const char *version;              /* dtpanel version string for the release row */
    dtp_log *log;                     /* may be NULL */
    volatile sig_atomic_t *interrupt; /* non-NULL: a nonzero value stops the build before the
                                         rename (DTP_ERR_INTERRUPTED, nothing published) */
    dtp_load_problem_fn on_problem;   /* may be NULL; called for each failed check */
    void *problem_ctx;
} dtp_load_options;

typedef struct dtp_load_result {
    int64_t release_id;
    int64_t cells;    /* panel cells published */
    int64_t problems; /* failed checks (publish returns DTP_ERR_VALIDATION when > 0) */
    char content_sha256[65];
    char file_sha256[65];
    char release_path[4096]; /* <data_dir>/releases/<id>.db */
} dtp_load_result;

/* Build, check and atomically publish a release from the staging database (which must be
 * opened read-write: the release and the check results are recorded there). On a failed check
 * nothing is published, the check results are appended to staging and DTP_ERR_VALIDATION is
 * returned. The caller holds the data-directory lock. */
dtp_status dtp_load_publish(sqlite3 *staging, const dtp_archive *ar, const dtp_load_options *o,
                            dtp_load_result *res, dtp_error *err);

/* The embedded warehouse/schema.sql (borrowed, NUL-terminated). */
const char *dtp_load_schema_sql(void);

/* Open a published warehouse read-only. */
dtp_status dtp_load_open_release(const char *path, sqlite3 **out, dtp_error *err);

/* sha256 over the content tables of a warehouse (everything but run history, release history,
 * check results and the release row), row by row in rowid order: two releases built from the
 * same staging content have the same content hash. */
dtp_status dtp_load_content_hash(sqlite3 *wh, char out[65], dtp_error *err);

/* dtp_load_content_hash of the warehouse file at path, on a read-only connection of its own
 * (so it may run in another thread beside other readers of the file). */
dtp_status dtp_load_content_hash_file(const char *path, char out[65], dtp_error *err);

/* PRAGMA integrity_check of the SQLite file at path, on a read-only connection of its own (so
 * it may run in another thread beside other readers of the file). Each problem line, at most
 * DTP_LOAD_INTEGRITY_MAX (integrity_check's own limit) plus one when damage stops the check
 * itself, goes to fn as check "integrity"; *problems receives the count. An error only when the
 * file cannot be opened. */
#define DTP_LOAD_INTEGRITY_MAX 100
dtp_status dtp_load_integrity(const char *path, dtp_load_problem_fn fn, void *ctx,
                              int64_t *problems, dtp_error *err);

/* Lineage completeness of every published cell (METHODS.md: observed -> observation/record ->
 * artifact; imputed -> two anchors; overridden -> override + replaced value; derived -> input
 * cells -> ... -> artifacts), with artifact presence checked in ar (NULL: the artifacts table
 * only). Each problem goes to fn; *problems receives the count. Errors only for I/O or SQL. */
dtp_status dtp_load_check_lineage(sqlite3 *wh, const dtp_archive *ar, dtp_load_problem_fn fn,
                                  void *ctx, int64_t *problems, dtp_error *err);

/* The same, for a caller that has run PRAGMA foreign_key_check on wh with no failures
 * (fk_checked = 1): existence of the rows lineage names is then taken as proven, which saves a
 * lookup per edge when every artifact is present. */
dtp_status dtp_load_check_lineage_fk(sqlite3 *wh, const dtp_archive *ar, int fk_checked,
                                     dtp_load_problem_fn fn, void *ctx, int64_t *problems,
                                     dtp_error *err);

/* Re-hash every raw artifact the release depends on, check lineage completeness, the run
 * manifest chain (in staging when not NULL, and the release's copy of the runs) and the release
 * manifest. *problems receives the count; DTP_OK even when problems were found. */
dtp_status dtp_load_verify(sqlite3 *wh, const dtp_archive *ar, sqlite3 *staging,
                           dtp_load_problem_fn fn, void *ctx, int64_t *problems, dtp_error *err);

/* The chain behind one figure, as JSON (see load/trace.c for the shape). panel: "country" or
 * "province". ar may be NULL (then no archive paths). DTP_ERR_NOT_FOUND when no such cell. */
dtp_status dtp_load_trace(sqlite3 *wh, const dtp_archive *ar, const char *panel, const char *entity,
                          int year, const char *variable, json_t **out, dtp_error *err);

/* A citation card for one figure: the sources its lineage reaches (publisher, title, version,
 * access date, URL, licence, generated flag) and override citations, as JSON. */
dtp_status dtp_load_explain(sqlite3 *wh, const char *panel, const char *entity, int year,
                            const char *variable, json_t **out, dtp_error *err);

/* Revisions between two release files: a JSON summary (new, revised, withdrawn cells per source
 * and variable, the largest relative revisions, series whose history moved). csv_path, when not
 * NULL, receives every changed cell. */
dtp_status dtp_load_diff(const char *release_a, const char *release_b, const char *csv_path,
                         int top, json_t **out, dtp_error *err);

typedef enum dtp_load_format { DTP_LOAD_CSV, DTP_LOAD_DTA } dtp_load_format;

/* Status flag codes used in exports (value labels in .dta). */
enum {
    DTP_FLAG_OBSERVED = 1,
    DTP_FLAG_IMPUTED = 2,
    DTP_FLAG_OVERRIDDEN = 3,
    DTP_FLAG_DERIVED = 4,
    DTP_FLAG_EXCLUDED = 5,
    DTP_FLAG_MISSING = 6,
};
/* Code of a status name; 0 for NULL or unknown. */
int dtp_load_status_code(const char *status);

/* Export a panel view ("country" or "province") to path: CSV with a header and a sidecar
 * <path>.columns.csv, or Stata .dta (ReadStat) with variable and value labels. Status columns
 * are text in CSV and labelled integers in .dta. *rows receives the row count. */
dtp_status dtp_load_export(sqlite3 *wh, const char *panel, dtp_load_format fmt, const char *path,
                           int64_t *rows, dtp_error *err);

#endif
