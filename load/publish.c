/* Publishing a release. The new warehouse is built beside the published one as
 * <warehouse>.new-<pid>, filled from staging through ATTACH + INSERT ... SELECT in one
 * transaction, checked, fsync'd, hard-linked (or copied) into <data_dir>/releases/<id>.db, and
 * only then renamed over the published path; the directory is fsync'd so the rename is durable.
 * A reader therefore sees the old release or the new one, never a mixture, and a run killed at
 * any point leaves the last good release published.
 *
 * Test hook: when the environment variable DTP_TEST_KILL_AT names one of the steps below
 * (copied, checked, hashed, linked, recorded, renamed), the process raises SIGKILL there. It
 * exists only so the end-to-end tests can prove the claim above; nothing else sets it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/sha256.h"
#include "common/staging.h"
#include "load/load.h"
#include "load/warehouse_schema.h"

/* Tables copied from staging, in order; the columns both sides have are copied. */
static const char *const copy_tables[] = {"sources",
                                          "runs",
                                          "artifacts",
                                          "fetches",
                                          "source_artifacts",
                                          "observations",
                                          "countries",
                                          "aggregates",
                                          "provinces",
                                          "wb_countries",
                                          "entity_map",
                                          "cert_records",
                                          "cert_fields",
                                          "cert_events",
                                          "overrides",
                                          "lineage",
                                          "ledger",
                                          "index_weights",
                                          "check_results",
                                          "releases",
                                          NULL};

const char *dtp_load_schema_sql(void)
{
    return dtp_warehouse_schema_sql;
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A debug line per step with its duration: where a slow publish spends its time. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void step_done(const dtp_load_options *o, const char *step, double *t)
{
    double n = mono_now(), c = cpu_now();
    if (o->log)
        dtp_log_msg(o->log, DTP_LOG_DEBUG, "load", "step", "%s: %.3f s (cpu %.3f s)", step,
                    n - t[0], c - t[1]);
    t[0] = n;
    t[1] = c;
}

/* A step boundary: the test hook may kill (or, with DTP_TEST_SIGNAL=TERM, signal) the process
 * here, and a stop request (SIGTERM/SIGINT seen by the caller) ends the build before anything is
 * published. After the rename there is nothing left to abort. */
static dtp_status stop_point(const dtp_load_options *o, const char *step, dtp_error *err)
{
    const char *k = getenv("DTP_TEST_KILL_AT");
    if (k && strcmp(k, step) == 0) {
        const char *sig = getenv("DTP_TEST_SIGNAL");
        raise(sig && strcmp(sig, "TERM") == 0 ? SIGTERM : SIGKILL);
    }
    if (o->interrupt && *o->interrupt && strcmp(step, "renamed") != 0)
        return dtp_error_set(err, DTP_ERR_INTERRUPTED, "load",
                             "stopped by a signal after step '%s': nothing was published; the "
                             "previous release stays",
                             step);
    return DTP_OK;
}

static dtp_status db_fail(sqlite3 *db, const char *what, dtp_error *err)
{
    char msg[256];
    return dtp_error_set(err, DTP_ERR_DB, "load", "%s: %s", what,
                         dtp_db_errmsg(db, msg, sizeof msg));
}

static dtp_status exec(sqlite3 *db, const char *sql, const char *what, dtp_error *err)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(db, what, err);
    return DTP_OK;
}

/* Read-only work on the finished file that runs beside the checks on the build connection:
 * the content hash for the manifest, and PRAGMA integrity_check. Each job has its own read-only
 * connection; the checks on the build connection write to temp tables only, so nothing blocks,
 * and on two cores the publish waits for the longest of the three rather than their sum. */
#define INTEGRITY_MAX_MESSAGES (DTP_LOAD_INTEGRITY_MAX + 1) /* and "could not complete" */

typedef struct {
    const char *path;
    int integrity; /* 1: integrity_check into msgs; 0: content hash into hex */
    char hex[65];
    char *msgs[INTEGRITY_MAX_MESSAGES];
    size_t nmsgs;
    dtp_status st;
    dtp_error err;
    pthread_t thread;
    int running;
} side_job;

/* dtp_load_integrity's problems, kept for the publishing thread to record */
static void collect_integrity(void *v, const dtp_load_problem *p)
{
    side_job *j = v;
    if (j->nmsgs < INTEGRITY_MAX_MESSAGES && p->detail && (j->msgs[j->nmsgs] = strdup(p->detail)))
        j->nmsgs++;
}

static void *side_job_run(void *v)
{
    side_job *j = v;
    dtp_error_clear(&j->err);
    if (j->integrity) {
        int64_t n = 0;
        j->st = dtp_load_integrity(j->path, collect_integrity, j, &n, &j->err);
        if (j->st == DTP_OK && (int64_t)j->nmsgs < n) /* a message could not be kept */
            j->st = dtp_error_set(&j->err, DTP_ERR_NOMEM, "load", "out of memory");
        return NULL;
    }
    j->st = dtp_load_content_hash_file(j->path, j->hex, &j->err);
    return NULL;
}

