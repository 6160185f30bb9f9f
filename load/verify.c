/* verify: re-hash the raw artifacts a published release depends on, check the lineage of every
 * published cell, the release's own manifest and content hash, and the run manifest chain. */
#include <stdio.h>
#include <string.h>

#include "common/run.h"
#include "common/sha256.h"
#include "load/load.h"

static void problem(dtp_load_problem_fn fn, void *ctx, int64_t *n, const char *check,
                    const char *artifact, const char *detail)
{
    (*n)++;
    dtp_load_problem p = {.check = check, .artifact = artifact ? artifact : "", .detail = detail};
    if (fn)
        fn(ctx, &p);
}

static dtp_status rehash_artifacts(sqlite3 *wh, const dtp_archive *ar, dtp_load_problem_fn fn,
                                   void *ctx, int64_t *n, dtp_error *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(wh,
                           "SELECT artifact_sha256 FROM observations UNION SELECT artifact_sha256"
                           " FROM cert_records UNION SELECT artifact_sha256 FROM source_artifacts"
                           " ORDER BY 1",
                           -1, &s, NULL) != SQLITE_OK)
        return dtp_error_set(err, DTP_ERR_DB, "load", "list artifacts: %s", sqlite3_errmsg(wh));
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *sha = (const char *)sqlite3_column_text(s, 0);
        if (!sha)
            continue;
        dtp_error e;
        dtp_error_clear(&e);
        dtp_status st = dtp_archive_verify(ar, sha, &e);
        if (st == DTP_ERR_INTEGRITY)
            problem(fn, ctx, n, "artifact_hash", sha,
                    "stored bytes no longer match their sha256 (the raw artifact was modified)");
        else if (st == DTP_ERR_NOT_FOUND)
            problem(fn, ctx, n, "artifact_missing", sha, "artifact is not in the raw archive");
        else if (st != DTP_OK)
            problem(fn, ctx, n, "artifact_read", sha, e.message);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return dtp_error_set(err, DTP_ERR_DB, "load", "list artifacts: %s", sqlite3_errmsg(wh));
    return DTP_OK;
}

typedef struct skip_missing {
    dtp_load_problem_fn fn;
    void *ctx;
    int64_t dropped;
} skip_missing;

/* Missing artifacts were reported by the re-hash already: pass the rest on. */
static void lineage_problem(void *vctx, const dtp_load_problem *p)
{
    skip_missing *s = vctx;
    if (strcmp(p->check, "artifact_missing") == 0) {
        s->dropped++;
        return;
    }
    if (s->fn)
        s->fn(s->ctx, p);
}

static dtp_status release_manifest(sqlite3 *wh, dtp_load_problem_fn fn, void *ctx, int64_t *n,
                                   dtp_error *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(wh, "SELECT manifest, manifest_sha256, content_sha256 FROM release", -1,
                           &s, NULL) != SQLITE_OK ||
        sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_finalize(s);
        problem(fn, ctx, n, "release_manifest", NULL, "the warehouse has no release row");
        return DTP_OK;
    }
    const char *m = (const char *)sqlite3_column_text(s, 0);
    const char *msha = (const char *)sqlite3_column_text(s, 1);
    const char *csha = (const char *)sqlite3_column_text(s, 2);
    char h[65];
    if (!m || !msha || dtp_sha256_hex(m, strlen(m), h) != DTP_OK || strcmp(h, msha) != 0)
        problem(fn, ctx, n, "release_manifest", NULL,
                "the release manifest does not match its recorded sha256");
    char content[65];
    dtp_status st = dtp_load_content_hash(wh, content, err);
    if (st == DTP_OK && (!csha || strcmp(content, csha) != 0))
        problem(fn, ctx, n, "release_content", NULL,
                "the warehouse content no longer matches the content sha256 recorded at"
                " publication (edited after release)");
    sqlite3_finalize(s);
    return st;
}

dtp_status dtp_load_verify(sqlite3 *wh, const dtp_archive *ar, sqlite3 *staging,
                           dtp_load_problem_fn fn, void *ctx, int64_t *problems, dtp_error *err)
{
    *problems = 0;
    dtp_status st;
    if ((st = rehash_artifacts(wh, ar, fn, ctx, problems, err)) != DTP_OK)
        return st;
    skip_missing sm = {fn, ctx, 0};
    int64_t lp = 0;
    if ((st = dtp_load_check_lineage(wh, ar, lineage_problem, &sm, &lp, err)) != DTP_OK)
        return st;
    *problems += lp - sm.dropped;
    if ((st = release_manifest(wh, fn, ctx, problems, err)) != DTP_OK)
        return st;
    dtp_error e;
    dtp_error_clear(&e);
    if (dtp_run_verify_chain(wh, &e) != DTP_OK)
        problem(fn, ctx, problems, "manifest_chain", NULL, e.message);
    if (staging) {
        dtp_error_clear(&e);
        if (dtp_run_verify_chain(staging, &e) != DTP_OK)
            problem(fn, ctx, problems, "manifest_chain", NULL, e.message);
        /* the published file is byte for byte what the load recorded */
        sqlite3_stmt *s = NULL;
        const char *path = sqlite3_db_filename(wh, "main");
        if (path && *path &&
            sqlite3_prepare_v2(staging,
                               "SELECT r.sha256 FROM releases r WHERE r.id = ? AND r.sha256 IS NOT"
                               " NULL",
                               -1, &s, NULL) == SQLITE_OK) {
            sqlite3_stmt *q = NULL;
            int64_t id = 0;
            if (sqlite3_prepare_v2(wh, "SELECT id FROM release", -1, &q, NULL) == SQLITE_OK &&
                sqlite3_step(q) == SQLITE_ROW)
                id = sqlite3_column_int64(q, 0);
            sqlite3_finalize(q);
            sqlite3_bind_int64(s, 1, id);
            if (sqlite3_step(s) == SQLITE_ROW) {
                const char *want = (const char *)sqlite3_column_text(s, 0);
                char got[65];
                if (dtp_sha256_file_hex(path, got, &e) != DTP_OK)
                    problem(fn, ctx, problems, "release_file", NULL, e.message);
                else if (want && strcmp(got, want) != 0)
                    problem(fn, ctx, problems, "release_file", NULL,
                            "the published file's sha256 differs from the one recorded when it"
                            " was published");
            }
        }
        sqlite3_finalize(s);
    }
    return DTP_OK;
}
