#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/run.h"
#include "common/staging.h"

static char dir[256];

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/dtp-staging-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    pid_t pid = fork();
    if (pid == 0) {
        execlp("rm", "rm", "-rf", dir, (char *)NULL);
        _exit(127);
    }
    waitpid(pid, NULL, 0);
    return 0;
}

static int count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s;
    int n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return n;
}

static void migrate_from_empty_and_rerun_is_noop(void **state)
{
    char path[512];
    snprintf(path, sizeof path, "%s/staging.db", dir);
    sqlite3 *db;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_staging_open(path, &db, &err), DTP_OK);
    assert_int_equal(dtp_staging_version(db), dtp_staging_latest_version());
    int tables = count(db, "SELECT COUNT(*) FROM sqlite_master WHERE type='table'");
    assert_true(tables >= 20);
    assert_int_equal(dtp_staging_migrate(db, &err), DTP_OK);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM sqlite_master WHERE type='table'"), tables);
    dtp_staging_close(db);
    /* reopen: still the same version, nothing re-applied */
    assert_int_equal(dtp_staging_open(path, &db, &err), DTP_OK);
    assert_int_equal(dtp_staging_version(db), dtp_staging_latest_version());
    dtp_staging_close(db);
}

static void newer_schema_refused(void **state)
{
    char path[512];
    snprintf(path, sizeof path, "%s/staging.db", dir);
    sqlite3 *db;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL);
    sqlite3_close(db);
    assert_int_equal(dtp_staging_open(path, &db, &err), DTP_ERR_DB);
    assert_non_null(strstr(err.message, "newer"));
}

static void check_results_are_append_only(void **state)
{
    char path[512];
    snprintf(path, sizeof path, "%s/staging.db", dir);
    sqlite3 *db;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_staging_open(path, &db, &err), DTP_OK);
    assert_int_equal(
        dtp_staging_add_check(db, 0, "clean", "balanced", "pass", NULL, 0, NULL, NULL, &err),
        DTP_OK);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM check_results", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(
        sqlite3_exec(db, "UPDATE check_results SET status='fail'", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM check_results WHERE status='pass'"), 1);
    dtp_staging_close(db);
}

static void observations_written_with_locators(void **state)
{
    char path[512];
    snprintf(path, sizeof path, "%s/staging.db", dir);
    sqlite3 *db;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_staging_open(path, &db, &err), DTP_OK);
    const char *sha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    assert_int_equal(dtp_staging_add_artifact(db, sha, 3, "text/csv", "x.csv", "itu", 0, &err),
                     DTP_OK);
    dtp_obs_writer *w;
    assert_int_equal(dtp_obs_writer_new(db, sha, &w, &err), DTP_OK);
    dtp_obs o = {.source = "itu",
                 .variable = "infra",
                 .entity_raw = "Afghanistan",
                 .entity_code = "AFG",
                 .entity_system = "iso3",
                 .year = 2016,
                 .value_raw = "24",
                 .has_value = 1,
                 .value = 24,
                 .unit = "%",
                 .locator = "x.csv:4:5"};
    assert_int_equal(dtp_obs_writer_add(w, &o, &err), DTP_OK);
    assert_int_equal(dtp_obs_writer_count(w), 1);
    dtp_obs_writer_free(w);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM observations WHERE locator='x.csv:4:5'"), 1);
    /* an observation must point at a stored artifact */
    assert_int_equal(dtp_obs_writer_new(db, "00", &w, &err), DTP_OK);
    assert_int_equal(dtp_obs_writer_add(w, &o, &err), DTP_ERR_DB);
    dtp_obs_writer_free(w);
    dtp_staging_close(db);
}

static void lock_contention(void **state)
{
    dtp_lock *lk;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_lock_acquire(dir, &lk, &err), DTP_OK);
    pid_t pid = fork();
    if (pid == 0) {
        dtp_lock *other;
        dtp_error e2;
        dtp_error_clear(&e2);
        dtp_status st = dtp_lock_acquire(dir, &other, &e2);
        _exit(st == DTP_ERR_LOCKED && strstr(e2.message, "another run") ? 0 : 1);
    }
    int ws;
    waitpid(pid, &ws, 0);
    assert_true(WIFEXITED(ws));
    assert_int_equal(WEXITSTATUS(ws), 0);
    dtp_lock_release(lk);
    /* released: a new holder gets it */
    pid = fork();
    if (pid == 0) {
        dtp_lock *other;
        _exit(dtp_lock_acquire(dir, &other, NULL) == DTP_OK ? 0 : 1);
    }
    waitpid(pid, &ws, 0);
    assert_int_equal(WEXITSTATUS(ws), 0);
}

static void manifest_chain(void **state)
{
    char path[512];
    snprintf(path, sizeof path, "%s/staging.db", dir);
    sqlite3 *db;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_staging_open(path, &db, &err), DTP_OK);
    dtp_config *cfg = dtp_config_new();
    for (int i = 0; i < 3; i++) {
        dtp_run *r;
        assert_int_equal(dtp_run_begin(db, "test", cfg, "dtpanel test", &r, &err), DTP_OK);
        dtp_run_count(r, "fetch", "artifacts", 2);
        dtp_run_count(r, "fetch", "artifacts", 1);
        assert_int_equal(dtp_run_finish(r, "ok", 0, NULL, dir, &err), DTP_OK);
    }
    assert_int_equal(dtp_run_verify_chain(db, &err), DTP_OK);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM runs WHERE prev_manifest_sha256 IS NULL"), 1);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM runs WHERE manifest LIKE '%\"artifacts\":3%'"),
                     3);
    /* a run left 'running' by a dead process is marked interrupted by the next begin */
    dtp_run *r;
    assert_int_equal(dtp_run_begin(db, "crashed", cfg, "v", &r, &err), DTP_OK);
    /* simulate the crash: forget r without finishing */
    dtp_run *r2;
    assert_int_equal(dtp_run_begin(db, "next", cfg, "v", &r2, &err), DTP_OK);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM runs WHERE status='interrupted'"), 1);
    assert_int_equal(dtp_run_finish(r2, "ok", 0, NULL, NULL, &err), DTP_OK);
    assert_int_equal(dtp_run_finish(r, "ok", 0, NULL, NULL, &err), DTP_OK);
    /* editing a manifest breaks the chain */
    sqlite3_exec(db, "UPDATE runs SET manifest = replace(manifest, 'test', 'tost') WHERE id = 2",
                 NULL, NULL, NULL);
    assert_int_equal(dtp_run_verify_chain(db, &err), DTP_ERR_INTEGRITY);
    assert_non_null(strstr(err.message, "run 2"));
    dtp_config_free(cfg);
    dtp_staging_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(migrate_from_empty_and_rerun_is_noop, setup, teardown),
        cmocka_unit_test_setup_teardown(newer_schema_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(check_results_are_append_only, setup, teardown),
        cmocka_unit_test_setup_teardown(observations_written_with_locators, setup, teardown),
        cmocka_unit_test_setup_teardown(lock_contention, setup, teardown),
        cmocka_unit_test_setup_teardown(manifest_chain, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