/* Start job j; when no thread can be had it runs here and now (same result, no overlap). */
static void side_job_start(side_job *j, const char *path, int integrity)
{
    memset(j, 0, sizeof *j);
    j->path = path;
    j->integrity = integrity;
    j->running = pthread_create(&j->thread, NULL, side_job_run, j) == 0;
    if (!j->running)
        side_job_run(j);
}

static dtp_status side_job_finish(side_job *j, dtp_error *err)
{
    if (j->running)
        pthread_join(j->thread, NULL);
    j->running = 0;
    if (j->st != DTP_OK)
        *err = j->err;
    return j->st;
}

static void side_job_free(side_job *j)
{
    if (j->running)
        pthread_join(j->thread, NULL);
    j->running = 0;
    for (size_t i = 0; i < j->nmsgs; i++)
        free(j->msgs[i]);
    j->nmsgs = 0;
}

static int64_t query_int(sqlite3 *db, const char *sql, int64_t dflt)
{
    sqlite3_stmt *s = NULL;
    int64_t v = dflt;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW &&
        sqlite3_column_type(s, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* ln(x) for x > 0, else NULL: registered on the build connection so the transform does not
 * depend on how the reader's SQLite was compiled. */
static void sql_ln(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    double x = sqlite3_value_double(argv[0]);
    if (!(x > 0) || !isfinite(x)) {
        sqlite3_result_null(ctx);
        return;
    }
    sqlite3_result_double(ctx, log(x));
}

/* Split the embedded schema at its markers: tables, then indexes (after the bulk copy), then
 * views. */
static dtp_status schema_part(const char *which, char **out, dtp_error *err)
{
    const char *s = dtp_warehouse_schema_sql;
    const char *ix = strstr(s, "-- @indexes"), *vw = strstr(s, "-- @views");
    if (!ix || !vw || vw < ix)
        return dtp_error_set(err, DTP_ERR_CONFIG, "load", "embedded schema lacks its markers");
    const char *b = s, *e = ix;
    if (strcmp(which, "indexes") == 0)
        b = ix, e = vw;
    else if (strcmp(which, "views") == 0)
        b = vw, e = s + strlen(s);
    *out = strndup(b, (size_t)(e - b));
    if (!*out)
        return dtp_error_set(err, DTP_ERR_NOMEM, "load", "out of memory");
    return DTP_OK;
}

/* Comma-separated quoted column names that both main.<t> and stg.<t> have. */
/* *same: 1 when both tables have exactly the same columns in the same order, so that
 * "INSERT INTO main.t SELECT * FROM stg.t" qualifies for SQLite's transfer optimisation (pages
 * copied without decoding rows). */
static dtp_status common_columns(sqlite3 *db, const char *table, dtp_buf *cols, int *same,
                                 dtp_error *err)
{
    char q[256];
    snprintf(q, sizeof q,
             "SELECT (SELECT group_concat(name, ',') FROM (SELECT name FROM"
             " pragma_table_info(?1, 'main') ORDER BY cid)) IS (SELECT group_concat(name, ',')"
             " FROM (SELECT name FROM pragma_table_info(?1, 'stg') ORDER BY cid))");
    sqlite3_stmt *s0 = NULL;
    *same = 0;
    if (sqlite3_prepare_v2(db, q, -1, &s0, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s0, 1, table, -1, SQLITE_STATIC);
        if (sqlite3_step(s0) == SQLITE_ROW)
            *same = sqlite3_column_int(s0, 0);
    }
    sqlite3_finalize(s0);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT m.name FROM pragma_table_info(?1, 'main') m"
             " JOIN pragma_table_info(?1, 'stg') s ON s.name = m.name ORDER BY m.cid");
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        return db_fail(db, "prepare column list", err);
    sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC);
    dtp_buf_reset(cols);
    dtp_status st = DTP_OK;
    while (sqlite3_step(s) == SQLITE_ROW && st == DTP_OK) {
        const char *name = (const char *)sqlite3_column_text(s, 0);
        st = dtp_buf_printf(cols, "%s\"%s\"", cols->len ? ", " : "", name ? name : "");
    }
    sqlite3_finalize(s);
    if (st != DTP_OK)
        return dtp_error_set(err, st, "load", "column list of %s too long", table);
    return DTP_OK;
}

