/* load: publish a release from a staging database built by direct SQL, read the stable views,
 * trace figures of each kind to their bytes, verify, fail a check without publishing, export,
 * and kill `dtpanel load` at each step. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/run.h"
#include "common/staging.h"
#include "fixture.h"
#include "load/load.h"

static dtp_load_options opts(fixture *f)
{
    dtp_load_options o;
    memset(&o, 0, sizeof o);
    o.warehouse = f->warehouse;
    o.data_dir = f->dir;
    o.keep_releases = 3;
    o.year_first = 2016;
    o.year_last = 2018;
    o.expected_country_rows = -1;
    o.expected_province_rows = -1;
    o.version = "test";
    return o;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || fixture_build(f) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_free(*state);
    free(*state);
    return 0;
}

static void publish_ok(fixture *f, dtp_load_result *res)
{
    dtp_load_options o = opts(f);
    dtp_error err;
    dtp_error_clear(&err);
    dtp_status st = dtp_load_publish(f->db, f->ar, &o, res, &err);
    if (st != DTP_OK)
        fprintf(stderr, "publish: %s\n", err.message);
    assert_int_equal(st, DTP_OK);
    assert_int_equal(res->problems, 0);
}

static sqlite3 *open_wh(const char *path)
{
    sqlite3 *wh = NULL;
    dtp_error err;
    assert_int_equal(dtp_load_open_release(path, &wh, &err), DTP_OK);
    return wh;
}

static double dbl(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    double v = NAN;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW &&
        sqlite3_column_type(s, 0) != SQLITE_NULL)
        v = sqlite3_column_double(s, 0);
    sqlite3_finalize(s);
    return v;
}

static char *str(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    char *v = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW &&
        sqlite3_column_text(s, 0))
        v = strdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return v;
}

static void assert_str_sql(sqlite3 *db, const char *sql, const char *want)
{
    char *got = str(db, sql);
    if (!got || strcmp(got, want) != 0)
        fprintf(stderr, "%s\n  got %s, want %s\n", sql, got ? got : "NULL", want);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void test_publish_views(void **state)
{
    fixture *f = *state;
    dtp_load_result res;
    publish_ok(f, &res);
    assert_int_equal(res.release_id, 1);
    sqlite3 *wh = open_wh(f->warehouse);
    assert_int_equal(fixture_int(wh, "SELECT COUNT(*) FROM panel_country_year"), 6);
    assert_int_equal(fixture_int(wh, "SELECT COUNT(DISTINCT entity_id) FROM panel_country_year"),
                     2);
    assert_str_sql(wh,
                   "SELECT iso27001_status FROM panel_country_year WHERE iso3='CHN' AND"
                   " year=2017",
                   "imputed");
    assert_str_sql(wh,
                   "SELECT iso27001_status FROM panel_country_year WHERE iso3='CHN' AND"
                   " year=2018",
                   "overridden");
    assert_true(fabs(dbl(wh, "SELECT iso27001 FROM panel_country_year WHERE iso3='CHN' AND"
                             " year=2018") -
                     39835) < 1e-9);
    assert_true(fabs(dbl(wh, "SELECT ln_iso27001 FROM panel_country_year WHERE iso3='CHN' AND"
                             " year=2018") -
                     log(39835.0)) < 1e-12);
    assert_true(fabs(dbl(wh, "SELECT ln_dt_total FROM panel_country_year WHERE iso3='USA' AND"
                             " year=2016") -
                     log(150.0 + 20)) < 1e-12);
    assert_int_equal(fixture_int(wh, "SELECT developed FROM panel_country_year WHERE iso3='USA'"
                                     " AND year=2017"),
                     1);
    assert_str_sql(wh,
                   "SELECT dt_total_status FROM panel_country_year WHERE iso3='USA' AND"
                   " year=2016",
                   "derived");
    /* variables with no cells at all (infra, rcep) are NULL columns, rows still there */
    assert_int_equal(fixture_int(wh, "SELECT COUNT(*) FROM panel_country_year WHERE infra IS"
                                     " NULL AND infra_status IS NULL AND rcep IS NULL"),
                     6);
    /* source_observation: every observation; iso3 mapped through entity_map or the code */
    assert_int_equal(fixture_int(wh, "SELECT COUNT(*) FROM source_observation"),
                     fixture_int(f->db, "SELECT COUNT(*) FROM observations"));
    assert_int_equal(fixture_int(wh, "SELECT COUNT(*) FROM source_observation WHERE"
                                     " entity_raw='World' AND iso3 IS NULL"),
                     1);
    assert_str_sql(wh,
                   "SELECT status FROM source_observation WHERE variable='iso27001' AND"
                   " iso3='CHN' AND year=2017",
                   "missing");
    assert_str_sql(wh,
                   "SELECT locator FROM source_observation WHERE variable='fdi' AND"
                   " iso3='USA' AND year=2018",
                   "$[1][12].value");
    assert_int_equal(fixture_int(wh, "SELECT COUNT(*) FROM certificate_record"), 1);
    assert_str_sql(wh, "SELECT province_code || '|' || review_status FROM certificate_record",
                   "11|accepted");
    assert_int_equal(fixture_int(wh, "SELECT COUNT(*) FROM panel_province_year"), 3);
    assert_str_sql(wh, "SELECT province || '|' || region FROM panel_province_year LIMIT 1",
                   "Beijing|eastern");
    assert_true(fabs(dbl(wh, "SELECT ln_iso27001_listed FROM panel_province_year WHERE"
                             " year=2016") -
                     log(2.0)) < 1e-12);
    assert_str_sql(wh, "SELECT value FROM release_settings WHERE key='total_definition'", "sum");
    /* the release is kept under releases/ with its manifest, and recorded in staging */
    struct stat sb;
    assert_int_equal(stat(res.release_path, &sb), 0);
    char p[512];
    snprintf(p, sizeof p, "%s/releases/1.json", f->dir);
    assert_int_equal(stat(p, &sb), 0);
    assert_int_equal(fixture_int(f->db, "SELECT COUNT(*) FROM releases WHERE id=1"), 1);
    char sha[65];
    fixture_file_sha(f->warehouse, sha);
    assert_string_equal(sha, res.file_sha256);
    assert_int_equal(fixture_int(f->db, "SELECT COUNT(*) FROM check_results WHERE"
                                        " status='fail'"),
                     0);
    sqlite3_close(wh);
}

