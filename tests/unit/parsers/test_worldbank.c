/* World Bank API v2 JSON pages (real recordings), the page-sequence validator, the country list,
 * and the bulk CSV route (real CSVs, bare and in the generated zip). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fetch/worldbank.h"
#include "obslog.h"
#include "testutil.h"

#define CAS "real/worldbank/wbdata-go-cassettes/"
#define VCR "real/worldbank/wbstats-vcr-2025/"
#define AST "real/worldbank/astektito-worldbank-countries/"

static dtp_status page_file(const char *rel, obslog *l, dtp_wb_meta *m, dtp_parse_stats *s,
                            dtp_error *err)
{
    size_t n;
    char *b = slurp_fixture(rel, &n);
    dtp_parse_ctx pc = {
        .source = "worldbank", .file = "page.json", .on_obs = l ? obslog_add : NULL, .obs_ctx = l};
    dtp_error_clear(err);
    dtp_status st = dtp_wb_parse_page(&pc, b, n, NULL, m, s, err);
    free(b);
    return st;
}

static dtp_status page_text(const char *text, dtp_wb_meta *m, dtp_error *err)
{
    dtp_parse_ctx pc = {.source = "worldbank", .file = "page.json"};
    dtp_error_clear(err);
    return dtp_wb_parse_page(&pc, text, strlen(text), NULL, m, NULL, err);
}

static void gdp_all_real(void **state)
{
    obslog l = {0};
    dtp_wb_meta m;
    dtp_parse_stats s = {0};
    dtp_error err;
    dtp_status st = page_file(VCR "wb_gdp_all__0.json", &l, &m, &s, &err);
    if (st != DTP_OK)
        fail_msg("%s: %s", err.locator, err.message);
    assert_int_equal(m.page, 1);
    assert_int_equal(m.pages, 1);
    assert_int_equal(m.per_page, 20000);
    assert_int_equal(m.total, 17290);
    assert_string_equal(m.sourceid, "2");
    assert_string_equal(m.lastupdated, "2025-07-01");
    assert_int_equal(m.rows, 17290);
    assert_int_equal(s.obs, 17290);
    assert_int_equal(s.missing, 2749);
    /* aggregates come first: the first record is Africa Eastern and Southern 2024 */
    assert_string_equal(l.v[0].entity_code, "AFE");
    assert_string_equal(l.v[0].value_raw, "1287676979450.75");
    assert_string_equal(l.v[0].locator, "$[1][0].value");
    assert_string_equal(l.v[0].edition, "2025-07-01");
    size_t wb_ids = 0;
    for (size_t i = 0; i < l.n; i++)
        wb_ids += strcmp(l.v[i].entity_system, "wb") == 0;
    assert_int_equal(wb_ids, 325); /* XD XM XN XT XY x 65 years have countryiso3code "" */
    const obs_copy *o = obslog_find(&l, "NY.GDP.MKTP.CD", "XD", 2020);
    assert_non_null(o);
    assert_string_equal(o->locator, "$[1][1044].value");
    assert_string_equal(o->entity_raw, "High income");
    o = obslog_find(&l, "NY.GDP.MKTP.CD", "USA", 2023);
    assert_string_equal(o->value_raw, "27720709000000"); /* a JSON integer */
    assert_string_equal(o->locator, "$[1][16576].value");
    o = obslog_find(&l, "NY.GDP.MKTP.CD", "BRA", 2006);
    assert_string_equal(o->value_raw, "1107626541434.92");
    assert_true(o->value == 1107626541434.92);
    assert_null(o->variable);
    assert_non_null(strstr(l.v[15223].flags, "Excludes South Sudan"));
    obslog_free(&l);

    dtp_wb_pager p;
    dtp_wb_pager_init(&p);
    assert_int_equal(dtp_wb_pager_add(&p, &m, &err), DTP_OK);
    assert_int_equal(dtp_wb_pager_next(&p), 0);
    assert_int_equal(dtp_wb_pager_finish(&p, &err), DTP_OK);
}

