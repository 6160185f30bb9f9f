/* Reference tables (reference.h): the shipped files load, agree with the crosswalk and with
 * METHODS.md §B, and malformed rows are named by file:line:field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "clean/crosswalk.h"
#include "clean/province.h"
#include "clean/reference.h"
#include "test_util.h"

static void advanced_economies(void **state)
{
    char path[1024], m49[1024];
    dtp_ref_advanced t;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_ref_advanced_read_file(
                         repo_path("data/imf_advanced_economies.csv", path, sizeof path), &t, &err),
                     DTP_OK);
    assert_int_equal(t.n, 41);
    assert_int_equal(dtp_ref_developed(&t, "USA"), 1);
    assert_int_equal(dtp_ref_developed(&t, "KOR"), 1);
    assert_int_equal(dtp_ref_developed(&t, "TWN"), 1);
    assert_int_equal(dtp_ref_developed(&t, "HRV"), 1);
    assert_int_equal(dtp_ref_developed(&t, "CHN"), 0);
    assert_int_equal(dtp_ref_developed(&t, "PRK"), 0);
    assert_int_equal(dtp_ref_developed(&t, NULL), 0);
    /* every code is an ISO 3166-1 country in the crosswalk */
    dtp_xw_paths p = {"/usr/share/iso-codes/json/iso_3166-1.json",
                      "t",
                      repo_path("data/reference/unsd_m49_overview.csv", m49, sizeof m49),
                      NULL,
                      NULL,
                      NULL};
    dtp_xw *xw = NULL;
    assert_int_equal(dtp_xw_open(&p, &xw, &err), DTP_OK);
    for (size_t i = 0; i < t.n; i++)
        assert_int_equal(dtp_xw_code(xw, DTP_XW_ISO3, t.iso3[i]).kind, DTP_XW_COUNTRY);
    dtp_ref_rcep r;
    assert_int_equal(
        dtp_ref_rcep_read_file(repo_path("data/rcep_members.csv", path, sizeof path), &r, &err),
        DTP_OK);
    for (size_t i = 0; i < r.n; i++)
        assert_int_equal(dtp_xw_code(xw, DTP_XW_ISO3, r.rows[i].iso3).kind, DTP_XW_COUNTRY);
    dtp_ref_rcep_free(&r);
    dtp_xw_free(xw);
    dtp_ref_advanced_free(&t);
}

static void rcep(void **state)
{
    char path[1024];
    dtp_ref_rcep t;
    dtp_error err;
    unsigned fl = 99;
    assert_int_equal(
        dtp_ref_rcep_read_file(repo_path("data/rcep_members.csv", path, sizeof path), &t, &err),
        DTP_OK);
    assert_int_equal(t.n, 15);
    /* time-invariant: every member, every year */
    assert_int_equal(dtp_ref_rcep_dummy(&t, "CHN", 2016, DTP_RCEP_TIME_INVARIANT, &fl), 1);
    assert_int_equal(fl, 0);
    assert_int_equal(dtp_ref_rcep_dummy(&t, "IDN", 2016, DTP_RCEP_TIME_INVARIANT, NULL), 1);
    assert_int_equal(dtp_ref_rcep_dummy(&t, "IND", 2022, DTP_RCEP_TIME_INVARIANT, &fl), 0);
    /* entry into force: in force on 31 December of the year */
    assert_int_equal(dtp_ref_rcep_dummy(&t, "CHN", 2021, DTP_RCEP_ENTRY_INTO_FORCE, NULL), 0);
    assert_int_equal(dtp_ref_rcep_dummy(&t, "CHN", 2022, DTP_RCEP_ENTRY_INTO_FORCE, NULL), 1);
    assert_int_equal(dtp_ref_rcep_dummy(&t, "KOR", 2022, DTP_RCEP_ENTRY_INTO_FORCE, NULL), 1);
    assert_int_equal(dtp_ref_rcep_dummy(&t, "MYS", 2022, DTP_RCEP_ENTRY_INTO_FORCE, NULL), 1);
    assert_int_equal(dtp_ref_rcep_dummy(&t, "IDN", 2022, DTP_RCEP_ENTRY_INTO_FORCE, NULL), 0);
    assert_int_equal(dtp_ref_rcep_dummy(&t, "IDN", 2023, DTP_RCEP_ENTRY_INTO_FORCE, NULL), 1);
    assert_int_equal(dtp_ref_rcep_dummy(&t, "PHL", 2022, DTP_RCEP_ENTRY_INTO_FORCE, NULL), 0);
    assert_int_equal(dtp_ref_rcep_dummy(&t, "PHL", 2023, DTP_RCEP_ENTRY_INTO_FORCE, NULL), 1);
    assert_int_equal(dtp_ref_rcep_dummy(&t, "MMR", 2022, DTP_RCEP_ENTRY_INTO_FORCE, &fl), 1);
    assert_true(fl & DTP_RCEP_FLAG_CONTESTED);
    dtp_rcep_mode m;
    assert_int_equal(dtp_rcep_mode_parse("entry_into_force", &m, &err), DTP_OK);
    assert_int_equal(m, DTP_RCEP_ENTRY_INTO_FORCE);
    assert_int_equal(dtp_rcep_mode_parse("yes", &m, &err), DTP_ERR_CONFIG);
    dtp_ref_rcep_free(&t);
}