static void test_log_sum(void **state)
{
    fixture *f = *state;
    dtp_load_options o = opts(f);
    o.total_definition = "log_sum";
    o.iso27001_transform = "log1p";
    dtp_load_result res;
    dtp_error err;
    assert_int_equal(dtp_load_publish(f->db, f->ar, &o, &res, &err), DTP_OK);
    sqlite3 *wh = open_wh(f->warehouse);
    assert_true(fabs(dbl(wh, "SELECT ln_dt_total FROM panel_country_year WHERE iso3='USA' AND"
                             " year=2016") -
                     (log(110.0) + log(60.0))) < 1e-12);
    assert_true(fabs(dbl(wh, "SELECT ln_iso27001 FROM panel_country_year WHERE iso3='USA' AND"
                             " year=2016") -
                     log(1001.0)) < 1e-12);
    sqlite3_close(wh);
}

static void test_failed_check_keeps_previous(void **state)
{
    fixture *f = *state;
    dtp_load_result r1, r2;
    publish_ok(f, &r1);
    /* a published cell without lineage, and an imputed cell with one anchor */
    assert_int_equal(fixture_exec(f->db, "INSERT INTO panel_cells(id, panel, entity, year,"
                                         " variable, value, status) VALUES"
                                         " (990,'country','CHN',2016,'infra',50,'observed'),"
                                         " (991,'country','USA',2016,'infra',60,'imputed');"
                                         "INSERT INTO lineage(cell_id, role, observation_id)"
                                         " VALUES(991,'anchor_before',100);"),
                     0);
    long long fails_before =
        fixture_int(f->db, "SELECT COUNT(*) FROM check_results WHERE status='fail'");
    dtp_load_options o = opts(f);
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_load_publish(f->db, f->ar, &o, &r2, &err), DTP_ERR_VALIDATION);
    assert_int_equal(r2.problems, 2);
    assert_int_equal(fixture_int(f->db, "SELECT COUNT(*) FROM check_results WHERE"
                                        " status='fail' AND check_name='lineage'") -
                         fails_before,
                     2);
    /* the previous release is untouched and still published */
    char sha[65];
    fixture_file_sha(f->warehouse, sha);
    assert_string_equal(sha, r1.file_sha256);
    sqlite3 *wh = open_wh(f->warehouse);
    assert_int_equal(fixture_int(wh, "SELECT id FROM release"), 1);
    sqlite3_close(wh);
    assert_int_equal(fixture_int(f->db, "SELECT COUNT(*) FROM releases"), 1);
    char p[512];
    snprintf(p, sizeof p, "%s/releases/2.db", f->dir);
    assert_int_not_equal(access(p, F_OK), 0);
    snprintf(p, sizeof p, "%s.new-%ld", f->warehouse, (long)getpid());
    assert_int_not_equal(access(p, F_OK), 0);
    /* a missing artifact names it */
    assert_int_equal(fixture_exec(f->db, "DELETE FROM lineage WHERE cell_id IN (990, 991);"
                                         "DELETE FROM panel_cells WHERE id IN (990, 991);"),
                     0);
    char path[512];
    dtp_archive_path(f->ar, f->ref_sha, path, sizeof path);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(dtp_load_publish(f->db, f->ar, &o, &r2, &err), DTP_ERR_VALIDATION);
    char *q = sqlite3_mprintf("SELECT COUNT(*) FROM check_results WHERE"
                              " check_name='artifact_missing' AND detail LIKE '%%%q%%'",
                              f->ref_sha);
    assert_int_equal(fixture_int(f->db, q), 1);
    sqlite3_free(q);
}