static void error_documents(void **state)
{
    dtp_wb_meta m;
    dtp_error err;
    assert_int_equal(page_file(CAS "TestIndicatorValuesService_List__3.json", NULL, &m, NULL, &err),
                     DTP_ERR_NOT_FOUND);
    assert_int_equal(m.api_error_id, 120);
    assert_true(dtp_wb_error_try_next(m.api_error_id));
    assert_string_equal(err.message,
                        "api error 120 (Invalid value): The provided parameter value is not valid");
    assert_string_equal(err.locator, "page.json:$[0].message");
    assert_int_equal(page_file(AST "country_ZZ_error120.json", NULL, &m, NULL, &err),
                     DTP_ERR_NOT_FOUND);
    assert_int_equal(page_file(CAS "TestLanguagesService_Get__1.json", NULL, &m, NULL, &err),
                     DTP_ERR_UPSTREAM);
    assert_int_equal(m.api_error_id, 150);
    assert_false(dtp_wb_error_try_next(150));
    /* id 175 (archived indicator, e.g. PV.EST): no recording exists; same shape as the 120 one */
    assert_int_equal(page_text("[{\"message\":[{\"id\":\"175\",\"key\":\"Invalid format\","
                               "\"value\":\"The indicator was not found. It may have been "
                               "deleted or archived.\"}]}]",
                               &m, &err),
                     DTP_ERR_NOT_FOUND);
    assert_int_equal(m.api_error_id, 175);
    assert_non_null(strstr(err.message, "archived"));
    /* HTTP 400 body: UTF-8 BOM, XML declaration, XHTML "Request Error" page */
    assert_int_equal(
        page_file(CAS "TestIndicatorValuesService_ListBySourceID__3.txt", NULL, &m, NULL, &err),
        DTP_ERR_UPSTREAM);
    assert_string_equal(err.message, "html page instead of json (title \"Request Error\")");
}

