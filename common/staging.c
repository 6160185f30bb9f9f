#include "common/staging.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *dtp_db_errmsg(sqlite3 *db, char *buf, size_t n)
{
    if (!db) {
        snprintf(buf, n, "no database");
        return buf;
    }
    int sys = sqlite3_system_errno(db);
    if ((sqlite3_errcode(db) == SQLITE_IOERR || sqlite3_errcode(db) == SQLITE_FULL) &&
        (sys == ENOSPC || sys == EFBIG || sys == EDQUOT)) {
        char why[128];
        snprintf(why, sizeof why, "%s", strerror(sys));
        if (why[0])
            why[0] = (char)tolower((unsigned char)why[0]);
        snprintf(buf, n, "%s (%s)", sqlite3_errmsg(db), why);
    } else {
        snprintf(buf, n, "%s", sqlite3_errmsg(db));
    }
    return buf;
}

dtp_status dtp_db_error(sqlite3 *db, const char *what, dtp_error *err)
{
    char msg[256];
    return dtp_error_set(err, DTP_ERR_DB, "staging", "%s: %s", what,
                         dtp_db_errmsg(db, msg, sizeof msg));
}

dtp_status dtp_db_exec(sqlite3 *db, const char *sql, const char *what, dtp_error *err)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return dtp_db_error(db, what, err);
    return DTP_OK;
}

dtp_status dtp_db_begin(sqlite3 *db, dtp_error *err)
{
    return dtp_db_exec(db, "BEGIN IMMEDIATE", "begin transaction", err);
}

dtp_status dtp_db_commit(sqlite3 *db, dtp_error *err)
{
    return dtp_db_exec(db, "COMMIT", "commit", err);
}

void dtp_db_rollback(sqlite3 *db)
{
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

void dtp_now_iso(char out[32])
{
    const char *fake = getenv("DTP_FAKE_NOW");
    if (fake && *fake) {
        snprintf(out, 32, "%s", fake);
        return;
    }
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int dtp_staging_version(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

int dtp_staging_latest_version(void)
{
    int v = 0;
    for (const dtp_migration *m = dtp_staging_migrations; m->version; m++)
        v = m->version;
    return v;
}

dtp_status dtp_staging_migrate(sqlite3 *db, dtp_error *err)
{
    int have = dtp_staging_version(db);
    if (have < 0)
        return dtp_db_error(db, "read schema version", err);
    if (have > dtp_staging_latest_version())
        return dtp_error_set(err, DTP_ERR_DB, "staging",
                             "staging schema version %d is newer than this dtpanel knows (%d)",
                             have, dtp_staging_latest_version());
    for (const dtp_migration *m = dtp_staging_migrations; m->version; m++) {
        if (m->version <= have)
            continue;
        dtp_status st = dtp_db_begin(db, err);
        if (st != DTP_OK)
            return st;
        char what[128];
        snprintf(what, sizeof what, "migration %d (%s)", m->version, m->name);
        if ((st = dtp_db_exec(db, m->sql, what, err)) != DTP_OK) {
            dtp_db_rollback(db);
            return st;
        }
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", m->version);
        if ((st = dtp_db_exec(db, pragma, what, err)) != DTP_OK ||
            (st = dtp_db_commit(db, err)) != DTP_OK) {
            dtp_db_rollback(db);
            return st;
        }
    }
    return DTP_OK;
}

dtp_status dtp_staging_open(const char *path, sqlite3 **out, dtp_error *err)
{
    *out = NULL;
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        dtp_error_locatef(err, "%s", path);
        dtp_db_error(db, "cannot open staging database", err);
        sqlite3_close(db);
        return DTP_ERR_DB;
    }
    sqlite3_busy_timeout(db, 10000);
    dtp_status st;
    if ((st = dtp_db_exec(db,
                          "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                          " PRAGMA foreign_keys=ON;",
                          "configure staging database", err)) != DTP_OK ||
        (st = dtp_staging_migrate(db, err)) != DTP_OK) {
        dtp_error_locatef(err, "%s", path);
        sqlite3_close(db);
        return st;
    }
    *out = db;
    return DTP_OK;
}

void dtp_staging_close(sqlite3 *db)
{
    if (db)
        sqlite3_close(db);
}

const char *dtp_db_text(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? (const char *)t : "";
}

void dtp_db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

dtp_status dtp_staging_add_artifact(sqlite3 *db, const char *sha256, uint64_t size,
                                    const char *content_type, const char *original_name,
                                    const char *source, int generated, dtp_error *err)
{
    static const char sql[] =
        "INSERT INTO artifacts(sha256, size, content_type, original_name, first_source,"
        " generated, stored_at) VALUES(?,?,?,?,?,?,?) ON CONFLICT(sha256) DO NOTHING";
    sqlite3_stmt *st = NULL;
    char now[32];
    dtp_now_iso(now);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return dtp_db_error(db, "prepare artifact insert", err);
    dtp_db_bind_text(st, 1, sha256);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)size);
    dtp_db_bind_text(st, 3, content_type);
    dtp_db_bind_text(st, 4, original_name);
    dtp_db_bind_text(st, 5, source);
    sqlite3_bind_int(st, 6, generated);
    dtp_db_bind_text(st, 7, now);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return dtp_db_error(db, "insert artifact", err);
    return DTP_OK;
}

