/* The ocr stage driver over an inbox of generated captures (a JSON list response, a saved HTML
 * detail page, one screenshot): records with evidence, nothing unaccepted stored as fact, the
 * review queue, the recognition cache, and reviewer corrections applied on the next run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/staging.h"
#include "fetch/fetch.h"
#include "ocr/ocr.h"

static char dir[256];
static sqlite3 *db;
static dtp_archive *ar;
static dtp_config *cfg;

static void copy(const char *rel, const char *to)
{
    char src[4096], dst[4096];
    snprintf(src, sizeof src, "%s/%s", getenv("DTP_FIXTURES"), rel);
    snprintf(dst, sizeof dst, "%s/inbox/%s", dir, to);
    pid_t pid = fork();
    if (pid == 0) {
        execlp("cp", "cp", src, dst, (char *)NULL);
        _exit(127);
    }
    int ws;
    waitpid(pid, &ws, 0);
    assert_int_equal(WEXITSTATUS(ws), 0);
}

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/dtp-ocrstage-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    char p[512];
    snprintf(p, sizeof p, "%s/inbox", dir);
    mkdir(p, 0755);
    copy("cnca/json/certecloud_data_rows.json", "list.json");
    copy("cnca/html/detail_table.html", "detail.html");
    copy("cnca/pages/detail-table-z100-1.png", "detail.png");
    snprintf(p, sizeof p, "%s/staging.db", dir);
    dtp_error err;
    assert_int_equal(dtp_staging_open(p, &db, &err), DTP_OK);
    assert_int_equal(dtp_archive_open(dir, &ar, &err), DTP_OK);
    cfg = dtp_config_new();
    char set[700];
    snprintf(set, sizeof set, "source.cnca.inbox=%s/inbox", dir);
    assert_int_equal(dtp_config_set_arg(cfg, "source.cnca.kind=cnca", &err), DTP_OK);
    assert_int_equal(dtp_config_set_arg(cfg, set, &err), DTP_OK);
    assert_int_equal(dtp_config_set_arg(cfg, "ocr.workers=1", &err), DTP_OK);
    static dtp_fetch_result fr;
    dtp_fetch_opts fo = {.db = db, .archive = ar, .cfg = cfg, .version = "test"};
    assert_int_equal(dtp_fetch_run(&fo, &fr, &err), DTP_OK);
    assert_int_equal(fr.sources[0].artifacts, 3);
    return 0;
}

static int teardown(void **state)
{
    dtp_config_free(cfg);
    dtp_archive_free(ar);
    dtp_staging_close(db);
    pid_t pid = fork();
    if (pid == 0) {
        execlp("rm", "rm", "-rf", dir, (char *)NULL);
        _exit(127);
    }
    waitpid(pid, NULL, 0);
    return 0;
}

static long long q(const char *sql)
{
    sqlite3_stmt *s;
    long long n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
}

static dtp_status run(dtp_ocr_stage_result *r)
{
    dtp_error err;
    dtp_error_clear(&err);
    dtp_ocr_stage_opts o = {.db = db, .archive = ar, .cfg = cfg, .data_dir = dir, .run_id = 0};
    dtp_status st = dtp_ocr_stage_run(&o, r, &err);
    if (st != DTP_OK)
        print_message("ocr stage: %s: %s\n", err.locator, err.message);
    return st;
}

static void records_cache_and_corrections(void **state)
{
    dtp_ocr_stage_result r;
    assert_int_equal(run(&r), DTP_OK);
    assert_int_equal(r.artifacts, 3);
    assert_int_equal(r.images, 1);
    assert_int_equal(r.recognised, 1);
    assert_true(r.records >= 3);
    /* every stored field keeps its evidence; text captures carry locators, images boxes */
    assert_int_equal(q("SELECT COUNT(*) FROM cert_fields f JOIN cert_records c ON c.id ="
                       " f.record_id WHERE c.capture = 'json' AND f.locator NOT LIKE '$.%'"),
                     0);
    assert_int_equal(q("SELECT COUNT(*) FROM cert_fields f JOIN cert_records c ON c.id ="
                       " f.record_id WHERE c.capture = 'image' AND (f.bbox_w IS NULL OR"
                       " f.engine NOT LIKE 'tesseract=%' OR f.preprocess IS NULL)"),
                     0);
    /* no unaccepted value is a fact: a record column is set only from an accepted field */
    assert_int_equal(q("SELECT COUNT(*) FROM cert_records c JOIN cert_fields f ON f.record_id ="
                       " c.id AND f.field = 'uscc' WHERE f.accepted = 0 AND c.uscc IS NOT NULL"),
                     0);
    assert_int_equal(q("SELECT COUNT(*) FROM cert_records c JOIN cert_fields f ON f.record_id ="
                       " c.id AND f.field = 'expiry_date' WHERE f.accepted = 0 AND"
                       " c.expiry_date IS NOT NULL"),
                     0);
    long long queued = q("SELECT COUNT(*) FROM review_queue WHERE resolved_run IS NULL");
    assert_int_equal(queued, r.queued_fields);
    assert_true(queued > 0);
    char path[600];
    snprintf(path, sizeof path, "%s/review/ocr.csv", dir);
    assert_int_equal(access(path, R_OK), 0);

    /* again: nothing is recognised twice */
    assert_int_equal(run(&r), DTP_OK);
    assert_int_equal(r.recognised, 0);
    assert_int_equal(r.cached, 3);

    /* a reviewer corrects the JSON row whose expiry date is not a real date (2026-02-30) */
    sqlite3_stmt *s;
    char sha[65] = "", key[128] = "";
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT artifact_sha256, record_key FROM review_queue"
                                        " WHERE field = 'expiry_date' AND ocr_text = '2026-02-30'",
                                        -1, &s, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    snprintf(sha, sizeof sha, "%s", (const char *)sqlite3_column_text(s, 0));
    snprintf(key, sizeof key, "%s", (const char *)sqlite3_column_text(s, 1));
    sqlite3_finalize(s);
    snprintf(path, sizeof path, "%s/review/corrections.csv", dir);
    FILE *f = fopen(path, "w");
    fprintf(f,
            "artifact_sha256,record_key,field,value,reviewer,date\n%s,%s,expiry_date,"
            "2026-02-28,a.reviewer,2026-11-20\n",
            sha, key);
    fclose(f);
    assert_int_equal(run(&r), DTP_OK);
    assert_int_equal(r.corrections, 1);
    assert_int_equal(q("SELECT COUNT(*) FROM cert_fields WHERE field = 'expiry_date' AND value ="
                       " '2026-02-28' AND accepted = 1 AND reviewer = 'a.reviewer'"),
                     1);
    assert_int_equal(q("SELECT COUNT(*) FROM review_queue WHERE field = 'expiry_date' AND"
                       " ocr_text = '2026-02-30' AND resolved_run IS NULL"),
                     0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(records_cache_and_corrections, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
