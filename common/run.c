#include "common/run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <jansson.h>

#include "common/archive.h"
#include "common/buf.h"
#include "common/sha256.h"
#include "common/staging.h"

struct dtp_lock {
    int fd;
};

dtp_status dtp_lock_acquire(const char *data_dir, dtp_lock **out, dtp_error *err)
{
    *out = NULL;
    char path[4096];
    dtp_status st = dtp_mkdirs(data_dir, err);
    if (st != DTP_OK)
        return st;
    snprintf(path, sizeof path, "%s/dtpanel.lock", data_dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        dtp_error_locatef(err, "%s", path);
        return dtp_error_set(err, DTP_ERR_IO, "run", "cannot open lock file: %s", strerror(errno));
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        char holder[32] = "";
        ssize_t n = pread(fd, holder, sizeof holder - 1, 0);
        holder[n > 0 ? n : 0] = '\0';
        holder[strcspn(holder, "\n")] = '\0';
        close(fd);
        dtp_error_locatef(err, "%s", path);
        if (e == EWOULDBLOCK)
            return dtp_error_set(err, DTP_ERR_LOCKED, "run",
                                 "another run (pid %s) holds the data directory lock",
                                 holder[0] ? holder : "unknown");
        return dtp_error_set(err, DTP_ERR_IO, "run", "cannot lock: %s", strerror(e));
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
        /* the pid is informational only; the flock is what excludes other runs */
    }
    dtp_lock *lk = malloc(sizeof *lk);
    if (!lk) {
        close(fd);
        return dtp_error_set(err, DTP_ERR_NOMEM, "run", "out of memory");
    }
    lk->fd = fd;
    *out = lk;
    return DTP_OK;
}

void dtp_lock_release(dtp_lock *lk)
{
    if (!lk)
        return;
    flock(lk->fd, LOCK_UN);
    close(lk->fd);
    free(lk);
}

struct dtp_run {
    sqlite3 *db;
    int64_t id;
    char command[64];
    char started[32];
    char version[128];
    char config_sha256[65];
    json_t *counts;
};

int64_t dtp_run_id(const dtp_run *r)
{
    return r->id;
}

typedef struct cfg_text_ctx {
    dtp_buf b;
} cfg_text_ctx;

static void cfg_text_visit(void *ctx, const char *section, const char *key, const char *value,
                           const char *origin, const char *help)
{
    cfg_text_ctx *c = ctx;
    dtp_buf_printf(&c->b, "%s.%s=%s\n", section, key, value);
}

dtp_status dtp_run_begin(sqlite3 *db, const char *command, const dtp_config *cfg,
                         const char *version, dtp_run **out, dtp_error *err)
{
    *out = NULL;
    dtp_status st;
    dtp_run *r = calloc(1, sizeof *r);
    if (!r || !(r->counts = json_object())) {
        free(r);
        return dtp_error_set(err, DTP_ERR_NOMEM, "run", "out of memory");
    }
    r->db = db;
    snprintf(r->command, sizeof r->command, "%s", command);
    snprintf(r->version, sizeof r->version, "%s", version);
    dtp_now_iso(r->started);
    if ((st = dtp_config_hash(cfg, r->config_sha256)) != DTP_OK) {
        json_decref(r->counts);
        free(r);
        return dtp_error_set(err, st, "run", "cannot hash configuration");
    }
    cfg_text_ctx c;
    dtp_buf_init(&c.b, (size_t)16 << 20);
    dtp_config_each(cfg, cfg_text_visit, &c);

    if ((st = dtp_db_exec(db,
                          "UPDATE runs SET status = 'interrupted', message = 'the process "
                          "ended without finishing the run' WHERE status = 'running'",
                          "mark interrupted runs", err)) != DTP_OK)
        goto fail;
    static const char sql[] = "INSERT INTO runs(command, started_at, status, version,"
                              " config_sha256, config_text) VALUES(?,?,'running',?,?,?)";
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
        st = dtp_db_error(db, "prepare run insert", err);
        goto fail;
    }
    sqlite3_bind_text(s, 1, r->command, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, r->started, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, r->version, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, r->config_sha256, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, dtp_buf_str(&c.b), -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        st = dtp_db_error(db, "insert run", err);
        goto fail;
    }
    r->id = sqlite3_last_insert_rowid(db);
    dtp_buf_free(&c.b);
    *out = r;
    return DTP_OK;
fail:
    dtp_buf_free(&c.b);
    json_decref(r->counts);
    free(r);
    return st;
}

void dtp_run_count(dtp_run *r, const char *stage, const char *key, int64_t n)
{
    if (!r)
        return;
    json_t *s = json_object_get(r->counts, stage);
    if (!s) {
        s = json_object();
        json_object_set_new(r->counts, stage, s);
    }
    json_t *v = json_object_get(s, key);
    json_int_t have = v ? json_integer_value(v) : 0;
    json_object_set_new(s, key, json_integer(have + n));
}

