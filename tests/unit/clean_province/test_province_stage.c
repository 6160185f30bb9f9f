/* The province panel driver (clean/province_stage.c) on a staging database built here: a
 * temporary data directory with a raw archive, certificate records inserted directly (no OCR),
 * a GENERATED 3-year yearbook for all 31 provinces and a GENERATED listed-company file, then
 * dtp_load_publish and the panel_province_year view.
 *
 * Certificates (panel years 2020-2022, grace 3 months, history captured "now", i.e. after
 * every date below), with what they contribute to iso27001_listed:
 *   R1  detail, USCC Hubei (42), listed by USCC; issued 2019-03-01, expires 2025-02-28;
 *       audits 2020-02-20, 2021-02-15, recertified 2022-02-10: valid 2020, 2021, 2022
 *   R2  list row of R1's certificate (same number): duplicate capture, not counted again
 *   R3  detail, USCC Beijing (11), listed by USCC; issued 2020-06-01, expires 2023-05-31;
 *       audit 2021-05-20, the next (due 2022-05-20, grace to 2022-08-20) never made:
 *       valid 2020, 2021; not 2022 (missed surveillance)
 *   R4  detail, USCC Shaanxi (61), listed by USCC; issued 2019-01-10, expires 2022-01-09;
 *       audits 2019-12-20, 2020-12-01, revoked 2021-06-30: valid 2020 only
 *   R5  detail, no USCC, name of a company listed by name only, address 安徽省合肥市: province
 *       34 by address fallback (flagged); issued 2021-04-01, expires 2024-03-31; no history
 *       (flagged): valid 2021, 2022
 *   R6  detail, USCC of Shenzhen with a wrong check character, name listed by name only,
 *       address 广东省深圳市: province 44 by address fallback; issued 2018-07-01, expires
 *       2021-06-30, audits 2019-06-15, 2020-06-10: valid 2020 only
 *   R7  detail, USCC Jiangsu (32), not listed: valid 2020-2022 but never in iso27001_listed
 *   R8  not ISMS (ISO 9001), listed company of R3: excluded
 *   R9  needs_review, listed company of R4, otherwise valid: excluded
 *   R10 detail, USCC Tibet (54), listed by USCC, valid 2020-2022: Tibet is not in the panel
 * So iso27001_listed (2020, 2021, 2022): 11 = 1,1,0; 34 = 0,1,1; 42 = 1,1,1; 44 = 1,0,0;
 * 61 = 1,0,0; every other province 0,0,0. Registry totals (accepted ISMS, any province, listed
 * or not: R1 R3 R4 R5 R6 R7 R10): 2020 = R1 R3 R4 R6 R7 R10 = 6; 2021 = R1 R3 R5 R7 R10 = 5;
 * 2022 = R1 R5 R7 R10 = 4. ISO Survey China: 2020 = 6 (ratio 1, pass), 2021 = 50 (ratio 10,
 * warn).
 *
 * Yearbook (GENERATED): province i (0-based, panel order by code; Tibet gets values too and is
 * ignored) in year t (0-based): index indicator k = (i+1)^(1 + k/10) * (1 + t/10), so every
 * indicator rises with i: province 11 (i 0) has x* = 0 everywhere (index 0), province 65
 * (i 29) x* = 1 everywhere (index = sum of weights = 1). gdp = 1000 (i+1)(1 + t/10) 100m yuan,
 * population 1000 + 100 i (10k persons), budget 0.2 gdp, fdi 1000 (10k usd) at a national
 * 700 yuan per 100 usd. By hand for 11 in 2020: GDP 1e11 yuan / 1e7 persons: ln_gdppc =
 * ln 10000 = 9.210340; fiscal 0.2; fdi = 1e7 usd * 7 / 1e11 = 0.0007. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "clean/clean.h"
#include "common/uscc.h"
#include "common/staging.h"
#include "load/load.h"
#include "ocr/ocr.h"

#define Y0 2020
#define NY 3

typedef struct world {
    char dir[256], path[512];
    sqlite3 *db;
    dtp_archive *ar;
    dtp_config *cfg;
    char tibet_uscc[19], bad_uscc[19];
} world;

static const char *const codes[31] = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"};
static const char *const index_inds[10] = {
    "websites_per_100", "ecommerce_share",  "ecommerce_sales",  "ecommerce_purchases",
    "online_retail",    "telecom_volume",   "software_revenue", "it_services_revenue",
    "software_firms",   "electronics_firms"};

static long long qint(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static double qdbl(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    double v = NAN;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_double(s, 0);
    sqlite3_finalize(s);
    return v;
}

static void exec_ok(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fprintf(stderr, "sql: %s\n", msg ? msg : "?");
    sqlite3_free(msg);
    assert_int_equal(rc, SQLITE_OK);
}

/* The yearbook; skip names a "code year indicator" row to leave out (NULL: none). */
static void write_yearbook(const world *w, const char *skip)
{
    char p[600];
    snprintf(p, sizeof p, "%s/yearbook.csv", w->dir);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fprintf(f, "province_code,year,indicator,value,unit,source\n");
    for (int t = 0; t < NY; t++)
        fprintf(f, "00,%d,exchange_rate,700,yuan per 100 usd,GENERATED test\n", Y0 + t);
    for (int c = 0, i = 0; c < 31; c++) {
        int tibet = strcmp(codes[c], "54") == 0;
        int ii = tibet ? 5 : i++;
        for (int t = 0; t < NY; t++) {
            double g = 1 + t / 10.0, gdp = 1000.0 * (ii + 1) * g;
            char key[64];
            struct {
                const char *name, *unit;
                double v;
            } r[] = {{"gdp", "100m yuan", gdp},
                     {"budget_expenditure", "100m yuan", 0.2 * gdp},
                     {"population", "10k persons", 1000.0 + 100 * ii},
                     {"area", "10k km2", 10.0 + ii},
                     {"tertiary_va", "100m yuan", 0.5 * gdp},
                     {"secondary_va", "100m yuan", 0.4 * gdp},
                     {"retail_sales", "100m yuan", 0.35 * gdp},
                     {"tech_market_turnover", "10k yuan", 100.0 * gdp},
                     {"fdi", "10k usd", 1000},
                     {"postal_telecom", "100m yuan", 0.03 * gdp},
                     {"loans", "100m yuan", 1.5 * gdp}};
            for (size_t k = 0; k < sizeof r / sizeof *r; k++) {
                snprintf(key, sizeof key, "%s %d %s", codes[c], Y0 + t, r[k].name);
                if (!skip || strcmp(skip, key) != 0)
                    fprintf(f, "%s,%d,%s,%.6f,%s,GENERATED test\n", codes[c], Y0 + t, r[k].name,
                            r[k].v, r[k].unit);
            }
            for (int k = 0; k < 10; k++)
                fprintf(f, "%s,%d,%s,%.6f,%s,GENERATED test\n", codes[c], Y0 + t, index_inds[k],
                        pow(ii + 1, 1 + k / 10.0) * g, "units");
        }
    }
    fclose(f);
}

