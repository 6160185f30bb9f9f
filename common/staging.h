/* The staging database (SQLite, WAL) under the data directory: artifacts, fetches,
 * observations, entities, certificate records, panel cells, lineage, ledger, runs and check
 * results. The schema is versioned (PRAGMA user_version) and migrated forward on open. */
#ifndef DTP_COMMON_STAGING_H
#define DTP_COMMON_STAGING_H

#include <sqlite3.h>
#include <stdint.h>

#include "common/error.h"
#include "common/obs.h"

typedef struct dtp_migration {
    int version;
    const char *name;
    const char *sql;
} dtp_migration;

/* Terminated by version 0. */
extern const dtp_migration dtp_staging_migrations[];

/* Open (creating when missing) and migrate. *db is NULL on failure. */
dtp_status dtp_staging_open(const char *path, sqlite3 **db, dtp_error *err);
void dtp_staging_close(sqlite3 *db);

/* Apply the migrations that have not run yet; a no-op on an up-to-date database. */
dtp_status dtp_staging_migrate(sqlite3 *db, dtp_error *err);

/* PRAGMA user_version (the number of migrations applied). */
int dtp_staging_version(sqlite3 *db);
/* The newest migration this build knows. */
int dtp_staging_latest_version(void);

/* Run SQL without results; err names the statement's purpose. */
dtp_status dtp_db_exec(sqlite3 *db, const char *sql, const char *what, dtp_error *err);
/* Fill err from the connection's last error. Returns DTP_ERR_DB. */
dtp_status dtp_db_error(sqlite3 *db, const char *what, dtp_error *err);
/* sqlite3_errmsg, with the operating system's reason appended when the file could not grow
 * (disk full, quota, file size limit): "disk I/O error (no space left on device)". Always
 * NUL-terminates buf; returns buf. */
const char *dtp_db_errmsg(sqlite3 *db, char *buf, size_t n);

/* Text of a result column, "" for NULL (borrowed until the next step). */
const char *dtp_db_text(sqlite3_stmt *s, int i);
/* Bind a copy of s, or NULL when s is NULL. */
void dtp_db_bind_text(sqlite3_stmt *st, int i, const char *s);

dtp_status dtp_db_begin(sqlite3 *db, dtp_error *err); /* BEGIN IMMEDIATE */
dtp_status dtp_db_commit(sqlite3 *db, dtp_error *err);
void dtp_db_rollback(sqlite3 *db);

/* Current UTC time as ISO 8601 "2026-11-21T22:05:31Z" (21 bytes). Honours DTP_FAKE_NOW for
 * reproducible tests. */
void dtp_now_iso(char out[32]);

/* Record bytes that were stored in the raw archive (idempotent on sha256). */
dtp_status dtp_staging_add_artifact(sqlite3 *db, const char *sha256, uint64_t size,
                                    const char *content_type, const char *original_name,
                                    const char *source, int generated, dtp_error *err);

/* A fetch event. Strings may be NULL. Returns the new row id in *id. */
typedef struct dtp_fetch_row {
    int64_t run_id;
    const char *source, *role, *url, *request_params;
    long http_status;
    const char *etag, *last_modified, *content_type, *upstream_version;
    int attempts;
    const char *outcome; /* stored | not_modified | failed | replayed */
    const char *artifact_sha256;
    const char *message;
} dtp_fetch_row;
dtp_status dtp_staging_add_fetch(sqlite3 *db, const dtp_fetch_row *r, int64_t *id, dtp_error *err);

/* Batched observation inserts with one prepared statement (STYLE.md 8). */
typedef struct dtp_obs_writer dtp_obs_writer;
dtp_status dtp_obs_writer_new(sqlite3 *db, const char *artifact_sha256, dtp_obs_writer **out,
                              dtp_error *err);
/* A dtp_obs_fn: ctx is the writer. */
dtp_status dtp_obs_writer_add(void *ctx, const dtp_obs *o, dtp_error *err);
int64_t dtp_obs_writer_count(const dtp_obs_writer *w);
void dtp_obs_writer_free(dtp_obs_writer *w);

/* Append a check result (the table refuses updates and deletes). */
dtp_status dtp_staging_add_check(sqlite3 *db, int64_t run_id, const char *stage,
                                 const char *check_name, const char *status, const char *entity,
                                 int year, const char *variable, const char *detail,
                                 dtp_error *err);

#endif
