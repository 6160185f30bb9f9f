/* dtpanel run end to end: the real snapshot files served by a loopback upstream; the published
 * figures; a second run while the lock is held (exit 5); an upstream outage (exit 3, previous
 * release still served); SIGTERM during a fetch (nothing partial, previous release intact, the
 * next run completes). Test code: it spawns the binary and reads the warehouse with SQLite. */
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <dirent.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "common/run.h"
#include "tests/support/testserver.h"

extern char **environ;

static char dir[256], conf[512], datadir[512];
static dtp_ts *ts;

static void fixture(char *out, size_t n, const char *rel)
{
    snprintf(out, n, "%s/%s", getenv("DTP_FIXTURES"), rel);
}

static void route_file(const char *path, const char *rel, const char *ctype)
{
    char file[4096];
    fixture(file, sizeof file, rel);
    dtp_ts_route r = {.path = path, .body_file = file, .content_type = ctype, .etag = "\"1\""};
    assert_int_equal(dtp_ts_add(ts, &r), 0);
}

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/dtp-e2e-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(datadir, sizeof datadir, "%s/data", dir);
    ts = dtp_ts_start();
    route_file("/d360.csv", "real/unctad/UNCTAD_DE_data360.csv", "text/csv");
    route_file("/pv.csv", "real/wdi/API_PV.EST_DS2_en_csv_v2_7919.csv", "text/csv");
    route_file("/meta.csv", "real/wdi/Metadata_Country_API_PV.EST_DS2_en_csv_v2_7919.csv",
               "text/csv");
    route_file("/fdi.csv", "real/wdi/API_BX.KLT.DINV.WD.GD.ZS_DS2_en_csv_v2_397.csv", "text/csv");
    route_file("/itu.csv",
               "real/itu/owid_population-covered-by-mobile-network-by-network-capability.csv",
               "text/csv");
    dtp_ts_route down = {.path = "/down.csv", .fail_count = 100000, .fail_status = 503};
    dtp_ts_route slow = {.path = "/slow.csv", .stall_count = 100000, .stall_ms = 20000};
    assert_int_equal(dtp_ts_add(ts, &down), 0);
    assert_int_equal(dtp_ts_add(ts, &slow), 0);
    char base[256];
    dtp_ts_url(ts, "", base, sizeof base);
    const char *src = getenv("DTP_SOURCE_DIR");
    snprintf(conf, sizeof conf, "%s/pipeline.conf", dir);
    FILE *f = fopen(conf, "w");
    fprintf(f,
            "[dtpanel]\ndata_dir = data\n[panel]\nyears = 2016-2022\n"
            "[http]\nretries = 1\nbackoff_base_ms = 1\nbackoff_max_ms = 2\ntimeout = 60\n"
            "[clean]\noverrides = %s/data/overrides.csv\naliases = %s/data/country_aliases.csv\n"
            "aggregates = %s/data/aggregates.csv\nignore_labels = %s/data/ignore_labels.csv\n"
            "m49 = %s/data/reference/unsd_m49_overview.csv\n"
            "developed = %s/data/imf_advanced_economies.csv\nrcep = %s/data/rcep_members.csv\n"
            "provinces = %s/data/provinces.csv\n"
            "[source.unctad_data360]\nkind = unctad_data360\nurl = %s/d360.csv\n"
            "[source.wb_pv]\nkind = worldbank_bulk\nurl = %s/pv.csv\ncountries_url = %s/meta.csv\n"
            "[source.wb_fdi]\nkind = worldbank_bulk\nurl = %s/fdi.csv\n"
            "[source.itu]\nkind = declared_csv\nurl = %s/itu.csv\nentity_column = Entity\n"
            "code_column = Code\naggregate_prefix = OWID_\nyear_column = Year\n"
            "value_column = _9_c_1__it_mob_3gntwk\nunit = %%\nvariable = infra\n"
            "[source.isosurvey]\nkind = isosurvey\ngenerated = yes\n"
            "url = file://%s/tests/fixtures/isosurvey/demo/isosurvey_{year}.xlsx\n"
            "editions = 2016-2022\n",
            src, src, src, src, src, src, src, src, base, base, base, base, base, src);
    fclose(f);
    return 0;
}