static void write_listed(const world *w)
{
    char p[600];
    snprintf(p, sizeof p, "%s/listed.csv", w->dir);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fprintf(f,
            "code,name,uscc,exchange\n"
            "600001,武汉弘翀数据服务有限责任公司,91420106007928856K,SSE\n"
            "600002,北京珺通通信技术有限公司,911101082951608604,SSE\n"
            "600003,西安晟科电子科技有限公司,91610131992429458N,SSE\n"
            "300001,合肥弘鑫云计算股份有限公司,,SZSE\n"
            "300002,深圳筠华智能科技有限公司,,SZSE\n"
            "600004,拉萨雪域网络科技有限公司,%s,SSE\n",
            w->tibet_uscc);
    fclose(f);
}

static void insert_records(world *w)
{
    char sha[65];
    dtp_error err;
    dtp_error_clear(&err);
    static const char page[] = "GENERATED registry capture for the province test";
    assert_int_equal(dtp_archive_put(w->ar, page, sizeof page - 1, sha, &err), DTP_OK);
    assert_int_equal(dtp_staging_add_artifact(w->db, sha, sizeof page - 1, "text/html",
                                              "capture.html", "cnca", 1, &err),
                     DTP_OK);
    char *sql = sqlite3_mprintf(
        "INSERT INTO cert_records(id, artifact_sha256, record_key, kind, capture, cert_no,"
        " org_name, uscc, standard, is_isms, issue_date, expiry_date, first_issue_date,"
        " address, review_status) VALUES"
        " (1,'%q','r1','detail','html','C1','武汉弘翀数据服务有限责任公司','91420106007928856K',"
        "  'GB/T 22080-2016',1,'2022-02-10','2025-02-28','2019-03-01','武汉市','accepted'),"
        " (2,'%q','r2','list_row','html','C1','武汉弘翀数据服务有限责任公司',NULL,"
        "  'GB/T 22080-2016',1,NULL,'2025-02-28',NULL,NULL,'accepted'),"
        " (3,'%q','r3','detail','html','C3','北京珺通通信技术有限公司','911101082951608604',"
        "  'ISO/IEC 27001:2013',1,'2020-06-01','2023-05-31',NULL,'北京市','accepted'),"
        " (4,'%q','r4','detail','html','C4','西安晟科电子科技有限公司','91610131992429458N',"
        "  'ISO/IEC 27001:2013',1,'2019-01-10','2022-01-09',NULL,'西安市','accepted'),"
        " (5,'%q','r5','detail','html','C5','合肥弘鑫云计算股份有限公司',NULL,"
        "  'ISO/IEC 27001:2013',1,'2021-04-01','2024-03-31',NULL,'安徽省合肥市蜀山区','accepted'),"
        " (6,'%q','r6','detail','html','C6','深圳筠华智能科技有限公司','%q',"
        "  'ISO/IEC 27001:2013',1,'2018-07-01','2021-06-30',NULL,'广东省深圳市南山区','reviewed'),"
        " (7,'%q','r7','detail','html','C7','南京喆燊通信技术股份有限公司','91320106252N70380H',"
        "  'ISO/IEC 27001:2013',1,'2019-01-01','2025-12-31',NULL,'南京市','accepted'),"
        " (8,'%q','r8','detail','html','C8','北京珺通通信技术有限公司','911101082951608604',"
        "  'ISO 9001:2015',0,'2019-01-01','2025-12-31',NULL,'北京市','accepted'),"
        " (9,'%q','r9','detail','html','C9','西安晟科电子科技有限公司','91610131992429458N',"
        "  'ISO/IEC 27001:2013',1,'2019-01-01','2025-12-31',NULL,'西安市','needs_review'),"
        " (10,'%q','r10','detail','html','C10','拉萨雪域网络科技有限公司','%q',"
        "  'ISO/IEC 27001:2013',1,'2020-01-01','2025-12-31',NULL,'拉萨市','accepted');"
        "INSERT INTO cert_events(record_id, seq, event, event_date) VALUES"
        " (1,1,'initial','2019-03-01'),(1,2,'surveillance','2020-02-20'),"
        " (1,3,'surveillance','2021-02-15'),(1,4,'recert','2022-02-10'),"
        " (1,5,'surveillance','2023-02-01'),(1,6,'surveillance','2024-01-20'),"
        " (3,1,'initial','2020-06-01'),(3,2,'surveillance','2021-05-20'),"
        " (4,1,'initial','2019-01-10'),(4,2,'surveillance','2019-12-20'),"
        " (4,3,'surveillance','2020-12-01'),(4,4,'revocation','2021-06-30'),"
        " (6,1,'initial','2018-07-01'),(6,2,'surveillance','2019-06-15'),"
        " (6,3,'surveillance','2020-06-10'),"
        " (7,1,'初次认证','2019-01-01'),(7,2,'监督审核','2019-12-01'),(7,3,'监督审核','2020-11-20')"
        ","
        " (7,4,'再认证','2021-11-01'),(7,5,'监督审核','2022-10-15'),(7,6,'监督审核','2023-10-01'),"
        " (7,7,'再认证','2024-09-01'),(7,8,'监督审核','2025-08-01'),"
        " (9,1,'initial','2019-01-01'),"
        " (10,1,'initial','2020-01-01'),(10,2,'surveillance','2020-12-01'),"
        " (10,3,'surveillance','2021-11-01'),(10,4,'recert','2022-10-01'),"
        " (10,5,'surveillance','2023-09-01'),(10,6,'surveillance','2024-08-01'),"
        " (10,7,'recert','2025-07-01');",
        sha, sha, sha, sha, sha, sha, w->bad_uscc, sha, sha, sha, sha, w->tibet_uscc);
    exec_ok(w->db, sql);
    sqlite3_free(sql);
    /* the ISO Survey figure for China, as the country stage leaves it */
    static const char survey[] = "GENERATED survey stand-in for the province test";
    assert_int_equal(dtp_archive_put(w->ar, survey, sizeof survey - 1, sha, &err), DTP_OK);
    assert_int_equal(dtp_staging_add_artifact(w->db, sha, sizeof survey - 1, "text/plain",
                                              "survey.txt", "isosurvey", 1, &err),
                     DTP_OK);
    sql = sqlite3_mprintf(
        "INSERT INTO source_artifacts(source, role, artifact_sha256) VALUES('isosurvey','x','%q');"
        "INSERT INTO observations(artifact_sha256, source, variable, entity_raw, year,"
        " has_value, value, locator) VALUES('%q','isosurvey','iso27001','China',2020,1,6,'a'),"
        " ('%q','isosurvey','iso27001','China',2021,1,50,'b');"
        "INSERT INTO entity_map(source, entity_raw, iso3, kind, rule)"
        " VALUES('isosurvey','China','CHN','country','exact');",
        sha, sha, sha);
    exec_ok(w->db, sql);
    sqlite3_free(sql);
}