static dtp_status copy_staging(sqlite3 *db, const dtp_load_options *o, json_t *counts,
                               dtp_error *err)
{
    dtp_status st = DTP_OK;
    dtp_buf cols, sql;
    dtp_buf_init(&cols, 64 << 10);
    dtp_buf_init(&sql, 256 << 10);
    for (size_t i = 0; copy_tables[i]; i++) {
        const char *t = copy_tables[i];
        int same = 0;
        if ((st = common_columns(db, t, &cols, &same, err)) != DTP_OK)
            goto out;
        if (cols.len == 0)
            continue; /* staging has no such table (an older schema): nothing to copy */
        dtp_buf_reset(&sql);
        if (same)
            dtp_buf_printf(&sql, "INSERT INTO main.\"%s\" SELECT * FROM stg.\"%s\"", t, t);
        else
            dtp_buf_printf(&sql,
                           "INSERT INTO main.\"%s\"(%s) SELECT %s FROM stg.\"%s\" ORDER BY rowid",
                           t, dtp_buf_str(&cols), dtp_buf_str(&cols), t);
        if ((st = exec(db, dtp_buf_str(&sql), t, err)) != DTP_OK) {
            dtp_error_prefix(err, "copy %s", t);
            goto out;
        }
        json_object_set_new(counts, t, json_integer(sqlite3_changes(db)));
    }
    /* Cells with their transform materialised (schema.sql header). */
    const char *iso = o->iso27001_transform ? o->iso27001_transform : "ln_max1";
    const char *iso_expr = strcmp(iso, "log1p") == 0     ? "dtp_ln(1 + value)"
                           : strcmp(iso, "missing") == 0 ? "dtp_ln(value)"
                                                         : "dtp_ln(MAX(value, 1))";
    dtp_buf_reset(&sql);
    dtp_buf_printf(&sql,
                   "INSERT INTO main.panel_cells(id, panel, entity, year, variable, value,"
                   " status, method, reason, flags, run_id, ln_value)"
                   " SELECT id, panel, entity, year, variable, value, status, method, reason,"
                   " flags, run_id, CASE"
                   "  WHEN value IS NULL THEN NULL"
                   "  WHEN panel = 'country' AND variable IN ('dt_exp','dt_imp','dt_total')"
                   "   THEN dtp_ln(value)"
                   "  WHEN panel = 'country' AND variable = 'iso27001' THEN %s"
                   "  WHEN panel = 'province' AND variable = 'iso27001_listed'"
                   "   THEN dtp_ln(1 + value)"
                   "  END FROM stg.panel_cells ORDER BY rowid",
                   iso_expr);
    if ((st = exec(db, dtp_buf_str(&sql), "copy panel_cells", err)) != DTP_OK)
        goto out;
    json_object_set_new(counts, "panel_cells", json_integer(sqlite3_changes(db)));
out:
    dtp_buf_free(&cols);
    dtp_buf_free(&sql);
    return st;
}

/* Members and years of each panel; the release settings. */
static dtp_status fill_release_tables(sqlite3 *db, const dtp_load_options *o, dtp_error *err)
{
    dtp_status st = exec(db,
                         "INSERT INTO panel_entities(panel, entity, entity_id)"
                         " SELECT panel, entity, ROW_NUMBER() OVER (PARTITION BY panel ORDER BY"
                         " entity) FROM (SELECT DISTINCT c.panel, c.entity FROM panel_cells c"
                         "  WHERE c.status IN " DTP_LOAD_PUBLISHED_STATUSES
                         "  AND NOT EXISTS (SELECT 1 FROM ledger g WHERE g.action = 'drop'"
                         "   AND g.panel = c.panel AND g.entity = c.entity"
                         /* the ledger keeps every run's rows: only the run that wrote the
                          * cells decides who was dropped */
                         "   AND g.run_id IS c.run_id))",
                         "panel members", err);
    if (st != DTP_OK)
        return st;
    if (o->year_first > 0 && o->year_last >= o->year_first) {
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(db,
                               "INSERT INTO panel_years(panel, year) SELECT DISTINCT panel, ?"
                               " FROM panel_entities",
                               -1, &s, NULL) != SQLITE_OK)
            return db_fail(db, "prepare panel years", err);
        for (int y = o->year_first; y <= o->year_last; y++) {
            sqlite3_bind_int(s, 1, y);
            if (sqlite3_step(s) != SQLITE_DONE) {
                sqlite3_finalize(s);
                return db_fail(db, "panel years", err);
            }
            sqlite3_reset(s);
        }
        sqlite3_finalize(s);
    } else if ((st = exec(db,
                          "INSERT INTO panel_years(panel, year) SELECT DISTINCT c.panel, c.year"
                          " FROM panel_cells c JOIN panel_entities e ON e.panel = c.panel AND"
                          " e.entity = c.entity",
                          "panel years", err)) != DTP_OK)
        return st;
    const char *tot = o->total_definition ? o->total_definition : "sum";
    if (strcmp(tot, "log_sum") == 0 &&
        (st = exec(db,
                   "UPDATE panel_cells SET ln_value = (SELECT e.ln_value + i.ln_value"
                   " FROM panel_cells e, panel_cells i WHERE e.panel = 'country' AND"
                   " e.entity = panel_cells.entity AND e.year = panel_cells.year AND"
                   " e.variable = 'dt_exp' AND i.panel = 'country' AND"
                   " i.entity = panel_cells.entity AND i.year = panel_cells.year AND"
                   " i.variable = 'dt_imp')"
                   " WHERE panel = 'country' AND variable = 'dt_total'",
                   "ln_dt_total (log_sum)", err)) != DTP_OK)
        return st;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, "INSERT INTO release_settings(key, value) VALUES(?, ?)", -1, &s,
                           NULL) != SQLITE_OK)
        return db_fail(db, "prepare settings", err);
    char years[32];
    snprintf(years, sizeof years, "%d-%d", o->year_first, o->year_last);
    const char *kv[][2] = {
        {"total_definition", tot},
        {"iso27001_transform", o->iso27001_transform ? o->iso27001_transform : "ln_max1"},
        {"iso27001_listed_transform", "log1p"},
        {"years", o->year_first ? years : "from cells"},
        {"status_codes", "observed=1 imputed=2 overridden=3 derived=4 "
                         "excluded=5 missing=6"}};
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++) {
        sqlite3_bind_text(s, 1, kv[i][0], -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, kv[i][1], -1, SQLITE_STATIC);
        if (sqlite3_step(s) != SQLITE_DONE) {
            sqlite3_finalize(s);
            return db_fail(db, "settings", err);
        }
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    return DTP_OK;
}