static void provinces_match_methods(void **state)
{
    char path[1024];
    dtp_ref_provinces t;
    dtp_error err;
    assert_int_equal(
        dtp_ref_provinces_read_file(repo_path("data/provinces.csv", path, sizeof path), &t, &err),
        DTP_OK);
    assert_int_equal(t.n, 31);
    size_t in_panel = 0, east = 0, central = 0, west = 0;
    for (size_t i = 0; i < t.n; i++) {
        if (!t.rows[i].in_panel)
            continue;
        in_panel++;
        east += t.rows[i].region == DTP_REGION_EASTERN;
        central += t.rows[i].region == DTP_REGION_CENTRAL;
        west += t.rows[i].region == DTP_REGION_WESTERN;
    }
    /* METHODS.md §B: 30 provinces; eastern 11, central 8, western 11 */
    assert_int_equal(in_panel, 30);
    assert_int_equal(east, 11);
    assert_int_equal(central, 8);
    assert_int_equal(west, 11);
    assert_int_equal(dtp_ref_province_get(&t, "54")->in_panel, 0);
    assert_string_equal(dtp_ref_province_get(&t, "44")->name_en, "Guangdong");
    assert_int_equal(dtp_ref_province_get(&t, "14")->region, DTP_REGION_CENTRAL);
    assert_int_equal(dtp_ref_province_get(&t, "61")->region, DTP_REGION_WESTERN);
    assert_int_equal(dtp_ref_province_get(&t, "46")->region, DTP_REGION_EASTERN);
    assert_null(dtp_ref_province_get(&t, "81"));
    assert_null(dtp_ref_province_get(&t, "71"));
    /* the address-name table in province.c agrees with the file */
    size_t matched = 0;
    for (int i = 0; i < dtp_province_names_count(); i++) {
        const dtp_ref_province *p = dtp_ref_province_get(&t, dtp_province_names_code(i));
        if (!p)
            continue;
        matched++;
        assert_string_equal(p->short_zh, dtp_province_names_short(i));
        assert_int_equal(strncmp(p->name_zh, p->short_zh, strlen(p->short_zh)), 0);
    }
    assert_int_equal(matched, 31);
    dtp_ref_provinces_free(&t);
}

static void malformed_rows(void **state)
{
    dtp_error err;
    dtp_ref_advanced a;
    const char *dup = "iso3,name\nUSA,United States\nUSA,again\n";
    assert_int_equal(dtp_ref_advanced_read_mem(dup, strlen(dup), "a.csv", &a, &err), DTP_ERR_PARSE);
    assert_string_equal(err.locator, "a.csv:3:iso3");
    const char *low = "iso3,name\nusa,United States\n";
    assert_int_equal(dtp_ref_advanced_read_mem(low, strlen(low), "a.csv", &a, &err), DTP_ERR_PARSE);
    assert_string_equal(err.locator, "a.csv:2:iso3");
    /* a code too long for its buffer: the message quotes what fits, never stale stack bytes
     * (a libFuzzer find, tests/fuzz/clean_csv/corpus/reference/regress-long-iso3-message) */
    const char *longcode = "iso3,name\nUSAUSAUSA,United States\n";
    assert_int_equal(dtp_ref_advanced_read_mem(longcode, strlen(longcode), "a.csv", &a, &err),
                     DTP_ERR_PARSE);
    assert_string_equal(err.locator, "a.csv:2:iso3");
    assert_non_null(strstr(err.message, "'USAUSAU' is not an alpha-3 code"));
    dtp_ref_rcep r;
    const char *date =
        "iso3,name,signature_date,entry_into_force\nCHN,China,2020-11-15,2022-13-01\n";
    assert_int_equal(dtp_ref_rcep_read_mem(date, strlen(date), "r.csv", &r, &err), DTP_ERR_PARSE);
    assert_string_equal(err.locator, "r.csv:2:entry_into_force");
    const char *order =
        "iso3,name,signature_date,entry_into_force\nCHN,China,2020-11-15,2019-01-01\n";
    assert_int_equal(dtp_ref_rcep_read_mem(order, strlen(order), "r.csv", &r, &err), DTP_ERR_PARSE);
    assert_non_null(strstr(err.message, "before the signature"));
    dtp_ref_provinces p;
    const char *code = "code,name_en,name_zh,short_zh,region,in_panel\n99,X,X,X,eastern,1\n";
    assert_int_equal(dtp_ref_provinces_read_mem(code, strlen(code), "p.csv", &p, &err),
                     DTP_ERR_PARSE);
    assert_string_equal(err.locator, "p.csv:2:code");
    const char *reg = "code,name_en,name_zh,short_zh,region,in_panel\n11,B,北京市,北京,north,1\n";
    assert_int_equal(dtp_ref_provinces_read_mem(reg, strlen(reg), "p.csv", &p, &err),
                     DTP_ERR_PARSE);
    assert_string_equal(err.locator, "p.csv:2:region");
    const char *inp =
        "code,name_en,name_zh,short_zh,region,in_panel\n11,B,北京市,北京,eastern,yes\n";
    assert_int_equal(dtp_ref_provinces_read_mem(inp, strlen(inp), "p.csv", &p, &err),
                     DTP_ERR_PARSE);
    assert_string_equal(err.locator, "p.csv:2:in_panel");
    const char *nocol = "code,name_en\n11,B\n";
    assert_int_equal(dtp_ref_provinces_read_mem(nocol, strlen(nocol), "p.csv", &p, &err),
                     DTP_ERR_PARSE);
    assert_int_equal(dtp_ref_provinces_read_file("/nonexistent", &p, &err), DTP_ERR_IO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(advanced_economies),
        cmocka_unit_test(rcep),
        cmocka_unit_test(provinces_match_methods),
        cmocka_unit_test(malformed_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
