/* The fetch stage driver against a loopback server serving the real Data360 file: storing,
 * conditional refresh, outage, wrong content, offline replay, plan. */
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

#include "common/staging.h"
#include "fetch/fetch.h"
#include "tests/support/testserver.h"

typedef struct env {
    char dir[256];
    dtp_ts *ts;
    sqlite3 *db;
    dtp_archive *ar;
    dtp_config *cfg;
} env;

static int setup(void **state)
{
    env *e = calloc(1, sizeof *e);
    snprintf(e->dir, sizeof e->dir, "/tmp/dtp-fetchstage-XXXXXX");
    if (!mkdtemp(e->dir))
        return -1;
    e->ts = dtp_ts_start();
    char file[4096];
    snprintf(file, sizeof file, "%s/real/unctad/UNCTAD_DE_data360.csv", getenv("DTP_FIXTURES"));
    dtp_ts_route ok = {
        .path = "/data360.csv", .body_file = file, .content_type = "text/csv", .etag = "\"v1\""};
    dtp_ts_route down = {.path = "/down.csv", .fail_count = 1000, .fail_status = 503};
    dtp_ts_route html = {.path = "/html.csv",
                         .body = "<html>maintenance</html>",
                         .body_len = 24,
                         .content_type = "text/html"};
    assert_int_equal(dtp_ts_add(e->ts, &ok), 0);
    assert_int_equal(dtp_ts_add(e->ts, &down), 0);
    assert_int_equal(dtp_ts_add(e->ts, &html), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/staging.db", e->dir);
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_staging_open(path, &e->db, &err), DTP_OK);
    assert_int_equal(dtp_archive_open(e->dir, &e->ar, &err), DTP_OK);
    e->cfg = dtp_config_new();
    char url[512], set[700];
    dtp_ts_url(e->ts, "/data360.csv", url, sizeof url);
    snprintf(set, sizeof set, "source.d360.url=%s", url);
    assert_int_equal(dtp_config_set_arg(e->cfg, "source.d360.kind=unctad_data360", &err), DTP_OK);
    assert_int_equal(dtp_config_set_arg(e->cfg, set, &err), DTP_OK);
    assert_int_equal(dtp_config_set_arg(e->cfg, "http.retries=1", &err), DTP_OK);
    assert_int_equal(dtp_config_set_arg(e->cfg, "http.backoff_base_ms=1", &err), DTP_OK);
    assert_int_equal(dtp_config_set_arg(e->cfg, "http.backoff_max_ms=2", &err), DTP_OK);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    env *e = *state;
    dtp_config_free(e->cfg);
    dtp_archive_free(e->ar);
    dtp_staging_close(e->db);
    dtp_ts_stop(e->ts);
    pid_t pid = fork();
    if (pid == 0) {
        execlp("rm", "rm", "-rf", e->dir, (char *)NULL);
        _exit(127);
    }
    waitpid(pid, NULL, 0);
    free(e);
    return 0;
}

static long long q(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s;
    long long n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
}

static dtp_status run(env *e, int offline, int plan, dtp_fetch_result *res, dtp_error *err)
{
    dtp_fetch_opts o = {.db = e->db,
                        .archive = e->ar,
                        .cfg = e->cfg,
                        .offline = offline,
                        .plan_only = plan,
                        .version = "test"};
    dtp_error_clear(err);
    return dtp_fetch_run(&o, res, err);
}

static void store_parse_refresh_offline(void **state)
{
    env *e = *state;
    static dtp_fetch_result res;
    dtp_error err;
    assert_int_equal(run(e, 0, 0, &res, &err), DTP_OK);
    assert_int_equal(res.n, 1);
    assert_int_equal(res.sources[0].stored, 1);
    long long nobs = q(e->db, "SELECT COUNT(*) FROM observations");
    assert_true(nobs > 5000);
    /* hand-checked: United States digitally deliverable services exports 2010 */
    assert_int_equal(q(e->db, "SELECT value FROM observations WHERE entity_code='USA' AND"
                              " year=2010 AND variable='dt_exp'"),
                     329324);
    assert_int_equal(dtp_ts_count(e->ts, "/data360.csv").bodies, 1);

    /* unchanged upstream: a conditional request, no body */
    assert_int_equal(run(e, 0, 0, &res, &err), DTP_OK);
    assert_int_equal(res.sources[0].stored, 0);
    assert_int_equal(res.sources[0].not_modified, 1);
    assert_int_equal(dtp_ts_count(e->ts, "/data360.csv").bodies, 1);
    assert_int_equal(dtp_ts_count(e->ts, "/data360.csv").not_modified, 1);
    assert_int_equal(q(e->db, "SELECT COUNT(*) FROM observations"), nobs);

    /* plan: asks without downloading */
    assert_int_equal(run(e, 0, 1, &res, &err), DTP_OK);
    assert_int_equal(res.sources[0].not_modified, 1);
    assert_int_equal(dtp_ts_count(e->ts, "/data360.csv").bodies, 1);

    /* offline: no request, the same observations */
    unsigned before = dtp_ts_count(e->ts, "/data360.csv").requests;
    assert_int_equal(run(e, 1, 0, &res, &err), DTP_OK);
    assert_int_equal(dtp_ts_count(e->ts, "/data360.csv").requests, before);
    assert_int_equal(q(e->db, "SELECT COUNT(*) FROM observations"), nobs);
}