typedef struct check_ctx {
    sqlite3 *staging;
    int64_t run_id;
    const dtp_load_options *o;
    json_t *failed; /* check names that failed */
} check_ctx;

static void record_problem(void *vctx, const dtp_load_problem *p)
{
    check_ctx *c = vctx;
    char detail[1024];
    snprintf(detail, sizeof detail, "%s%s%s", p->detail ? p->detail : "",
             p->artifact && *p->artifact ? "; artifact " : "", p->artifact ? p->artifact : "");
    dtp_error e;
    dtp_error_clear(&e);
    /* check results are best effort here: a failure to record must not hide the problem */
    dtp_staging_add_check(c->staging, c->run_id, "load", p->check, "fail",
                          p->entity && *p->entity ? p->entity : NULL, p->year,
                          p->variable && *p->variable ? p->variable : NULL, detail, &e);
    json_t *n = json_object_get(c->failed, p->check);
    json_object_set_new(c->failed, p->check, json_integer(n ? json_integer_value(n) + 1 : 1));
    if (c->o->on_problem)
        c->o->on_problem(c->o->problem_ctx, p);
}

/* PRAGMA foreign_key_check, balance and expected rows (integrity_check is a side_job). */
static dtp_status structural_checks(sqlite3 *db, const dtp_load_options *o, check_ctx *cc,
                                    int64_t *problems, double *tstep, dtp_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc;
    if (sqlite3_prepare_v2(
            db, "SELECT \"table\", rowid, parent FROM pragma_foreign_key_check LIMIT 1000", -1, &s,
            NULL) != SQLITE_OK)
        return db_fail(db, "prepare foreign key check", err);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        char d[256];
        snprintf(d, sizeof d, "%s row %lld refers to a missing %s row",
                 (const char *)sqlite3_column_text(s, 0), (long long)sqlite3_column_int64(s, 1),
                 (const char *)sqlite3_column_text(s, 2));
        dtp_load_problem p = {.check = "foreign_key", .detail = d};
        (*problems)++;
        record_problem(cc, &p);
    }
    sqlite3_finalize(s);
    step_done(o, "foreign key check", tstep);
    /* Balanced panel: every member has a published cell in every panel year. */
    if (sqlite3_prepare_v2(db,
                           "SELECT e.panel, e.entity, y.year FROM panel_entities e JOIN"
                           " panel_years y ON y.panel = e.panel WHERE NOT EXISTS (SELECT 1 FROM"
                           " panel_cells c WHERE c.panel = e.panel AND c.entity = e.entity AND"
                           " c.year = y.year AND c.status IN " DTP_LOAD_PUBLISHED_STATUSES ")"
                           " ORDER BY e.panel, e.entity, y.year LIMIT 10000",
                           -1, &s, NULL) != SQLITE_OK)
        return db_fail(db, "prepare balance check", err);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        dtp_load_problem p = {.check = "balance",
                              .panel = (const char *)sqlite3_column_text(s, 0),
                              .entity = (const char *)sqlite3_column_text(s, 1),
                              .year = sqlite3_column_int(s, 2),
                              .detail = "panel member has no published value in this year"
                                        " (unbalanced panel)"};
        (*problems)++;
        record_problem(cc, &p);
    }
    sqlite3_finalize(s);
    const char *panels[2] = {"country", "province"};
    long expect[2] = {o->expected_country_rows, o->expected_province_rows};
    for (int i = 0; i < 2; i++) {
        if (expect[i] < 0)
            continue;
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT (SELECT COUNT(*) FROM panel_entities WHERE panel = '%s') *"
                 " (SELECT COUNT(*) FROM panel_years WHERE panel = '%s')",
                 panels[i], panels[i]);
        int64_t got = query_int(db, sql, 0);
        if (got != expect[i]) {
            char d[160];
            snprintf(d, sizeof d, "%s panel has %lld entity-years, expected %ld", panels[i],
                     (long long)got, expect[i]);
            dtp_load_problem p = {.check = "expected_rows", .panel = panels[i], .detail = d};
            (*problems)++;
            record_problem(cc, &p);
        }
    }
    return DTP_OK;
}

static dtp_status fsync_path(const char *path, dtp_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        dtp_error_locatef(err, "%s", path);
        return dtp_error_set(err, DTP_ERR_IO, "load", "cannot fsync: %s", strerror(e));
    }
    close(fd);
    return DTP_OK;
}

static void dir_of(const char *path, char *out, size_t outsz)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, outsz, ".");
    else if (slash == path)
        snprintf(out, outsz, "/");
    else
        snprintf(out, outsz, "%.*s", (int)(slash - path), path);
}