static void empty_and_malformed(void **state)
{
    dtp_wb_meta m;
    dtp_error err;
    /* explicit empty answers (synthetic: no recording of one exists) */
    const char *empties[] = {
        "[{\"page\":0,\"pages\":0,\"per_page\":50,\"total\":0,\"sourceid\":null},[]]",
        "[{\"page\":1,\"pages\":0,\"per_page\":\"50\",\"total\":\"0\"},null]",
    };
    for (int i = 0; i < 2; i++) {
        assert_int_equal(page_text(empties[i], &m, &err), DTP_OK);
        assert_true(m.empty);
        assert_int_equal(m.rows, 0);
        dtp_wb_pager p;
        dtp_wb_pager_init(&p);
        assert_int_equal(dtp_wb_pager_add(&p, &m, &err), DTP_OK);
        assert_int_equal(dtp_wb_pager_finish(&p, &err), DTP_OK);
    }
    /* an "empty" page that claims rows exist is inconsistent */
    assert_int_equal(
        page_text("[{\"page\":1,\"pages\":2,\"per_page\":50,\"total\":60},[]]", &m, &err), DTP_OK);
    dtp_wb_pager p;
    dtp_wb_pager_init(&p);
    assert_int_equal(dtp_wb_pager_add(&p, &m, &err), DTP_ERR_UPSTREAM);

#define ROW                                                                                        \
    "{\"indicator\":{\"id\":\"PV.EST\",\"value\":\"x\"},\"country\":{\"id\":\"US\",\"value\":"     \
    "\"United States\"},\"countryiso3code\":\"USA\",\"date\":\"2020\",\"value\":%s,\"unit\":\"\"," \
    "\"obs_status\":\"\",\"decimal\":2}"
    char buf[1024], rowbuf[600];
    struct {
        const char *value;
        dtp_status st;
        const char *loc;
    } cases[] = {
        {"-0.5", DTP_OK, ""},
        {"null", DTP_OK, ""},
        {"\"0.5\"", DTP_ERR_PARSE, "page.json:$[1][0].value"},
        {"true", DTP_ERR_PARSE, "page.json:$[1][0].value"},
    };
    for (size_t i = 0; i < 4; i++) {
        snprintf(rowbuf, sizeof rowbuf, ROW, cases[i].value);
        snprintf(buf, sizeof buf, "[{\"page\":1,\"pages\":1,\"per_page\":50,\"total\":1},[%s]]",
                 rowbuf);
        assert_int_equal(page_text(buf, &m, &err), cases[i].st);
        if (cases[i].st != DTP_OK)
            assert_string_equal(err.locator, cases[i].loc);
    }
    struct {
        const char *text;
        dtp_status st;
        const char *msg;
    } bad[] = {
        {"{\"page\":1}", DTP_ERR_PARSE, "top level is not an array"},
        {"[1,2,3]", DTP_ERR_PARSE, "expected [meta, rows]"},
        {"[{\"page\":1,\"total\":1},{}]", DTP_ERR_PARSE, "neither an array nor null"},
        {"[{\"page\":1,\"page\":2,\"total\":1},[]]", DTP_ERR_PARSE, "duplicate"},
        {"[{\"page\":1,\"total\":1},[", DTP_ERR_PARSE, "not valid json"},
        {"[{\"page\":-1,\"total\":1},[]]", DTP_ERR_PARSE, "meta page"},
        {"[{\"page\":1},[]]", DTP_ERR_PARSE, "meta has no total"},
        {"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
         DTP_ERR_LIMIT, "nested deeper"},
        {"", DTP_ERR_UPSTREAM, "empty response"},
        {"[{\"message\":[{\"id\":\"x\"}]}]", DTP_ERR_PARSE, "numeric message id"},
        {"[{\"page\":1,\"pages\":1,\"per_page\":1,\"total\":1},[{\"indicator\":{\"id\":\"X\"},"
         "\"country\":{\"id\":\"US\"},\"countryiso3code\":\"USA\",\"date\":\"2020Q1\",\"value\":1}]"
         "]",
         DTP_ERR_UNSUPPORTED, "not an annual period"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dtp_status st = page_text(bad[i].text, &m, &err);
        if (st != bad[i].st || !strstr(err.message, bad[i].msg))
            fail_msg("case %zu: status %d: %s", i, st, err.message);
        assert_string_equal(err.source, "worldbank");
    }
    dtp_parse_ctx pc = {.source = "worldbank"};
    dtp_wb_opts small = {.max_bytes = 10};
    assert_int_equal(dtp_wb_parse_page(&pc, "[{\"total\":0},[]]", 16, &small, &m, NULL, &err),
                     DTP_ERR_LIMIT);
}

static dtp_wb_meta meta_of(long page, long pages, long per_page, long total, size_t rows)
{
    dtp_wb_meta m = {
        .page = page, .pages = pages, .per_page = per_page, .total = total, .rows = rows};
    return m;
}

static void pager_rules(void **state)
{
    dtp_error err;
    dtp_wb_pager p;
    /* 3 pages of 50: 50 + 50 + 20 = 120 */
    dtp_wb_pager_init(&p);
    dtp_wb_meta a = meta_of(1, 3, 50, 120, 50), b = meta_of(2, 3, 50, 120, 50),
                c = meta_of(3, 3, 50, 120, 20);
    assert_int_equal(dtp_wb_pager_next(&p), 1);
    assert_int_equal(dtp_wb_pager_add(&p, &a, &err), DTP_OK);
    assert_int_equal(dtp_wb_pager_next(&p), 2);
    assert_int_equal(dtp_wb_pager_add(&p, &b, &err), DTP_OK);
    assert_int_equal(dtp_wb_pager_finish(&p, &err), DTP_ERR_UPSTREAM); /* not finished yet */
    assert_int_equal(dtp_wb_pager_add(&p, &c, &err), DTP_OK);
    assert_int_equal(dtp_wb_pager_next(&p), 0);
    assert_int_equal(dtp_wb_pager_finish(&p, &err), DTP_OK);

    dtp_wb_pager_init(&p);
    dtp_wb_meta shortp = meta_of(1, 3, 50, 120, 48);
    assert_int_equal(dtp_wb_pager_add(&p, &shortp, &err), DTP_ERR_UPSTREAM);
    assert_string_equal(err.message, "page 1 of 3: short page (48 of 50 rows)");

    dtp_wb_pager_init(&p);
    dtp_wb_meta moved = meta_of(2, 3, 50, 121, 50);
    assert_int_equal(dtp_wb_pager_add(&p, &a, &err), DTP_OK);
    assert_int_equal(dtp_wb_pager_add(&p, &moved, &err), DTP_ERR_UPSTREAM);
    assert_string_equal(err.message, "page 2 of 3: total changed from 120 to 121");

    dtp_wb_pager_init(&p);
    dtp_wb_meta skip = meta_of(3, 3, 50, 120, 20);
    assert_int_equal(dtp_wb_pager_add(&p, &a, &err), DTP_OK);
    assert_int_equal(dtp_wb_pager_add(&p, &skip, &err), DTP_ERR_UPSTREAM);

    dtp_wb_pager_init(&p);
    dtp_wb_meta lastshort = meta_of(3, 3, 50, 120, 19);
    assert_int_equal(dtp_wb_pager_add(&p, &a, &err), DTP_OK);
    assert_int_equal(dtp_wb_pager_add(&p, &b, &err), DTP_OK);
    assert_int_equal(dtp_wb_pager_add(&p, &lastshort, &err), DTP_ERR_UPSTREAM);

    dtp_wb_pager_init(&p);
    dtp_wb_meta pages_changed = meta_of(2, 4, 50, 120, 50);
    assert_int_equal(dtp_wb_pager_add(&p, &a, &err), DTP_OK);
    assert_int_equal(dtp_wb_pager_add(&p, &pages_changed, &err), DTP_ERR_UPSTREAM);

    /* the real page 1 of a 149-page country list (per_page "2" as a string) */
    size_t n;
    char *buf = slurp_fixture(CAS "TestCountriesService_List__0.json", &n);
    dtp_parse_ctx pc = {.source = "worldbank"};
    dtp_wb_meta m;
    assert_int_equal(dtp_wb_parse_countries(&pc, buf, n, NULL, &m, NULL, NULL, &err), DTP_OK);
    free(buf);
    assert_int_equal(m.pages, 149);
    assert_int_equal(m.per_page, 2);
    assert_int_equal(m.total, 297);
    dtp_wb_pager_init(&p);
    assert_int_equal(dtp_wb_pager_add(&p, &m, &err), DTP_OK);
    assert_int_equal(dtp_wb_pager_next(&p), 2);
    assert_int_equal(dtp_wb_pager_finish(&p, &err), DTP_ERR_UPSTREAM);
}

typedef struct ents {
    size_t n, aggregates;
    char first_id[8], first_region[64], last_id[8];
    int first_aggregate;
} ents;

static dtp_status ent_add(void *ctx, const dtp_wb_entity *e, dtp_error *err)
{
    ents *x = ctx;
    if (x->n == 0) {
        snprintf(x->first_id, sizeof x->first_id, "%s", e->id);
        snprintf(x->first_region, sizeof x->first_region, "%s", e->region);
        x->first_aggregate = e->aggregate;
    }
    snprintf(x->last_id, sizeof x->last_id, "%s", e->id);
    x->n++;
    x->aggregates += e->aggregate != 0;
    return DTP_OK;
}

static void country_list(void **state)
{
    dtp_error err;
    dtp_wb_meta m;
    dtp_parse_ctx pc = {.source = "worldbank"};
    const char *files[] = {AST "country_CO.json", AST "country_EUU_aggregate.json",
                           CAS "TestCountriesService_List__0.json"};
    ents want[] = {{1, 0, "COL", "Latin America & Caribbean ", "COL", 0},
                   {1, 1, "EUU", "Aggregates", "EUU", 1},
                   {2, 0, "ABW", "Latin America & Caribbean ", "AFG", 0}};
    for (int i = 0; i < 3; i++) {
        size_t n;
        char *b = slurp_fixture(files[i], &n);
        ents e = {0};
        dtp_error_clear(&err);
        assert_int_equal(dtp_wb_parse_countries(&pc, b, n, NULL, &m, ent_add, &e, &err), DTP_OK);
        free(b);
        assert_int_equal(e.n, want[i].n);
        assert_int_equal(e.aggregates, want[i].aggregates);
        assert_string_equal(e.first_id, want[i].first_id);
        assert_string_equal(e.first_region, want[i].first_region);
        assert_string_equal(e.last_id, want[i].last_id);
    }
}

#define WDI "real/wdi/"

static void bulk_csv_real(void **state)
{
    struct {
        const char *file, *indicator, *var, *updated;
        size_t rows, obs, empty;
    } files[] = {
        {"API_PV.EST_DS2_en_csv_v2_7919.csv", "PV.EST", "pv", "2025-07-01", 266, 5025, 12265},
        {"API_BX.KLT.DINV.WD.GD.ZS_DS2_en_csv_v2_397.csv", "BX.KLT.DINV.WD.GD.ZS", "fdi",
         "2026-02-24", 266, 11788, 5768},
    };
    obslog l[2] = {{0}};
    for (int i = 0; i < 2; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "wdi/%s", files[i].file);
        FILE *f = open_real(rel);
        dtp_reader r = dtp_reader_file(f);
        dtp_parse_ctx pc = {
            .source = "worldbank", .file = files[i].file, .on_obs = obslog_add, .obs_ctx = &l[i]};
        dtp_wb_bulk_result res;
        dtp_parse_stats s = {0};
        dtp_error err;
        dtp_error_clear(&err);
        dtp_status st = dtp_wb_bulk_parse_csv(&pc, &r, &res, &s, &err);
        fclose(f);
        if (st != DTP_OK)
            fail_msg("%s: %s", err.locator, err.message);
        assert_string_equal(res.indicator, files[i].indicator);
        assert_string_equal(res.last_updated, files[i].updated);
        assert_int_equal(s.rows, files[i].rows);
        assert_int_equal(s.obs, files[i].obs);
        assert_int_equal(s.skipped, files[i].empty);
        assert_int_equal(obslog_count(&l[i], files[i].var, 1), files[i].obs);
        assert_string_equal(l[i].v[0].edition, files[i].updated);
    }
    /* hand-checked by grep: line 257 is "United States","USA",... */
    const obs_copy *o = obslog_find(&l[0], "pv", "USA", 2023);
    assert_string_equal(o->value_raw, "0.029424749314785");
    assert_string_equal(o->locator, "API_PV.EST_DS2_en_csv_v2_7919.csv:257:702");
    o = obslog_find(&l[0], "pv", "USA", 1996);
    assert_string_equal(o->value_raw, "0.935005784034729");
    assert_string_equal(o->locator, "API_PV.EST_DS2_en_csv_v2_7919.csv:257:206");
    o = obslog_find(&l[0], "pv", "DEU", 1996);
    assert_string_equal(o->value_raw, "1.28849947452545");
    o = obslog_find(&l[0], "pv", "CHN", 2010);
    assert_true(o->value == -0.65706068277359);
    assert_null(obslog_find(&l[0], "pv", "USA", 1997)); /* WGI skipped 1997 */
    assert_null(obslog_find(&l[0], "pv", "WLD", 2010)); /* no world aggregate for PV.EST */
    o = obslog_find(&l[1], "fdi", "BRA", 2022);
    assert_string_equal(o->value_raw, "3.86803201499441");
    assert_string_equal(o->locator, "API_BX.KLT.DINV.WD.GD.ZS_DS2_en_csv_v2_397.csv:35:1122");
    o = obslog_find(&l[1], "fdi", "WLD", 2010);
    assert_string_equal(o->value_raw, "2.70604380418321");
    assert_string_equal(o->entity_raw, "World");
    o = obslog_find(&l[1], "fdi", "USA", 2023);
    assert_string_equal(o->value_raw, "1.32618252590589");
    obslog_free(&l[0]);
    obslog_free(&l[1]);
}