/* Publish must fail with exactly these check names (comma-separated, in any order). */
static void expect_fail(fixture *f, dtp_load_options *o, const char *check, long long n)
{
    long long before = fixture_int(f->db, "SELECT COUNT(*) FROM check_results");
    dtp_load_result r;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_load_publish(f->db, f->ar, o, &r, &err), DTP_ERR_VALIDATION);
    char *q =
        sqlite3_mprintf("SELECT COUNT(*) FROM check_results WHERE status = 'fail' AND"
                        " check_name = %Q AND id > (SELECT MAX(id) FROM check_results) - %lld",
                        check, fixture_int(f->db, "SELECT COUNT(*) FROM check_results") - before);
    long long got = fixture_int(f->db, q);
    sqlite3_free(q);
    if (got != n)
        fprintf(stderr, "check %s: %lld failures, expected %lld (%s)\n", check, got, n,
                err.message);
    assert_int_equal(got, n);
}

static void test_lineage_rules(void **state)
{
    fixture *f = *state;
    dtp_load_options o = opts(f);
    /* two derived cells that only use each other: a cycle never reaches an artifact */
    assert_int_equal(fixture_exec(f->db, "INSERT INTO panel_cells(id, panel, entity, year,"
                                         " variable, value, status) VALUES"
                                         " (980,'country','CHN',2016,'rcep',1,'derived'),"
                                         " (981,'country','CHN',2017,'rcep',1,'derived');"
                                         "INSERT INTO lineage(cell_id, role, input_cell_id)"
                                         " VALUES(980,'input',981),(981,'input',980);"),
                     0);
    expect_fail(f, &o, "lineage", 2);
    /* a derived cell on an excluded input is not grounded either */
    assert_int_equal(fixture_exec(f->db, "DELETE FROM lineage WHERE cell_id IN (980, 981);"
                                         "UPDATE panel_cells SET status = 'excluded' WHERE"
                                         " id = 981;"
                                         "INSERT INTO lineage(cell_id, role, input_cell_id)"
                                         " VALUES(980,'input',981);"),
                     0);
    expect_fail(f, &o, "lineage", 1);
    assert_int_equal(fixture_exec(f->db, "DELETE FROM lineage WHERE cell_id IN (980, 981);"
                                         "DELETE FROM panel_cells WHERE id IN (980, 981);"),
                     0);
    /* an override without the replaced source value */
    assert_int_equal(fixture_exec(f->db, "DELETE FROM lineage WHERE cell_id = 302 AND"
                                         " role = 'replaced'"),
                     0);
    expect_fail(f, &o, "lineage", 1);
    assert_int_equal(fixture_exec(f->db, "INSERT INTO lineage(cell_id, role, observation_id)"
                                         " VALUES(302,'replaced',302)"),
                     0);
    /* unbalanced: a member with no published value in 2018 */
    assert_int_equal(fixture_exec(f->db, "UPDATE panel_cells SET status = 'missing' WHERE"
                                         " entity = 'USA' AND year = 2018"),
                     0);
    expect_fail(f, &o, "balance", 1);
    /* dropping USA (a ledger drop) rebalances the panel without it */
    assert_int_equal(fixture_exec(f->db, "INSERT INTO ledger(panel, entity, rule, action,"
                                         " detail) VALUES('country','USA',"
                                         "'drop_if_missing_share','drop','{}')"),
                     0);
    o.expected_country_rows = 3;
    dtp_load_result r;
    dtp_error err;
    assert_int_equal(dtp_load_publish(f->db, f->ar, &o, &r, &err), DTP_OK);
    sqlite3 *wh = open_wh(f->warehouse);
    assert_int_equal(fixture_int(wh, "SELECT COUNT(*) FROM panel_country_year"), 3);
    assert_int_equal(fixture_int(wh, "SELECT COUNT(*) FROM panel_country_year WHERE"
                                     " iso3 = 'USA'"),
                     0);
    sqlite3_close(wh);
    /* expected rows that do not match */
    o.expected_country_rows = 6;
    expect_fail(f, &o, "expected_rows", 1);
}