static dtp_status copy_file(const char *from, const char *to, dtp_error *err)
{
    dtp_status st = DTP_OK;
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", to, (long)getpid());
    int in = open(from, O_RDONLY | O_CLOEXEC);
    int out = in >= 0 ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0444) : -1;
    if (in < 0 || out < 0) {
        dtp_error_locatef(err, "%s", in < 0 ? from : tmp);
        st = dtp_error_set(err, DTP_ERR_IO, "load", "cannot copy release: %s", strerror(errno));
        goto out;
    }
    char buf[1 << 16];
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n == 0)
            break;
        if (n < 0 || write(out, buf, (size_t)n) != n) {
            dtp_error_locatef(err, "%s", tmp);
            st = dtp_error_set(err, DTP_ERR_IO, "load", "cannot copy release: %s", strerror(errno));
            goto out;
        }
    }
    if (fsync(out) != 0 || rename(tmp, to) != 0) {
        dtp_error_locatef(err, "%s", to);
        st = dtp_error_set(err, DTP_ERR_IO, "load", "cannot store release copy: %s",
                           strerror(errno));
    }
out:
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    if (st != DTP_OK)
        unlink(tmp);
    return st;
}

/* Keep a release file under releases/: a hard link when possible (same inode, no copy), else a
 * full copy. An existing file of that name is left alone (it is the same release). */
static dtp_status keep_release_file(const char *from, const char *to, dtp_error *err)
{
    if (access(to, F_OK) == 0)
        return DTP_OK;
    if (link(from, to) == 0)
        return DTP_OK;
    if (errno != EXDEV && errno != EPERM && errno != EMLINK) {
        dtp_error_locatef(err, "%s", to);
        return dtp_error_set(err, DTP_ERR_IO, "load", "cannot link release: %s", strerror(errno));
    }
    return copy_file(from, to, err);
}

static dtp_status write_text_atomic(const char *path, const char *text, dtp_error *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    size_t n = strlen(text);
    if (fd < 0 || write(fd, text, n) != (ssize_t)n || fsync(fd) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        unlink(tmp);
        dtp_error_locatef(err, "%s", path);
        return dtp_error_set(err, DTP_ERR_IO, "load", "cannot write: %s", strerror(e));
    }
    close(fd);
    if (rename(tmp, path) != 0) {
        unlink(tmp);
        dtp_error_locatef(err, "%s", path);
        return dtp_error_set(err, DTP_ERR_IO, "load", "cannot rename: %s", strerror(errno));
    }
    return DTP_OK;
}

/* Highest release id in releases/ ("<id>.db"). */
static int64_t max_release_file(const char *rel_dir)
{
    int64_t mx = 0;
    DIR *d = opendir(rel_dir);
    if (!d)
        return 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        char *end = NULL;
        errno = 0;
        long long v = strtoll(de->d_name, &end, 10);
        if (errno == 0 && end != de->d_name && strcmp(end, ".db") == 0 && v > mx)
            mx = v;
    }
    closedir(d);
    return mx;
}

/* Remove build files of earlier runs that were killed (<warehouse>.new-<pid>); the caller holds
 * the lock, so none of them belongs to a live load. */
static void remove_stale_builds(const char *warehouse)
{
    char dir[4096], prefix[4200];
    dir_of(warehouse, dir, sizeof dir);
    const char *base = strrchr(warehouse, '/');
    base = base ? base + 1 : warehouse;
    snprintf(prefix, sizeof prefix, "%s.new-", base);
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strncmp(de->d_name, prefix, strlen(prefix)) == 0) {
            char p[8400];
            snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
            unlink(p);
        }
    }
    closedir(d);
}

/* The published release's id and, when staging has no row for it (a run killed between the
 * rename and the staging commit), the row recorded now. */