static void outage_keeps_previous_data(void **state)
{
    env *e = *state;
    static dtp_fetch_result res;
    dtp_error err;
    assert_int_equal(run(e, 0, 0, &res, &err), DTP_OK);
    long long nobs = q(e->db, "SELECT COUNT(*) FROM observations");
    char url[512], set[700];
    dtp_ts_url(e->ts, "/down.csv", url, sizeof url);
    snprintf(set, sizeof set, "source.d360.url=%s", url);
    assert_int_equal(dtp_config_set_arg(e->cfg, set, &err), DTP_OK);
    assert_int_equal(run(e, 0, 0, &res, &err), DTP_ERR_HTTP);
    assert_int_equal(res.failed, 1);
    assert_string_equal(err.source, "d360");
    assert_non_null(strstr(err.locator, "/down.csv"));
    /* the failure is recorded; the previous artifact set and observations stay */
    assert_int_equal(q(e->db, "SELECT COUNT(*) FROM fetches WHERE outcome='failed'"), 1);
    assert_int_equal(q(e->db, "SELECT COUNT(*) FROM source_artifacts WHERE source='d360'"), 1);
    assert_int_equal(q(e->db, "SELECT COUNT(*) FROM observations"), nobs);
}

static void html_where_csv_expected_stores_nothing(void **state)
{
    env *e = *state;
    static dtp_fetch_result res;
    dtp_error err;
    char url[512], set[700];
    dtp_ts_url(e->ts, "/html.csv", url, sizeof url);
    snprintf(set, sizeof set, "source.d360.url=%s", url);
    assert_int_equal(dtp_config_set_arg(e->cfg, set, &err), DTP_OK);
    assert_int_equal(run(e, 0, 0, &res, &err), DTP_ERR_UPSTREAM);
    assert_int_equal(q(e->db, "SELECT COUNT(*) FROM artifacts"), 0);
    assert_int_equal(q(e->db, "SELECT COUNT(*) FROM source_artifacts"), 0);
    /* offline with nothing stored: a clear error, not an empty success */
    assert_int_equal(run(e, 1, 0, &res, &err), DTP_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "nothing in the raw archive"));
}

static void unparseable_artifact_rolls_back(void **state)
{
    env *e = *state;
    static dtp_fetch_result res;
    dtp_error err;
    /* a CSV without the Data360 columns: stored (the bytes are evidence) but not parsed */
    char file[512];
    snprintf(file, sizeof file, "%s/bad.csv", e->dir);
    FILE *f = fopen(file, "w");
    fputs("a,b,c\n1,2,3\n", f);
    fclose(f);
    char set[700];
    snprintf(set, sizeof set, "source.d360.url=file://%s", file);
    assert_int_equal(dtp_config_set_arg(e->cfg, set, &err), DTP_OK);
    assert_int_equal(run(e, 0, 0, &res, &err), DTP_ERR_PARSE);
    assert_non_null(strstr(err.source, "d360"));
    assert_int_equal(q(e->db, "SELECT COUNT(*) FROM observations"), 0);
    assert_int_equal(q(e->db, "SELECT COUNT(*) FROM parses WHERE status='failed'"), 1);
}

/* World Bank API pages. These JSON bodies are generated for the test in the shape of the real
 * recordings under tests/fixtures/real/worldbank/ (they are not World Bank data). */
#define WB_ROW(iso3, year, val)                                                                    \
    "{\"indicator\":{\"id\":\"PV.EST\",\"value\":\"Political Stability\"},\"country\":{"           \
    "\"id\":\"" iso3 "\",\"value\":\"x\"},\"countryiso3code\":\"" iso3 "\",\"date\":\"" year       \
    "\",\"value\":" val ",\"unit\":\"\",\"obs_status\":\"\",\"decimal\":1}"
#define WB_META(page, pages, total)                                                                \
    "{\"page\":" page ",\"pages\":" pages ",\"per_page\":2,\"total\":" total                       \
    ",\"sourceid\":\"3\",\"lastupdated\":\"2025-07-01\"}"

static void add_json(dtp_ts *ts, const char *path, const char *body)
{
    dtp_ts_route r = {.path = path,
                      .body = body,
                      .body_len = strlen(body),
                      .content_type = "application/json;charset=utf-8"};
    assert_int_equal(dtp_ts_add(ts, &r), 0);
}