static void bulk_zip_generated(void **state)
{
    size_t n;
    char *zip = slurp_fixture("wdi_bulk/API_PV.EST_DS2_en_csv_v2_7919.zip", &n);
    dtp_mem_reader m;
    dtp_reader r = dtp_reader_mem(&m, zip, n);
    obslog l = {0};
    ents e = {0};
    dtp_parse_ctx pc = {.source = "worldbank",
                        .file = "API_PV.EST_DS2_en_csv_v2_7919.zip",
                        .on_obs = obslog_add,
                        .obs_ctx = &l};
    dtp_wb_bulk_result res;
    dtp_parse_stats s = {0};
    dtp_error err;
    dtp_error_clear(&err);
    dtp_status st = dtp_wb_bulk_parse_zip(&pc, &r, ent_add, &e, &res, &s, &err);
    if (st != DTP_OK)
        fail_msg("%s: %s", err.locator, err.message);
    assert_int_equal(res.data_files, 1);
    assert_int_equal(res.metadata_files, 2);
    assert_string_equal(res.last_updated, "2025-07-01");
    assert_int_equal(s.obs, 5025);
    assert_int_equal(e.n, 265);
    assert_int_equal(e.aggregates, 48); /* blank Region */
    assert_string_equal(e.first_id, "ABW");
    assert_string_equal(e.first_region, "Latin America & Caribbean");
    assert_string_equal(e.last_id, "ZWE");
    const obs_copy *o = obslog_find(&l, "pv", "USA", 2023);
    assert_string_equal(o->locator, "API_PV.EST_DS2_en_csv_v2_7919.csv:257:702");
    obslog_free(&l);

    /* the same through a non-seekable reader handing out 1 byte at a time */
    trickle t;
    dtp_reader tr = trickle_reader(&t, zip, n, 1, 0);
    dtp_parse_stats s2 = {0};
    dtp_parse_ctx counting = {.source = "worldbank", .file = "x.zip"};
    dtp_error_clear(&err);
    assert_int_equal(dtp_wb_bulk_parse_zip(&counting, &tr, NULL, NULL, &res, &s2, &err), DTP_OK);
    assert_int_equal(s2.obs, 5025);

    /* truncated zips never pass silently */
    for (size_t cut = 0; cut < n; cut += cut < 200 ? 1 : 997) {
        dtp_reader rr = dtp_reader_mem(&m, zip, cut);
        dtp_parse_ctx q = {.source = "worldbank", .file = "t.zip"};
        dtp_error_clear(&err);
        if (dtp_wb_bulk_parse_zip(&q, &rr, NULL, NULL, NULL, NULL, &err) == DTP_OK)
            fail_msg("zip cut at %zu of %zu accepted", cut, n);
    }
    free(zip);
}