static dtp_status prev_manifest(sqlite3 *db, int64_t before, char *out, size_t outsz,
                                dtp_error *err)
{
    sqlite3_stmt *s = NULL;
    out[0] = '\0';
    if (sqlite3_prepare_v2(db,
                           "SELECT manifest_sha256 FROM runs WHERE id < ? AND manifest_sha256"
                           " IS NOT NULL ORDER BY id DESC LIMIT 1",
                           -1, &s, NULL) != SQLITE_OK)
        return dtp_db_error(db, "prepare manifest lookup", err);
    sqlite3_bind_int64(s, 1, before);
    if (sqlite3_step(s) == SQLITE_ROW)
        snprintf(out, outsz, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return DTP_OK;
}

static dtp_status write_file_atomic(const char *dir, const char *name, const char *text,
                                    dtp_error *err)
{
    char tmp[4096], final[4096];
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
    snprintf(final, sizeof final, "%s/%s", dir, name);
    dtp_status st = dtp_mkdirs(dir, err);
    if (st != DTP_OK)
        return st;
    FILE *f = fopen(tmp, "w");
    if (!f) {
        dtp_error_locatef(err, "%s", tmp);
        return dtp_error_set(err, DTP_ERR_IO, "run", "cannot write manifest: %s", strerror(errno));
    }
    int ok = fputs(text, f) >= 0 && fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, final) != 0) {
        unlink(tmp);
        dtp_error_locatef(err, "%s", final);
        return dtp_error_set(err, DTP_ERR_IO, "run", "cannot write manifest: %s", strerror(errno));
    }
    return dtp_fsync_dir(dir, err);
}

dtp_status dtp_run_finish(dtp_run *r, const char *status, int exit_code, const char *message,
                          const char *manifest_dir, dtp_error *err)
{
    dtp_status st = DTP_OK;
    char ended[32], prev[65], sha[65];
    char *text = NULL;
    json_t *m = NULL;
    dtp_now_iso(ended);
    if ((st = prev_manifest(r->db, r->id, prev, sizeof prev, err)) != DTP_OK)
        goto out;
    m = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:O, s:s?, s:s?}", "run_id",
                  (json_int_t)r->id, "command", r->command, "version", r->version, "started_at",
                  r->started, "ended_at", ended, "config_sha256", r->config_sha256, "status",
                  status, "exit_code", exit_code, "counts", r->counts, "message", message,
                  "prev_manifest_sha256", prev[0] ? prev : NULL);
    if (!m) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, "run", "cannot build manifest");
        goto out;
    }
    text = json_dumps(m, JSON_SORT_KEYS | JSON_COMPACT);
    if (!text || dtp_sha256_hex(text, strlen(text), sha) != DTP_OK) {
        st = dtp_error_set(err, DTP_ERR_NOMEM, "run", "cannot serialise manifest");
        goto out;
    }
    char *counts = json_dumps(r->counts, JSON_SORT_KEYS | JSON_COMPACT);
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(r->db,
                           "UPDATE runs SET ended_at=?, status=?, exit_code=?, message=?,"
                           " counts=?, manifest=?, manifest_sha256=?, prev_manifest_sha256=?"
                           " WHERE id=?",
                           -1, &s, NULL) != SQLITE_OK) {
        free(counts);
        st = dtp_db_error(r->db, "prepare run update", err);
        goto out;
    }
    sqlite3_bind_text(s, 1, ended, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, status, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 3, exit_code);
    if (message)
        sqlite3_bind_text(s, 4, message, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, counts ? counts : "{}", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 6, text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 7, sha, -1, SQLITE_TRANSIENT);
    if (prev[0])
        sqlite3_bind_text(s, 8, prev, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 9, r->id);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    free(counts);
    if (rc != SQLITE_DONE) {
        st = dtp_db_error(r->db, "finish run", err);
        goto out;
    }
    if (manifest_dir) {
        char name[64];
        snprintf(name, sizeof name, "run-%lld.json", (long long)r->id);
        st = write_file_atomic(manifest_dir, name, text, err);
    }
out:
    free(text);
    json_decref(m);
    json_decref(r->counts);
    free(r);
    return st;
}

dtp_status dtp_run_verify_chain(sqlite3 *db, dtp_error *err)
{
    sqlite3_stmt *s = NULL;
    dtp_status st = DTP_OK;
    char prev[65] = "";
    if (sqlite3_prepare_v2(db,
                           "SELECT id, manifest, manifest_sha256, prev_manifest_sha256 FROM runs"
                           " WHERE manifest IS NOT NULL ORDER BY id",
                           -1, &s, NULL) != SQLITE_OK)
        return dtp_db_error(db, "prepare manifest chain", err);
    while (sqlite3_step(s) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(s, 0);
        const char *text = (const char *)sqlite3_column_text(s, 1);
        const char *sha = (const char *)sqlite3_column_text(s, 2);
        const char *p = (const char *)sqlite3_column_text(s, 3);
        char h[65];
        dtp_sha256_hex(text, strlen(text), h);
        if (!sha || strcmp(h, sha) != 0) {
            st = dtp_error_set(err, DTP_ERR_INTEGRITY, "run",
                               "run %lld: manifest text does not match its sha256", id);
            break;
        }
        if (strcmp(p ? p : "", prev) != 0) {
            st = dtp_error_set(err, DTP_ERR_INTEGRITY, "run",
                               "run %lld: manifest does not chain to the previous run's", id);
            break;
        }
        json_error_t je;
        json_t *m = json_loads(text, 0, &je);
        const char *mp = m ? json_string_value(json_object_get(m, "prev_manifest_sha256")) : NULL;
        int ok = m && strcmp(mp ? mp : "", prev) == 0;
        json_decref(m);
        if (!ok) {
            st = dtp_error_set(err, DTP_ERR_INTEGRITY, "run",
                               "run %lld: manifest names another previous manifest", id);
            break;
        }
        snprintf(prev, sizeof prev, "%s", sha);
    }
    sqlite3_finalize(s);
    return st;
}