static void config(world *w, const char *extra)
{
    char text[4096];
    dtp_error err;
    dtp_error_clear(&err);
    snprintf(text, sizeof text,
             "[panel]\nyears = %d-%d\n[clean]\nprovinces = %s/data/provinces.csv\n"
             "yearbook = yearbook.csv\nlisted_companies = listed.csv\n%s",
             Y0, Y0 + NY - 1, DTP_TEST_SOURCE_DIR, extra ? extra : "");
    dtp_config_free(w->cfg);
    w->cfg = dtp_config_new();
    assert_non_null(w->cfg);
    if (dtp_config_load_string(w->cfg, text, "test.conf", &err) != DTP_OK)
        fail_msg("config: %s", err.message);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);
    snprintf(w->dir, sizeof w->dir, "/tmp/dtp_province_XXXXXX");
    if (!mkdtemp(w->dir))
        return -1;
    dtp_error err;
    dtp_error_clear(&err);
    snprintf(w->path, sizeof w->path, "%s/staging.db", w->dir);
    if (dtp_staging_open(w->path, &w->db, &err) != DTP_OK ||
        dtp_archive_open(w->dir, &w->ar, &err) != DTP_OK)
        return -1;
    /* a Tibet USCC with a correct check character, and a Shenzhen one with a wrong one */
    snprintf(w->tibet_uscc, sizeof w->tibet_uscc, "%s", "91540102MA6T12345");
    w->tibet_uscc[17] = dtp_uscc_check_char(w->tibet_uscc);
    w->tibet_uscc[18] = 0;
    snprintf(w->bad_uscc, sizeof w->bad_uscc, "%s", "91440305705631822Q");
    w->bad_uscc[17] = w->bad_uscc[17] == 'R' ? 'T' : 'R';
    write_yearbook(w, NULL);
    write_listed(w);
    insert_records(w);
    config(w, NULL);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    world *w = *state;
    dtp_staging_close(w->db);
    dtp_archive_free(w->ar);
    dtp_config_free(w->cfg);
    nftw(w->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(w);
    return 0;
}