static void bulk_malformed(void **state)
{
    const char *pre = "\xEF\xBB\xBF\"Data Source\",\"World Development Indicators\",\r\n\r\n"
                      "\"Last Updated Date\",\"2025-07-01\",\r\n\r\n";
    struct {
        const char *body;
        const char *loc, *msg;
    } bad[] = {
        {"\"Country Name\",\"Country Code\",\"Indicator Name\",\"Indicator "
         "Code\",\"1960\",\"x\",\r\n",
         "b.csv:5:72", "not a year"},
        {"\"Country Name\",\"Country Code\",\"Indicator Name\",\"Indicator Code\",\"2020\",\r\n"
         "\"A\",\"AAA\",\"n\",\"PV.EST\",\"1,5\",\r\n",
         "b.csv:6:24", "thousands separator"},
        {"\"Country Name\",\"Country Code\",\"Indicator Name\",\"Indicator Code\",\"2020\",\r\n"
         "\"A\",\"AAA\",\"n\",\"PV.EST\",\"1\",\"2\"\r\n",
         "b.csv:6:28", "after the last year"},
        {"\"Country Name\",\"Country Code\",\"Indicator Name\",\"Indicator Code\",\"2020\",\r\n"
         "\"A\",\"AAA\",\"n\",\"PV.EST\",\"1\",\r\n\"B\",\"BBB\",\"n\",\"FDI\",\"1\",\r\n",
         "b.csv:7:15", "second indicator"},
        {NULL, "b.csv:1:1", "not a world bank bulk csv"}, /* no preamble, no header */
        {"", "b.csv", "no \"Country Name\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[2048];
        if (bad[i].body)
            snprintf(text, sizeof text, "%s%s", pre, bad[i].body);
        else
            snprintf(text, sizeof text, "\"a\",\"b\",\"c\",\"d\"\r\n");
        dtp_mem_reader m;
        dtp_reader r = dtp_reader_mem(&m, text, strlen(text));
        dtp_parse_ctx pc = {.source = "worldbank", .file = "b.csv"};
        dtp_error err;
        dtp_error_clear(&err);
        dtp_status st = dtp_wb_bulk_parse_csv(&pc, &r, NULL, NULL, &err);
        if (st != DTP_ERR_PARSE || strcmp(err.locator, bad[i].loc) != 0 ||
            !strstr(err.message, bad[i].msg))
            fail_msg("case %zu: status %d %s: %s", i, st, err.locator, err.message);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gdp_all_real),        cmocka_unit_test(error_documents),
        cmocka_unit_test(empty_and_malformed), cmocka_unit_test(pager_rules),
        cmocka_unit_test(country_list),        cmocka_unit_test(bulk_csv_real),
        cmocka_unit_test(bulk_zip_generated),  cmocka_unit_test(bulk_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