static int teardown(void **state)
{
    dtp_ts_stop(ts);
    pid_t pid = fork();
    if (pid == 0) {
        execlp("rm", "rm", "-rf", dir, (char *)NULL);
        _exit(127);
    }
    waitpid(pid, NULL, 0);
    return 0;
}

/* Start dtpanel with --config and the given arguments (NULL-terminated). */
static pid_t spawn(const char *const *args)
{
    const char *argv[32];
    int n = 0;
    argv[n++] = getenv("DTP_BINARY");
    argv[n++] = "--config";
    argv[n++] = conf;
    argv[n++] = "--quiet";
    for (int i = 0; args[i] && n < 30; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    pid_t pid;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    assert_int_equal(posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

static int wait_exit(pid_t pid)
{
    int ws;
    waitpid(pid, &ws, 0);
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

static int run(const char *const *args)
{
    return wait_exit(spawn(args));
}

static double q(const char *db, const char *sql)
{
    sqlite3 *h;
    sqlite3_stmt *s;
    double v = -1;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            v = sqlite3_column_double(s, 0);
        sqlite3_finalize(s);
    }
    sqlite3_close(h);
    return v;
}

static void release_text(const char *wh, char *out, size_t n)
{
    sqlite3 *h;
    sqlite3_stmt *s;
    out[0] = '\0';
    if (sqlite3_open_v2(wh, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(h, "SELECT id || ' ' || content_sha256 FROM release", -1, &s, NULL) ==
            SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            snprintf(out, n, "%s", (const char *)sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
    }
    sqlite3_close(h);
}

static int files_in(const char *d)
{
    DIR *dd = opendir(d);
    int n = 0;
    struct dirent *e;
    if (!dd)
        return 0;
    while ((e = readdir(dd)))
        n += e->d_name[0] != '.';
    closedir(dd);
    return n;
}

static void full_run_publishes_real_figures(void **state)
{
    const char *args[] = {"run", NULL};
    assert_int_equal(run(args), 0);
    char wh[600];
    snprintf(wh, sizeof wh, "%s/warehouse.db", datadir);
    /* United States 2021: dt_exp + dt_imp = the two real Data360 figures (619389 + 367351) */
    assert_true(
        q(wh, "SELECT dt_total FROM panel_country_year WHERE iso3 = 'USA' AND year = 2021") ==
        619389.0 + 367351.0);
    assert_true(q(wh, "SELECT dt_exp FROM panel_country_year WHERE iso3 = 'USA' AND year = 2021") ==
                619389.0);
    /* balanced: every member has every year */
    double rows = q(wh, "SELECT COUNT(*) FROM panel_country_year");
    double members = q(wh, "SELECT COUNT(DISTINCT iso3) FROM panel_country_year");
    assert_true(members >= 100);
    assert_true(rows == members * 7);
    assert_true(q(wh, "SELECT COUNT(*) FROM panel_country_year WHERE dt_exp IS NULL OR pv IS NULL"
                      " OR fdi IS NULL OR infra IS NULL OR iso27001 IS NULL") == 0);
    print_message("country panel: %.0f countries x 7 years\n", members);
    /* the generated source says so in the warehouse */
    assert_true(q(wh, "SELECT generated FROM sources WHERE name = 'isosurvey'") == 1);
    assert_true(q(wh, "SELECT generated FROM sources WHERE name = 'unctad_data360'") == 0);
}

static void second_run_while_locked_exits_5(void **state)
{
    dtp_lock *lk;
    assert_int_equal(dtp_lock_acquire(datadir, &lk, NULL), DTP_OK);
    const char *args[] = {"run", NULL};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(run(args), 5);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    dtp_lock_release(lk);
    /* at once: no waiting for the lock (generous bound, not a timing test) */
    assert_true(t1.tv_sec - t0.tv_sec < 30);
}

static void outage_exits_3_and_keeps_release(void **state)
{
    const char *ok[] = {"run", NULL};
    assert_int_equal(run(ok), 0);
    char wh[600], before[200], after[200];
    snprintf(wh, sizeof wh, "%s/warehouse.db", datadir);
    release_text(wh, before, sizeof before);
    char set[700], base[256];
    dtp_ts_url(ts, "/down.csv", base, sizeof base);
    snprintf(set, sizeof set, "source.unctad_data360.url=%s", base);
    const char *down[] = {"--set", set, "run", NULL};
    assert_int_equal(run(down), 3);
    release_text(wh, after, sizeof after);
    assert_string_equal(before, after);
    assert_true(q(wh, "SELECT COUNT(*) FROM panel_country_year") > 0);
}

static void sigterm_during_fetch_is_clean(void **state)
{
    const char *ok[] = {"run", NULL};
    assert_int_equal(run(ok), 0);
    char wh[600], before[200], after[200], tmp[700];
    snprintf(wh, sizeof wh, "%s/warehouse.db", datadir);
    snprintf(tmp, sizeof tmp, "%s/raw/tmp", datadir);
    release_text(wh, before, sizeof before);
    char set[700], base[256];
    dtp_ts_url(ts, "/slow.csv", base, sizeof base);
    snprintf(set, sizeof set, "source.unctad_data360.url=%s", base);
    const char *slow[] = {"--set", set, "run", NULL};
    pid_t pid = spawn(slow);
    /* wait until the request reaches the stalled route, then stop the run */
    for (int i = 0; i < 200 && dtp_ts_count(ts, "/slow.csv").requests == 0; i++)
        usleep(50000);
    assert_true(dtp_ts_count(ts, "/slow.csv").requests > 0);
    kill(pid, SIGTERM);
    assert_int_equal(wait_exit(pid), 1);
    release_text(wh, after, sizeof after);
    assert_string_equal(before, after);
    assert_int_equal(files_in(tmp), 0);
    char staging[600];
    snprintf(staging, sizeof staging, "%s/staging.db", datadir);
    assert_true(q(staging, "SELECT COUNT(*) FROM runs WHERE status = 'interrupted'") == 1);
    /* the next run completes */
    assert_int_equal(run(ok), 0);
}

static void sigterm_during_load_publishes_nothing(void **state)
{
    const char *ok[] = {"run", NULL};
    assert_int_equal(run(ok), 0);
    char wh[600], before[200], after[200];
    snprintf(wh, sizeof wh, "%s/warehouse.db", datadir);
    release_text(wh, before, sizeof before);
    /* the load's test hook sends SIGTERM to the process after the checks passed, the latest
     * point before anything is linked or renamed */
    setenv("DTP_TEST_KILL_AT", "checked", 1);
    setenv("DTP_TEST_SIGNAL", "TERM", 1);
    int rc = run(ok);
    unsetenv("DTP_TEST_KILL_AT");
    unsetenv("DTP_TEST_SIGNAL");
    assert_int_equal(rc, 1);
    release_text(wh, after, sizeof after);
    assert_string_equal(before, after);
    char staging[600];
    snprintf(staging, sizeof staging, "%s/staging.db", datadir);
    assert_true(q(staging, "SELECT COUNT(*) FROM runs WHERE status = 'interrupted'") == 1);
    assert_true(q(staging, "SELECT COUNT(*) FROM releases") == 1);
    assert_int_equal(run(ok), 0);
    assert_true(q(staging, "SELECT COUNT(*) FROM releases") == 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(full_run_publishes_real_figures, setup, teardown),
        cmocka_unit_test_setup_teardown(second_run_while_locked_exits_5, setup, teardown),
        cmocka_unit_test_setup_teardown(outage_exits_3_and_keeps_release, setup, teardown),
        cmocka_unit_test_setup_teardown(sigterm_during_fetch_is_clean, setup, teardown),
        cmocka_unit_test_setup_teardown(sigterm_during_load_publishes_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