static void test_keep_releases(void **state)
{
    fixture *f = *state;
    dtp_load_result r;
    for (int i = 0; i < 5; i++)
        publish_ok(f, &r);
    assert_int_equal(r.release_id, 5);
    char p[512];
    for (int id = 1; id <= 5; id++) {
        snprintf(p, sizeof p, "%s/releases/%d.db", f->dir, id);
        assert_int_equal(access(p, F_OK) == 0, id >= 3); /* keep_releases = 3 */
    }
    sqlite3 *wh = open_wh(f->warehouse);
    assert_int_equal(fixture_int(wh, "SELECT prev_release_id FROM release"), 4);
    sqlite3_close(wh);
}

/* Content hash of the published warehouse ("" when unreadable). */
static void published_hash(const char *path, char out[65], long long *release)
{
    sqlite3 *wh = NULL;
    dtp_error err;
    out[0] = '\0';
    *release = -1;
    if (dtp_load_open_release(path, &wh, &err) != DTP_OK)
        return;
    char *ic = str(wh, "PRAGMA integrity_check");
    assert_non_null(ic);
    assert_string_equal(ic, "ok");
    free(ic);
    if (dtp_load_content_hash(wh, out, &err) != DTP_OK)
        out[0] = '\0';
    *release = fixture_int(wh, "SELECT id FROM release");
    sqlite3_close(wh);
}

static int run_load(fixture *f, const char *kill_at)
{
    const char *bin = getenv("DTP_BINARY");
    assert_non_null(bin);
    char envkill[64];
    snprintf(envkill, sizeof envkill, "DTP_TEST_KILL_AT=%s", kill_at ? kill_at : "");
    char *env[] = {envkill, NULL};
    char *argv[] = {(char *)bin, "--data-dir", f->dir, "--set", "panel.years=2016-2018",
                    "--quiet",   "load",       NULL};
    return fixture_spawn(argv, env, "/dev/null");
}

static void test_kill_at_each_step(void **state)
{
    fixture *f = *state;
    sqlite3_close(f->db); /* the binary opens staging itself */
    f->db = NULL;
    assert_int_equal(run_load(f, NULL), 0);
    char h0[65], h[65];
    long long rel0, rel;
    published_hash(f->warehouse, h0, &rel0);
    assert_int_equal(rel0, 1);
    const char *steps[] = {"copied", "checked", "hashed", "linked", "recorded", "renamed"};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        long long before;
        char hb[65];
        published_hash(f->warehouse, hb, &before);
        assert_int_equal(run_load(f, steps[i]), 128 + 9);
        published_hash(f->warehouse, h, &rel);
        /* killed before the rename: the previous release, intact; after: the new one */
        if (strcmp(steps[i], "renamed") == 0)
            assert_true(rel > before);
        else
            assert_int_equal(rel, before);
        assert_string_equal(h, h0);
        /* the next run publishes the same content */
        assert_int_equal(run_load(f, NULL), 0);
        published_hash(f->warehouse, h, &rel);
        assert_string_equal(h, h0);
        assert_true(rel > before);
    }
    /* staging knows every published release, including the one killed before its commit */
    assert_int_equal(dtp_staging_open(f->staging, &f->db, &(dtp_error){0}), DTP_OK);
    assert_int_equal(fixture_int(f->db, "SELECT COUNT(*) FROM releases WHERE id = "
                                        "(SELECT MAX(id) FROM releases)"),
                     1);
    published_hash(f->warehouse, h, &rel);
    char *q = sqlite3_mprintf("SELECT COUNT(*) FROM releases WHERE id = %lld", rel);
    assert_int_equal(fixture_int(f->db, q), 1);
    sqlite3_free(q);
    /* no build files left behind */
    char p[512];
    snprintf(p, sizeof p, "/bin/sh");
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls %s | grep -c '\\.new-' | grep -qx 0", f->dir);
    char *argv[] = {p, "-c", cmd, NULL};
    assert_int_equal(fixture_spawn(argv, NULL, NULL), 0);
}