static dtp_status run(world *w, dtp_clean_province_result *r, dtp_error *err)
{
    dtp_clean_opts o = {
        .db = w->db, .archive = w->ar, .cfg = w->cfg, .config_dir = w->dir, .run_id = 1};
    dtp_error_clear(err);
    return dtp_clean_province(&o, r, err);
}

static double cellv(sqlite3 *db, const char *entity, int year, const char *var)
{
    char sql[300];
    snprintf(sql, sizeof sql,
             "SELECT value FROM panel_cells WHERE panel = 'province' AND entity = '%s' AND"
             " year = %d AND variable = '%s'",
             entity, year, var);
    return qdbl(db, sql);
}

/* All cells as one string, for the run-twice comparison. */
static char *dump_cells(sqlite3 *db)
{
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT group_concat(entity || '|' || year || '|' ||"
                                        " variable || '|' || quote(value) || '|' || status ||"
                                        " '|' || COALESCE(flags, ''), ';') FROM (SELECT * FROM"
                                        " panel_cells WHERE panel = 'province' ORDER BY entity,"
                                        " year, variable)",
                                        -1, &s, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    char *out = strdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return out;
}

static void test_counts_and_rules(void **state)
{
    world *w = *state;
    dtp_clean_province_result r;
    dtp_error err;
    if (run(w, &r, &err) != DTP_OK)
        fail_msg("%s (%s)", err.message, err.locator);
    assert_int_equal(r.built, 1);
    assert_int_equal(r.provinces, 30);
    assert_int_equal(r.years, NY);
    assert_int_equal(r.cells, 30 * NY * 14);
    assert_int_equal(r.records_seen, 10);
    /* excluded: R2 duplicate, R8 not ISMS, R9 needs_review, R10 province not in panel */
    assert_int_equal(r.records_excluded, 4);
    assert_int_equal(r.certificates, 7); /* R1 R3 R4 R5 R6 R7 R10 */
    assert_int_equal(r.listed_uscc, 4);  /* R1 R3 R4 R10 */
    assert_int_equal(r.listed_name, 2);  /* R5 R6 */
    assert_int_equal(r.unmatched, 1);    /* R7 */
    assert_int_equal(r.address_fallback, 2);
    assert_int_equal(r.no_history, 1); /* R5 */
    static const struct {
        const char *code;
        int n[NY];
    } want[] = {{"11", {1, 1, 0}}, {"34", {0, 1, 1}}, {"42", {1, 1, 1}},
                {"44", {1, 0, 0}}, {"61", {1, 0, 0}}, {"32", {0, 0, 0}}};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        for (int t = 0; t < NY; t++) {
            double v = cellv(w->db, want[i].code, Y0 + t, "iso27001_listed");
            if (v != want[i].n[t])
                fail_msg("%s %d: %g, expected %d", want[i].code, Y0 + t, v, want[i].n[t]);
        }
    assert_int_equal(qint(w->db, "SELECT SUM(value) FROM panel_cells WHERE variable ="
                                 " 'iso27001_listed'"),
                     2 + 2 + 3 + 1 + 1);
    assert_int_equal(qint(w->db, "SELECT COUNT(*) FROM panel_cells WHERE panel = 'province'"
                                 " AND entity = '54'"),
                     0);
    /* the yearbook's rows all say GENERATED: its artifact is recorded as generated */
    assert_int_equal(qint(w->db, "SELECT generated FROM artifacts WHERE original_name ="
                                 " 'yearbook.csv'"),
                     1);
    /* flags of R5 (no history, address fallback) on 34 in 2021 */
    assert_int_equal(qint(w->db, "SELECT flags = 'no_history:1,address_fallback:1' FROM"
                                 " panel_cells WHERE entity = '34' AND year = 2021 AND variable ="
                                 " 'iso27001_listed'"),
                     1);
    /* lineage: counted records, and the reference observation behind a zero */
    assert_int_equal(qint(w->db, "SELECT group_concat(l.record_id) FROM lineage l JOIN"
                                 " panel_cells c ON c.id = l.cell_id WHERE c.entity = '42' AND"
                                 " c.year = 2021 AND c.variable = 'iso27001_listed'"),
                     1);
    assert_int_equal(qint(w->db, "SELECT COUNT(*) FROM lineage l JOIN panel_cells c ON c.id ="
                                 " l.cell_id JOIN observations o ON o.id = l.observation_id"
                                 " WHERE c.variable = 'iso27001_listed' AND c.value = 0 AND"
                                 " o.source = 'reference.listed'"),
                     30 * NY - 9);
    assert_int_equal(qint(w->db, "SELECT COUNT(*) FROM panel_cells c WHERE panel = 'province'"
                                 " AND NOT EXISTS (SELECT 1 FROM lineage l WHERE l.cell_id ="
                                 " c.id)"),
                     0);
    /* ledger: how each match was made, each exclusion with its rule, each zero explained */
    assert_int_equal(qint(w->db, "SELECT COUNT(*) FROM ledger WHERE panel = 'province' AND rule"
                                 " = 'listed_match'"),
                     7);
    assert_int_equal(qint(w->db, "SELECT COUNT(*) FROM ledger WHERE rule = 'listed_match' AND"
                                 " json_extract(detail, '$.text') LIKE '%normalised_name%'"),
                     2);
    assert_int_equal(qint(w->db, "SELECT COUNT(*) FROM ledger WHERE rule = 'listed_match' AND"
                                 " json_extract(detail, '$.text') LIKE '%unmatched%'"),
                     1);
    assert_int_equal(qint(w->db, "SELECT json_extract(detail, '$.record_id') FROM ledger WHERE"
                                 " rule = 'needs_review'"),
                     9);
    assert_int_equal(qint(w->db, "SELECT json_extract(detail, '$.record_id') FROM ledger WHERE"
                                 " rule = 'not_isms'"),
                     8);
    assert_int_equal(qint(w->db, "SELECT json_extract(detail, '$.record_id') FROM ledger WHERE"
                                 " rule = 'duplicate_capture'"),
                     2);
    assert_int_equal(qint(w->db, "SELECT json_extract(detail, '$.record_id') FROM ledger WHERE"
                                 " rule = 'province_not_in_panel'"),
                     10);
    assert_int_equal(qint(w->db, "SELECT COUNT(*) FROM ledger WHERE rule ="
                                 " 'province_address_fallback'"),
                     2);
    assert_int_equal(qint(w->db, "SELECT COUNT(*) FROM ledger WHERE rule = 'zero_count'"),
                     30 * NY - 9);
    assert_int_equal(qint(w->db, "SELECT COUNT(*) FROM ledger WHERE rule ="
                                 " 'yearbook_not_in_panel' AND entity = '54'"),
                     1);
    /* reconciliation: 2020 survey 6 = registry 6 (pass); 2021 survey 50 vs registry 5 (warn) */
    assert_int_equal(r.reconcile_checked, 2);
    assert_int_equal(r.reconcile_flagged, 1);
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(w->db,
                                        "SELECT group_concat(year || status, ',') FROM (SELECT *"
                                        " FROM check_results WHERE check_name ="
                                        " 'survey_vs_registry' ORDER BY year)",
                                        -1, &s, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "2020pass,2021warn");
    sqlite3_finalize(s);
}

static void test_index_and_controls(void **state)
{
    world *w = *state;
    dtp_clean_province_result r;
    dtp_error err;
    if (run(w, &r, &err) != DTP_OK)
        fail_msg("%s", err.message);
    /* weights per year and index, summing to 1 */
    assert_int_equal(qint(w->db, "SELECT COUNT(*) FROM index_weights"), NY * (10 + 5 + 5));
    assert_int_equal(qint(w->db, "SELECT COUNT(*) FROM (SELECT year, index_name, SUM(weight) s"
                                 " FROM index_weights GROUP BY year, index_name HAVING"
                                 " abs(s - 1) < 1e-9)"),
                     NY * 3);
    /* every indicator rises with the province index: 11 is 0, 65 is 1 */
    for (int t = 0; t < NY; t++) {
        assert_float_equal(cellv(w->db, "11", Y0 + t, "dt_index"), 0, 1e-12);
        assert_float_equal(cellv(w->db, "65", Y0 + t, "dt_index"), 1, 1e-9);
        assert_float_equal(cellv(w->db, "65", Y0 + t, "dt_ordering"), 1, 1e-9);
        assert_float_equal(cellv(w->db, "65", Y0 + t, "dt_products"), 1, 1e-9);
    }
    /* index cells trace to their 10 (or 5) yearbook observations, with file:line:col */
    assert_int_equal(qint(w->db, "SELECT COUNT(*) FROM lineage l JOIN panel_cells c ON c.id ="
                                 " l.cell_id JOIN observations o ON o.id = l.observation_id"
                                 " WHERE c.entity = '33' AND c.year = 2021 AND c.variable ="
                                 " 'dt_index' AND o.source = 'yearbook' AND o.locator LIKE"
                                 " 'yearbook.csv:%:4'"),
                     10);
    /* by hand (header comment) */
    assert_float_equal(cellv(w->db, "11", 2020, "ln_gdppc"), log(10000.0), 1e-9);
    assert_float_equal(cellv(w->db, "11", 2020, "fiscal"), 0.2, 1e-12);
    assert_float_equal(cellv(w->db, "11", 2020, "fdi"), 0.0007, 1e-12);
    assert_float_equal(cellv(w->db, "11", 2020, "structure"), 1.25, 1e-12);
    assert_float_equal(cellv(w->db, "11", 2020, "popdens"), 1e7 / 1e5, 1e-9);
    /* tech: 100 gdp (10k yuan) = 1e6 gdp yuan, over gdp (100m yuan = 1e8 yuan): 0.01 */
    assert_float_equal(cellv(w->db, "11", 2020, "tech"), 0.01, 1e-12);
    /* the fdi cell traces to fdi, gdp and the national exchange rate */
    assert_int_equal(qint(w->db, "SELECT COUNT(*) FROM lineage l JOIN panel_cells c ON c.id ="
                                 " l.cell_id WHERE c.entity = '11' AND c.year = 2020 AND"
                                 " c.variable = 'fdi'"),
                     3);
    /* high_dev: above the mean of ln_gdppc over all province-years, 0 at or below */
    assert_int_equal(qint(w->db, "SELECT COUNT(*) FROM panel_cells h JOIN panel_cells g ON"
                                 " g.entity = h.entity AND g.year = h.year AND g.variable ="
                                 " 'ln_gdppc' WHERE h.variable = 'high_dev' AND h.value !="
                                 " (g.value > (SELECT AVG(value) FROM panel_cells WHERE variable"
                                 " = 'ln_gdppc'))"),
                     0);
    assert_int_equal(qint(w->db, "SELECT COUNT(*) FROM panel_cells WHERE variable = 'high_dev'"
                                 " AND value = 1"),
                     qint(w->db, "SELECT COUNT(*) FROM panel_cells WHERE variable = 'ln_gdppc'"
                                 " AND value > (SELECT AVG(value) FROM panel_cells WHERE"
                                 " variable = 'ln_gdppc')"));
}

static void test_twice_identical_and_publish(void **state)
{
    world *w = *state;
    dtp_clean_province_result r;
    dtp_error err;
    assert_int_equal(run(w, &r, &err), DTP_OK);
    char *a = dump_cells(w->db);
    long long obs = qint(w->db, "SELECT COUNT(*) FROM observations");
    assert_int_equal(run(w, &r, &err), DTP_OK);
    char *b = dump_cells(w->db);
    assert_string_equal(a, b);
    /* the previous run's observations were replaced, not added to */
    assert_int_equal(qint(w->db, "SELECT COUNT(*) FROM observations"), obs);
    free(a);
    free(b);
    char wh[600];
    snprintf(wh, sizeof wh, "%s/warehouse.db", w->dir);
    dtp_load_options lo = {.warehouse = wh,
                           .data_dir = w->dir,
                           .keep_releases = 1,
                           .run_id = 1,
                           .year_first = Y0,
                           .year_last = Y0 + NY - 1,
                           .expected_country_rows = -1,
                           .expected_province_rows = 30 * NY,
                           .version = "test"};
    dtp_load_result lr;
    dtp_error_clear(&err);
    if (dtp_load_publish(w->db, w->ar, &lo, &lr, &err) != DTP_OK)
        fail_msg("publish: %s (%lld problems)", err.message, (long long)lr.problems);
    sqlite3 *db = NULL;
    assert_int_equal(dtp_load_open_release(wh, &db, &err), DTP_OK);
    assert_int_equal(qint(db, "SELECT COUNT(*) FROM panel_province_year"), 30 * NY);
    assert_int_equal(qint(db, "SELECT COUNT(DISTINCT province_code) FROM panel_province_year"), 30);
    assert_int_equal(qint(db, "SELECT COUNT(*) FROM panel_province_year WHERE dt_index IS NULL"
                              " OR iso27001_listed IS NULL OR finance IS NULL OR high_dev IS"
                              " NULL OR region IS NULL"),
                     0);
    assert_float_equal(qdbl(db, "SELECT ln_iso27001_listed FROM panel_province_year WHERE"
                                " province_code = '42' AND year = 2021"),
                       log(2.0), 1e-12);
    assert_int_equal(qint(db, "SELECT COUNT(*) FROM panel_province_year WHERE region ="
                              " 'central'"),
                     8 * NY);
    int64_t problems = -1;
    assert_int_equal(dtp_load_check_lineage(db, w->ar, NULL, NULL, &problems, &err), DTP_OK);
    assert_int_equal(problems, 0);
    sqlite3_close(db);
}

static void test_unbalanced_yearbook_fails_and_keeps_cells(void **state)
{
    world *w = *state;
    dtp_clean_province_result r;
    dtp_error err;
    assert_int_equal(run(w, &r, &err), DTP_OK);
    char *before = dump_cells(w->db);
    write_yearbook(w, "13 2021 gdp");
    assert_int_equal(run(w, &r, &err), DTP_ERR_VALIDATION);
    assert_non_null(strstr(err.message, "13 2021 gdp"));
    char *after = dump_cells(w->db);
    assert_string_equal(before, after);
    assert_int_equal(qint(w->db, "SELECT COUNT(*) FROM check_results WHERE check_name ="
                                 " 'province_balanced' AND status = 'fail'"),
                     1);
    free(before);
    free(after);
    write_yearbook(w, NULL);
}

static void test_bad_inputs(void **state)
{
    world *w = *state;
    dtp_clean_province_result r;
    dtp_error err;
    char p[600];
    /* an unknown indicator names the line */
    snprintf(p, sizeof p, "%s/yearbook.csv", w->dir);
    FILE *f = fopen(p, "a");
    assert_non_null(f);
    fprintf(f, "11,2020,websites,3,units,GENERATED test\n");
    fclose(f);
    assert_int_equal(run(w, &r, &err), DTP_ERR_PARSE);
    assert_non_null(strstr(err.message, "unknown indicator 'websites'"));
    assert_non_null(strstr(err.locator, "yearbook.csv:"));
    /* a row for a year outside the panel is not read */
    write_yearbook(w, NULL);
    f = fopen(p, "a");
    assert_non_null(f);
    fprintf(f, "54,2019,gdp,1,100m yuan,out of range year: not read\n");
    fclose(f);
    assert_int_equal(run(w, &r, &err), DTP_OK);
    /* no listed-company file configured */
    config(w, NULL);
    assert_int_equal(dtp_config_set(w->cfg, "clean", "listed_companies", "", "test", &err), DTP_OK);
    assert_int_equal(run(w, &r, &err), DTP_ERR_CONFIG);
    /* no yearbook: no province panel, previous cells removed */
    config(w, NULL);
    assert_int_equal(dtp_config_set(w->cfg, "clean", "yearbook", "", "test", &err), DTP_OK);
    assert_int_equal(run(w, &r, &err), DTP_OK);
    assert_int_equal(r.built, 0);
    assert_int_equal(qint(w->db, "SELECT COUNT(*) FROM panel_cells WHERE panel = 'province'"), 0);
    config(w, NULL);
    write_yearbook(w, NULL);
}

static void test_no_records_leaves_count_missing(void **state)
{
    world *w = *state;
    exec_ok(w->db, "DELETE FROM cert_events; DELETE FROM cert_records;");
    dtp_clean_province_result r;
    dtp_error err;
    assert_int_equal(run(w, &r, &err), DTP_OK);
    assert_int_equal(qint(w->db, "SELECT COUNT(*) FROM panel_cells WHERE variable ="
                                 " 'iso27001_listed' AND status = 'missing' AND value IS NULL"),
                     30 * NY);
    assert_int_equal(qint(w->db, "SELECT COUNT(*) FROM check_results WHERE check_name ="
                                 " 'registry_records' AND status = 'warn'"),
                     1);
}

/* ---- with the ocr stage: the generated HTML captures (tests/fixtures/cnca/html) read into
 * records by dtp_ocr_stage_run, then counted. The listed file of setup names 北京示例 and
 * 上海示例 only through the rows appended here (by USCC). From the pages:
 *   detail_table (Beijing, USCC 91110108MA01ABCD1E, ISMS): first issue 2018-03-15, expires
 *     2024-03-14; audits 2019-03-01, 2020-02-20, recertified 2021-03-15 (cycle restarts), then
 *     only a suspension 2022-04-01 and a restoration 2022-05-10: the audit due 2022-03-15
 *     (grace to 2022-06-15) never came, so valid 2020, 2021, not 2022 (missed surveillance);
 *   detail_lines (Shanghai, ISMS): its history holds an impossible date (2024-02-30), so the
 *     record is not fully accepted (needs_review) and never counts;
 *   detail_grid and its GBK twin: a quality certificate, not ISMS;
 *   list_table: list rows of the same three certificates (the two ISMS rows are duplicate
 *     captures of detail pages; the third is not ISMS).
 * So iso27001_listed: 11 = 1, 1, 0 in 2020-2022 and 0 elsewhere (the generated records of
 * setup are removed first). A second ocr run replaces the records: the province cells built
 * from them go with them (ocr/stage.c), and the next clean run rebuilds the same counts. */
static void test_with_ocr_stage_captures(void **state)
{
    world *w = *state;
    exec_ok(w->db, "DELETE FROM cert_events; DELETE FROM cert_records;");
    char p[600];
    snprintf(p, sizeof p, "%s/listed.csv", w->dir);
    FILE *f = fopen(p, "a");
    assert_non_null(f);
    fprintf(f, "600010,北京示例数据科技有限公司,91110108MA01ABCD1E,SSE\n"
               "600011,上海示例信息技术股份有限公司,91310115MA1H7XY23B,SSE\n");
    fclose(f);
    static const char *const pages[] = {"detail_table.html", "detail_lines.html",
                                        "detail_grid.html", "detail_grid_gbk.html",
                                        "list_table.html"};
    dtp_error err;
    dtp_error_clear(&err);
    for (size_t i = 0; i < sizeof pages / sizeof *pages; i++) {
        char path[700], sha[65];
        snprintf(path, sizeof path, "%s/tests/fixtures/cnca/html/%s", DTP_TEST_SOURCE_DIR,
                 pages[i]);
        assert_int_equal(dtp_archive_put_file(w->ar, path, 1 << 20, sha, &err), DTP_OK);
        assert_int_equal(
            dtp_staging_add_artifact(w->db, sha, 0, "text/html", pages[i], "cnca", 1, &err),
            DTP_OK);
        char *sql = sqlite3_mprintf("INSERT INTO source_artifacts(source, role, artifact_sha256)"
                                    " VALUES('cnca','%q','%q')",
                                    pages[i], sha);
        exec_ok(w->db, sql);
        sqlite3_free(sql);
    }
    config(w, "[source.cnca]\nkind = cnca\nurl = file:///dev/null\ngenerated = yes\n");
    dtp_ocr_stage_opts oo = {
        .db = w->db, .archive = w->ar, .cfg = w->cfg, .data_dir = w->dir, .run_id = 1};
    dtp_ocr_stage_result orr;
    if (dtp_ocr_stage_run(&oo, &orr, &err) != DTP_OK)
        fail_msg("ocr: %s", err.message);
    assert_true(orr.records >= 6);
    dtp_clean_province_result r;
    if (run(w, &r, &err) != DTP_OK)
        fail_msg("%s", err.message);
    assert_int_equal(r.records_seen, orr.records);
    for (int t = 0; t < NY; t++)
        assert_float_equal(cellv(w->db, "11", Y0 + t, "iso27001_listed"), t < 2 ? 1 : 0, 0);
    assert_int_equal(qint(w->db, "SELECT SUM(value) FROM panel_cells WHERE variable ="
                                 " 'iso27001_listed'"),
                     2);
    assert_int_equal(qint(w->db, "SELECT COUNT(*) FROM lineage l JOIN panel_cells c ON c.id ="
                                 " l.cell_id JOIN cert_records r ON r.id = l.record_id WHERE"
                                 " c.entity = '11' AND r.kind = 'detail' AND r.uscc ="
                                 " '91110108MA01ABCD1E'"),
                     2);
    assert_int_equal(qint(w->db, "SELECT COUNT(*) FROM ledger WHERE rule = 'not_isms'"), 3);
    assert_int_equal(qint(w->db, "SELECT COUNT(*) FROM ledger l JOIN cert_records r ON r.id ="
                                 " json_extract(l.detail, '$.record_id') WHERE l.rule ="
                                 " 'needs_review' AND r.uscc = '91310115MA1H7XY23B'"),
                     1);
    /* the next run reads the captures again while the cells point at their records */
    if (dtp_ocr_stage_run(&oo, &orr, &err) != DTP_OK)
        fail_msg("second ocr run: %s", err.message);
    /* the province cells counted from the replaced records are gone, not left stale */
    assert_int_equal(qint(w->db, "SELECT COUNT(*) FROM panel_cells WHERE panel = 'province'"), 0);
    if (run(w, &r, &err) != DTP_OK)
        fail_msg("second clean run: %s", err.message);
    assert_int_equal(qint(w->db, "SELECT SUM(value) FROM panel_cells WHERE variable ="
                                 " 'iso27001_listed'"),
                     2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_counts_and_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_index_and_controls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_twice_identical_and_publish, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unbalanced_yearbook_fails_and_keeps_cells, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bad_inputs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_records_leaves_count_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_with_ocr_stage_captures, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