static int64_t current_release(sqlite3 *staging, const char *warehouse, const char *rel_dir)
{
    sqlite3 *cur = NULL;
    dtp_error e;
    dtp_error_clear(&e);
    if (access(warehouse, F_OK) != 0 || dtp_load_open_release(warehouse, &cur, &e) != DTP_OK)
        return 0;
    sqlite3_stmt *s = NULL;
    int64_t id = 0;
    if (sqlite3_prepare_v2(cur,
                           "SELECT id, run_id, published_at, cells, manifest_sha256 FROM"
                           " release",
                           -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        id = sqlite3_column_int64(s, 0);
        sqlite3_stmt *ins = NULL;
        char path[4200];
        snprintf(path, sizeof path, "%s/%lld.db", rel_dir, (long long)id);
        if (sqlite3_prepare_v2(staging,
                               "INSERT OR IGNORE INTO releases(id, run_id, path, published_at,"
                               " cells, manifest_sha256) VALUES(?,?,?,?,?,?)",
                               -1, &ins, NULL) == SQLITE_OK) {
            sqlite3_bind_int64(ins, 1, id);
            sqlite3_bind_value(ins, 2, sqlite3_column_value(s, 1));
            sqlite3_bind_text(ins, 3, path, -1, SQLITE_TRANSIENT);
            sqlite3_bind_value(ins, 4, sqlite3_column_value(s, 2));
            sqlite3_bind_value(ins, 5, sqlite3_column_value(s, 3));
            sqlite3_bind_value(ins, 6, sqlite3_column_value(s, 4));
            sqlite3_step(ins);
        }
        sqlite3_finalize(ins);
    }
    sqlite3_finalize(s);
    sqlite3_close(cur);
    return id;
}

/* Drop the oldest kept releases beyond keep (never the one just published). */
static void prune_releases(const char *rel_dir, int keep, int64_t newest)
{
    if (keep < 1)
        keep = 1;
    for (int64_t id = newest - keep; id >= 1; id--) {
        char p[4200];
        snprintf(p, sizeof p, "%s/%lld.db", rel_dir, (long long)id);
        if (access(p, F_OK) != 0 && id < newest - keep - 64)
            break; /* far past anything kept: stop scanning */
        unlink(p);
        snprintf(p, sizeof p, "%s/%lld.json", rel_dir, (long long)id);
        unlink(p);
    }
}

dtp_status dtp_load_publish(sqlite3 *staging, const dtp_archive *ar, const dtp_load_options *o,
                            dtp_load_result *res, dtp_error *err)
{
    memset(res, 0, sizeof *res);
    dtp_status st = DTP_OK;
    sqlite3 *db = NULL;
    char *part = NULL, *manifest_text = NULL;
    json_t *counts = json_object(), *failed = json_object(), *manifest = NULL;
    char newpath[4200], rel_dir[4200], wh_dir[4096], rel_json[4300] = "";
    int staging_tx = 0, built = 0;
    side_job hjob = {0}, ijob = {0};
    double tstep[2] = {mono_now(), cpu_now()};
    if (!counts || !failed) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, "load", "out of memory");
        goto out;
    }
    const char *stg_path = sqlite3_db_filename(staging, "main");
    if (!stg_path || !*stg_path) {
        st = dtp_error_set(err, DTP_ERR_USAGE, "load", "staging database has no file");
        goto out;
    }
    snprintf(rel_dir, sizeof rel_dir, "%s/releases", o->data_dir);
    dir_of(o->warehouse, wh_dir, sizeof wh_dir);
    if ((st = dtp_mkdirs(rel_dir, err)) != DTP_OK || (st = dtp_mkdirs(wh_dir, err)) != DTP_OK)
        goto out;
    remove_stale_builds(o->warehouse);

    int64_t prev_id = current_release(staging, o->warehouse, rel_dir);
    int64_t id = query_int(staging, "SELECT MAX(id) FROM releases", 0);
    if (prev_id > id)
        id = prev_id;
    int64_t fid = max_release_file(rel_dir);
    if (fid > id)
        id = fid;
    id++;
    res->release_id = id;

    snprintf(newpath, sizeof newpath, "%s.new-%ld", o->warehouse, (long)getpid());
    unlink(newpath);
    built = 1;
    /* NOMUTEX: this connection is used by one thread only; the per-call mutex is measurable */
    if (sqlite3_open_v2(newpath, &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI |
                            SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        dtp_error_locatef(err, "%s", newpath);
        st = db_fail(db, "create release file", err);
        goto out;
    }
    /* No journal: the file is private until renamed, and a failed build is deleted whole.
     * 16 KiB pages: fewer pages to allocate, write, check and hash than with 4 KiB (measured
     * in bench/README.md). The checks and the content hash read the file through a memory
     * map rather than copying each page out of the OS cache. */
    if ((st = exec(db,
                   "PRAGMA page_size = 16384; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                   " PRAGMA cache_size = -262144; PRAGMA mmap_size = 2147418112;"
                   " PRAGMA temp_store = MEMORY;",
                   "configure release file", err)) != DTP_OK)
        goto out;
    sqlite3_create_function(db, "dtp_ln", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_ln, NULL,
                            NULL);
    if ((st = schema_part("tables", &part, err)) != DTP_OK ||
        (st = exec(db, part, "create warehouse tables", err)) != DTP_OK)
        goto out;
    free(part);
    part = NULL;
    {
        sqlite3_stmt *s = NULL;
        char *uri = sqlite3_mprintf("file:%s?mode=ro", stg_path);
        int ok = uri && sqlite3_prepare_v2(db, "ATTACH ? AS stg", -1, &s, NULL) == SQLITE_OK;
        if (ok) {
            sqlite3_bind_text(s, 1, uri, -1, SQLITE_TRANSIENT);
            ok = sqlite3_step(s) == SQLITE_DONE;
        }
        sqlite3_finalize(s);
        sqlite3_free(uri);
        if (!ok) {
            dtp_error_locatef(err, "%s", stg_path);
            st = db_fail(db, "attach staging", err);
            goto out;
        }
    }
    /* One read transaction over staging, so the copy is a consistent snapshot. */
    if ((st = exec(db, "BEGIN", "begin copy", err)) != DTP_OK ||
        (st = copy_staging(db, o, counts, err)) != DTP_OK)
        goto out;
    step_done(o, "copy", tstep);
    if ((st = fill_release_tables(db, o, err)) != DTP_OK ||
        (st = exec(db, "COMMIT", "commit copy", err)) != DTP_OK)
        goto out;
    if ((st = exec(db, "DETACH stg", "detach staging", err)) != DTP_OK)
        goto out;
    step_done(o, "release tables, commit", tstep);
    if ((st = stop_point(o, "copied", err)) != DTP_OK)
        goto out;
    if ((st = schema_part("indexes", &part, err)) != DTP_OK ||
        (st = exec(db, part, "create warehouse indexes", err)) != DTP_OK)
        goto out;
    free(part);
    part = NULL;
    step_done(o, "indexes", tstep);
    if ((st = schema_part("views", &part, err)) != DTP_OK ||
        (st = exec(db, part, "create warehouse views", err)) != DTP_OK)
        goto out;
    free(part);
    part = NULL;

    /* Checks. Each failure is appended to staging check_results. integrity_check and the
     * content hash for the manifest run beside the other checks (side_job). */
    side_job_start(&ijob, newpath, 1);
    side_job_start(&hjob, newpath, 0);
    check_ctx cc = {staging, o->run_id, o, failed};
    int64_t problems = 0, lineage_problems = 0;
    /* one staging transaction for all check results (thousands of failures stay quick) */
    if ((st = dtp_db_begin(staging, err)) != DTP_OK)
        goto out;
    staging_tx = 1;
    if ((st = structural_checks(db, o, &cc, &problems, tstep, err)) != DTP_OK)
        goto out;
    step_done(o, "foreign key, balance and expected rows checks", tstep);
    /* the foreign key check above proved every lineage reference exists when it passed */
    int fk_ok = !json_object_get(failed, "foreign_key");
    if ((st = dtp_load_check_lineage_fk(db, ar, fk_ok, record_problem, &cc, &lineage_problems,
                                        err)) != DTP_OK)
        goto out;
    problems += lineage_problems;
    step_done(o, "lineage check", tstep);
    if ((st = side_job_finish(&ijob, err)) != DTP_OK)
        goto out;
    for (size_t i = 0; i < ijob.nmsgs; i++) {
        dtp_load_problem p = {.check = "integrity", .detail = ijob.msgs[i]};
        problems++;
        record_problem(&cc, &p);
    }
    step_done(o, "integrity check (wait for its job)", tstep);
    res->problems = problems;
    res->cells = query_int(
        db, "SELECT COUNT(*) FROM panel_cells WHERE status IN " DTP_LOAD_PUBLISHED_STATUSES, 0);
    const char *all_checks[] = {"integrity",        "foreign_key", "balance", "expected_rows",
                                "artifact_missing", "lineage",     NULL};
    for (size_t i = 0; all_checks[i]; i++) {
        dtp_error ignored;
        dtp_error_clear(&ignored);
        if (!json_object_get(failed, all_checks[i]))
            dtp_staging_add_check(staging, o->run_id, "load", all_checks[i], "pass", NULL, 0, NULL,
                                  NULL, &ignored);
    }
    if ((st = dtp_db_commit(staging, err)) != DTP_OK)
        goto out;
    staging_tx = 0;
    if (problems > 0) {
        st = dtp_error_set(err, DTP_ERR_VALIDATION, "load",
                           "%lld check(s) failed; release %lld not published (the previous"
                           " release stays published; see check_results)",
                           (long long)problems, (long long)id);
        goto out;
    }
    if ((st = stop_point(o, "checked", err)) != DTP_OK)
        goto out;

    /* The release row and its manifest. */
    if ((st = side_job_finish(&hjob, err)) != DTP_OK)
        goto out;
    memcpy(res->content_sha256, hjob.hex, sizeof hjob.hex);
    step_done(o, "content hash (wait for its job)", tstep);
    char now[32];
    dtp_now_iso(now);
    int sv = dtp_staging_version(staging);
    manifest =
        json_pack("{s:I, s:I, s:s, s:s, s:i, s:s, s:I, s:o, s:O, s:{s:i, s:i}, s:s}", "release_id",
                  (json_int_t)id, "run_id", (json_int_t)o->run_id, "published_at", now, "version",
                  o->version ? o->version : "", "staging_version", sv, "content_sha256",
                  res->content_sha256, "cells", (json_int_t)res->cells, "prev_release_id",
                  prev_id ? json_integer(prev_id) : json_null(), "rows", counts, "years", "first",
                  o->year_first, "last", o->year_last, "total_definition",
                  o->total_definition ? o->total_definition : "sum");
    if (!manifest || !(manifest_text = json_dumps(manifest, JSON_SORT_KEYS | JSON_INDENT(2)))) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, "load", "cannot build release manifest");
        goto out;
    }
    char manifest_sha[65];
    dtp_sha256_hex(manifest_text, strlen(manifest_text), manifest_sha);
    {
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(db,
                               "INSERT INTO release(id, run_id, published_at, version,"
                               " staging_version, content_sha256, cells, prev_release_id,"
                               " manifest, manifest_sha256) VALUES(?,?,?,?,?,?,?,?,?,?)",
                               -1, &s, NULL) != SQLITE_OK) {
            st = db_fail(db, "prepare release row", err);
            goto out;
        }
        sqlite3_bind_int64(s, 1, id);
        if (o->run_id)
            sqlite3_bind_int64(s, 2, o->run_id);
        sqlite3_bind_text(s, 3, now, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 4, o->version ? o->version : "", -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 5, sv);
        sqlite3_bind_text(s, 6, res->content_sha256, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 7, res->cells);
        if (prev_id)
            sqlite3_bind_int64(s, 8, prev_id);
        sqlite3_bind_text(s, 9, manifest_text, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 10, manifest_sha, -1, SQLITE_STATIC);
        int rc = sqlite3_step(s);
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE) {
            st = db_fail(db, "release row", err);
            goto out;
        }
    }
    if (sqlite3_close(db) != SQLITE_OK) {
        st = db_fail(db, "close release file", err);
        db = NULL;
        goto out;
    }
    db = NULL;
    if ((st = fsync_path(newpath, err)) != DTP_OK)
        goto out;
    step_done(o, "close, fsync", tstep);
    chmod(newpath, 0444); /* a release is never edited in place: its copy shares the inode */
    if ((st = dtp_sha256_file_hex(newpath, res->file_sha256, err)) != DTP_OK)
        goto out;
    step_done(o, "file hash", tstep);
    if ((st = stop_point(o, "hashed", err)) != DTP_OK)
        goto out;

    /* Keep the published release (if releases/ lacks it) and the new one under releases/. */
    if (prev_id > 0) {
        char prev_path[4300];
        snprintf(prev_path, sizeof prev_path, "%s/%lld.db", rel_dir, (long long)prev_id);
        if (access(prev_path, F_OK) != 0 &&
            (st = keep_release_file(o->warehouse, prev_path, err)) != DTP_OK)
            goto out;
    }
    snprintf(res->release_path, sizeof res->release_path, "%s/%lld.db", rel_dir, (long long)id);
    unlink(res->release_path); /* a leftover of a killed run that never got published */
    if ((st = keep_release_file(newpath, res->release_path, err)) != DTP_OK)
        goto out;
    json_object_set_new(manifest, "file_sha256", json_string(res->file_sha256));
    free(manifest_text);
    manifest_text = json_dumps(manifest, JSON_SORT_KEYS | JSON_INDENT(2));
    snprintf(rel_json, sizeof rel_json, "%s/%lld.json", rel_dir, (long long)id);
    if (!manifest_text) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, "load", "cannot build release manifest");
        goto out;
    }
    if ((st = write_text_atomic(rel_json, manifest_text, err)) != DTP_OK ||
        (st = dtp_fsync_dir(rel_dir, err)) != DTP_OK)
        goto out;
    if ((st = stop_point(o, "linked", err)) != DTP_OK)
        goto out;

    /* Record the release in staging; committed only once the rename has happened, so staging
     * never names a release that was not published (a kill in between is repaired by the next
     * run from the published file's own release row). */
    if ((st = dtp_db_begin(staging, err)) != DTP_OK)
        goto out;
    staging_tx = 1;
    {
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(staging,
                               "INSERT INTO releases(id, run_id, path, sha256, published_at,"
                               " cells, manifest_sha256) VALUES(?,?,?,?,?,?,?)",
                               -1, &s, NULL) != SQLITE_OK) {
            st = db_fail(staging, "prepare release record", err);
            goto out;
        }
        sqlite3_bind_int64(s, 1, id);
        if (o->run_id)
            sqlite3_bind_int64(s, 2, o->run_id);
        sqlite3_bind_text(s, 3, res->release_path, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 4, res->file_sha256, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 5, now, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 6, res->cells);
        sqlite3_bind_text(s, 7, manifest_sha, -1, SQLITE_STATIC);
        int rc = sqlite3_step(s);
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE) {
            st = db_fail(staging, "record release", err);
            goto out;
        }
    }
    if ((st = stop_point(o, "recorded", err)) != DTP_OK)
        goto out;
    if (rename(newpath, o->warehouse) != 0) {
        dtp_error_locatef(err, "%s", o->warehouse);
        st = dtp_error_set(err, DTP_ERR_IO, "load", "cannot publish (rename): %s", strerror(errno));
        goto out;
    }
    built = 0;
    if ((st = dtp_fsync_dir(wh_dir, err)) != DTP_OK)
        goto out;
    stop_point(o, "renamed", err);
    if ((st = dtp_db_commit(staging, err)) != DTP_OK)
        goto out;
    staging_tx = 0;
    prune_releases(rel_dir, o->keep_releases, id);
    if (o->log)
        dtp_log_msg(o->log, DTP_LOG_INFO, "load", "published",
                    "published release %lld: %lld cells (%s)", (long long)id, (long long)res->cells,
                    o->warehouse);
out:
    side_job_free(&ijob); /* joins a job still running after a failure: it reads newpath */
    side_job_free(&hjob);
    if (staging_tx)
        dtp_db_rollback(staging);
    if (db)
        sqlite3_close(db);
    if (built) {
        unlink(newpath);
        if (st != DTP_OK && res->release_path[0] && access(res->release_path, F_OK) == 0) {
            /* the copy under releases/ of a release that was not published */
            unlink(res->release_path);
            unlink(rel_json);
            res->release_path[0] = '\0';
        }
    }
    free(part);
    free(manifest_text);
    json_decref(manifest);
    json_decref(counts);
    json_decref(failed);
    return st;
}