dtp_status dtp_staging_add_fetch(sqlite3 *db, const dtp_fetch_row *r, int64_t *id, dtp_error *err)
{
    static const char sql[] =
        "INSERT INTO fetches(run_id, source, role, url, request_params, http_status, etag,"
        " last_modified, content_type, upstream_version, fetched_at, attempts, outcome,"
        " artifact_sha256, message) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    sqlite3_stmt *st = NULL;
    char now[32];
    dtp_now_iso(now);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return dtp_db_error(db, "prepare fetch insert", err);
    if (r->run_id > 0)
        sqlite3_bind_int64(st, 1, r->run_id);
    else
        sqlite3_bind_null(st, 1);
    dtp_db_bind_text(st, 2, r->source);
    dtp_db_bind_text(st, 3, r->role ? r->role : "");
    dtp_db_bind_text(st, 4, r->url);
    dtp_db_bind_text(st, 5, r->request_params);
    if (r->http_status)
        sqlite3_bind_int64(st, 6, r->http_status);
    else
        sqlite3_bind_null(st, 6);
    dtp_db_bind_text(st, 7, r->etag);
    dtp_db_bind_text(st, 8, r->last_modified);
    dtp_db_bind_text(st, 9, r->content_type);
    dtp_db_bind_text(st, 10, r->upstream_version);
    dtp_db_bind_text(st, 11, now);
    sqlite3_bind_int(st, 12, r->attempts > 0 ? r->attempts : 1);
    dtp_db_bind_text(st, 13, r->outcome);
    dtp_db_bind_text(st, 14, r->artifact_sha256);
    dtp_db_bind_text(st, 15, r->message);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return dtp_db_error(db, "insert fetch", err);
    if (id)
        *id = sqlite3_last_insert_rowid(db);
    return DTP_OK;
}

struct dtp_obs_writer {
    sqlite3 *db;
    sqlite3_stmt *st;
    char sha256[65];
    int64_t count;
};

dtp_status dtp_obs_writer_new(sqlite3 *db, const char *artifact_sha256, dtp_obs_writer **out,
                              dtp_error *err)
{
    static const char sql[] =
        "INSERT INTO observations(artifact_sha256, source, indicator, variable, entity_raw,"
        " entity_code, entity_system, is_aggregate, year, value_raw, has_value, value, unit,"
        " scale, flags, edition, locator) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    *out = NULL;
    dtp_obs_writer *w = calloc(1, sizeof *w);
    if (!w)
        return dtp_error_set(err, DTP_ERR_NOMEM, "staging", "out of memory");
    w->db = db;
    snprintf(w->sha256, sizeof w->sha256, "%s", artifact_sha256);
    if (sqlite3_prepare_v2(db, sql, -1, &w->st, NULL) != SQLITE_OK) {
        free(w);
        return dtp_db_error(db, "prepare observation insert", err);
    }
    *out = w;
    return DTP_OK;
}

dtp_status dtp_obs_writer_add(void *ctx, const dtp_obs *o, dtp_error *err)
{
    dtp_obs_writer *w = ctx;
    sqlite3_stmt *st = w->st;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    dtp_db_bind_text(st, 1, w->sha256);
    dtp_db_bind_text(st, 2, o->source);
    dtp_db_bind_text(st, 3, o->indicator);
    dtp_db_bind_text(st, 4, o->variable);
    dtp_db_bind_text(st, 5, o->entity_raw ? o->entity_raw : "");
    dtp_db_bind_text(st, 6, o->entity_code);
    dtp_db_bind_text(st, 7, o->entity_system);
    sqlite3_bind_int(st, 8, o->is_aggregate);
    sqlite3_bind_int(st, 9, o->year);
    dtp_db_bind_text(st, 10, o->value_raw);
    sqlite3_bind_int(st, 11, o->has_value);
    if (o->has_value)
        sqlite3_bind_double(st, 12, o->value);
    dtp_db_bind_text(st, 13, o->unit);
    sqlite3_bind_int(st, 14, o->scale);
    dtp_db_bind_text(st, 15, o->flags);
    dtp_db_bind_text(st, 16, o->edition);
    dtp_db_bind_text(st, 17, o->locator ? o->locator : "");
    if (sqlite3_step(st) != SQLITE_DONE) {
        dtp_error_where(err, o->source, w->sha256, o->locator);
        return dtp_db_error(w->db, "insert observation", err);
    }
    w->count++;
    return DTP_OK;
}

int64_t dtp_obs_writer_count(const dtp_obs_writer *w)
{
    return w->count;
}

void dtp_obs_writer_free(dtp_obs_writer *w)
{
    if (!w)
        return;
    sqlite3_finalize(w->st);
    free(w);
}

dtp_status dtp_staging_add_check(sqlite3 *db, int64_t run_id, const char *stage,
                                 const char *check_name, const char *status, const char *entity,
                                 int year, const char *variable, const char *detail, dtp_error *err)
{
    static const char sql[] =
        "INSERT INTO check_results(run_id, stage, check_name, status, entity, year, variable,"
        " detail, created_at) VALUES(?,?,?,?,?,?,?,?,?)";
    sqlite3_stmt *st = NULL;
    char now[32];
    dtp_now_iso(now);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return dtp_db_error(db, "prepare check insert", err);
    if (run_id > 0)
        sqlite3_bind_int64(st, 1, run_id);
    else
        sqlite3_bind_null(st, 1);
    dtp_db_bind_text(st, 2, stage);
    dtp_db_bind_text(st, 3, check_name);
    dtp_db_bind_text(st, 4, status);
    dtp_db_bind_text(st, 5, entity);
    if (year)
        sqlite3_bind_int(st, 6, year);
    else
        sqlite3_bind_null(st, 6);
    dtp_db_bind_text(st, 7, variable);
    dtp_db_bind_text(st, 8, detail);
    dtp_db_bind_text(st, 9, now);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return dtp_db_error(db, "insert check result", err);
    return DTP_OK;
}