static void worldbank_pages_with_fallback_code(void **state)
{
    env *e = *state;
    add_json(e->ts, "/v2/country/all/indicator/GOV_WGI_PV_EST",
             "[{\"message\":[{\"id\":\"175\",\"key\":\"Invalid format\",\"value\":"
             "\"The indicator was deleted or archived\"}]}]");
    add_json(e->ts, "/v2/country/all/indicator/PV.EST?page=1",
             "[" WB_META("1", "2", "3") ",[" WB_ROW("USA", "2021", "0.1") "," WB_ROW("CHN", "2021",
                                                                                     "-0.3") "]]");
    add_json(e->ts, "/v2/country/all/indicator/PV.EST?page=2",
             "[" WB_META("2", "2", "3") ",[" WB_ROW("DEU", "2021", "0.6") "]]");
    char url[512], set[700];
    dtp_error err;
    dtp_ts_url(e->ts, "/v2/country/all/indicator/", url, sizeof url);
    snprintf(set, sizeof set, "source.wb.url=%s", url);
    assert_int_equal(dtp_config_set_arg(e->cfg, "source.d360.enabled=no", &err), DTP_OK);
    assert_int_equal(dtp_config_set_arg(e->cfg, "source.wb.kind=worldbank", &err), DTP_OK);
    assert_int_equal(dtp_config_set_arg(e->cfg, set, &err), DTP_OK);
    assert_int_equal(dtp_config_set_arg(e->cfg, "source.wb.indicators=GOV_WGI_PV_EST|PV.EST", &err),
                     DTP_OK);
    assert_int_equal(dtp_config_set_arg(e->cfg, "source.wb.per_page=2", &err), DTP_OK);
    static dtp_fetch_result res;
    dtp_status st = run(e, 0, 0, &res, &err);
    if (st != DTP_OK)
        fail_msg("%s: %s: %s", err.source, err.locator, err.message);
    assert_int_equal(q(e->db, "SELECT COUNT(*) FROM observations WHERE variable='pv'"), 3);
    assert_int_equal(q(e->db, "SELECT COUNT(*) FROM source_artifacts WHERE source='wb' AND role"
                              " LIKE 'indicator/PV.EST/page/%'"),
                     2);
    /* the archived code's error answer is kept as evidence, outside the current set */
    assert_int_equal(q(e->db, "SELECT COUNT(*) FROM fetches WHERE role LIKE"
                              " 'indicator/GOV_WGI_PV_EST/%'"),
                     1);
    assert_int_equal(q(e->db, "SELECT COUNT(*) FROM observations WHERE locator LIKE '%$[1][0]%'"),
                     2);
}

static void worldbank_total_changing_between_pages_fails(void **state)
{
    env *e = *state;
    add_json(e->ts, "/v2/country/all/indicator/PV.EST?page=1",
             "[" WB_META("1", "2", "3") ",[" WB_ROW("USA", "2021", "0.1") "," WB_ROW("CHN", "2021",
                                                                                     "-0.3") "]]");
    add_json(e->ts, "/v2/country/all/indicator/PV.EST?page=2",
             "[" WB_META("2", "2", "4") ",[" WB_ROW("DEU", "2021", "0.6") "]]");
    char url[512], set[700];
    dtp_error err;
    dtp_ts_url(e->ts, "/v2/country/all/indicator/", url, sizeof url);
    snprintf(set, sizeof set, "source.wb.url=%s", url);
    assert_int_equal(dtp_config_set_arg(e->cfg, "source.d360.enabled=no", &err), DTP_OK);
    assert_int_equal(dtp_config_set_arg(e->cfg, "source.wb.kind=worldbank", &err), DTP_OK);
    assert_int_equal(dtp_config_set_arg(e->cfg, set, &err), DTP_OK);
    assert_int_equal(dtp_config_set_arg(e->cfg, "source.wb.indicators=PV.EST", &err), DTP_OK);
    assert_int_equal(dtp_config_set_arg(e->cfg, "source.wb.per_page=2", &err), DTP_OK);
    static dtp_fetch_result res;
    assert_int_not_equal(run(e, 0, 0, &res, &err), DTP_OK);
    assert_string_equal(err.source, "wb");
    assert_int_equal(q(e->db, "SELECT COUNT(*) FROM source_artifacts WHERE source='wb'"), 0);
    assert_int_equal(q(e->db, "SELECT COUNT(*) FROM observations"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(store_parse_refresh_offline, setup, teardown),
        cmocka_unit_test_setup_teardown(outage_keeps_previous_data, setup, teardown),
        cmocka_unit_test_setup_teardown(html_where_csv_expected_stores_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(unparseable_artifact_rolls_back, setup, teardown),
        cmocka_unit_test_setup_teardown(worldbank_pages_with_fallback_code, setup, teardown),
        cmocka_unit_test_setup_teardown(worldbank_total_changing_between_pages_fails, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