static void count_problem(void *ctx, const dtp_load_problem *p)
{
    assert_string_equal(p->check, "integrity");
    assert_non_null(p->detail);
    (*(int *)ctx)++;
}

/* dtp_load_integrity, which publish runs beside its other checks: a clean release has no
 * problem; one with a damaged index page, and a file that is not a database, do. */
static void test_integrity_check(void **state)
{
    fixture *f = *state;
    dtp_load_result r;
    publish_ok(f, &r);
    dtp_error err;
    dtp_error_clear(&err);
    int64_t n = -1;
    int seen = 0;
    assert_int_equal(dtp_load_integrity(f->warehouse, count_problem, &seen, &n, &err), DTP_OK);
    assert_int_equal(n, 0);
    assert_int_equal(seen, 0);

    /* a copy whose largest index has its root page's cell area overwritten */
    char copy[400];
    snprintf(copy, sizeof copy, "%s/damaged.db", f->dir);
    sqlite3 *wh = open_wh(f->warehouse);
    long long page = 0, psize = 0;
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(wh,
                                        "SELECT rootpage, (SELECT page_size FROM pragma_page_size)"
                                        " FROM sqlite_schema WHERE type = 'index' AND sql IS NOT"
                                        " NULL ORDER BY name LIMIT 1",
                                        -1, &s, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    page = sqlite3_column_int64(s, 0);
    psize = sqlite3_column_int64(s, 1);
    sqlite3_finalize(s);
    sqlite3_close(wh);
    assert_true(page > 1 && psize >= 512);
    FILE *in = fopen(f->warehouse, "rb"), *out = fopen(copy, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[4096];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, k, out), k);
    fclose(in);
    /* the last 64 bytes of the page hold index keys (cells fill a page from its end) */
    assert_int_equal(fseek(out, (long)(page * psize - 64), SEEK_SET), 0);
    memset(buf, 0x7f, 64);
    assert_int_equal(fwrite(buf, 1, 64, out), 64);
    assert_int_equal(fclose(out), 0);
    seen = 0;
    assert_int_equal(dtp_load_integrity(copy, count_problem, &seen, &n, &err), DTP_OK);
    assert_true(n > 0);
    assert_int_equal(seen, n);

    /* not a database at all: the check cannot complete, which is a problem, not an error */
    out = fopen(copy, "wb");
    assert_non_null(out);
    memset(buf, 'x', sizeof buf);
    assert_int_equal(fwrite(buf, 1, sizeof buf, out), sizeof buf);
    assert_int_equal(fclose(out), 0);
    seen = 0;
    assert_int_equal(dtp_load_integrity(copy, count_problem, &seen, &n, &err), DTP_OK);
    assert_int_equal(n, 1);
    assert_int_equal(seen, 1);
}

static void test_lock_held(void **state)
{
    fixture *f = *state;
    dtp_lock *lk = NULL;
    dtp_error err;
    assert_int_equal(dtp_lock_acquire(f->dir, &lk, &err), DTP_OK);
    assert_int_equal(run_load(f, NULL), 5);
    dtp_lock_release(lk);
    assert_int_equal(access(f->warehouse, F_OK) == 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_publish_views, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_sum, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_check_keeps_previous, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lineage_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keep_releases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kill_at_each_step, setup, teardown),
        cmocka_unit_test_setup_teardown(test_integrity_check, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock_held, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
