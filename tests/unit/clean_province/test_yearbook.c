/* The yearbook CSV reader (clean/yearbook.h) on hand-written GENERATED inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "clean/yearbook.h"

static dtp_status parse(const char *text, dtp_yearbook *y, dtp_error *err)
{
    dtp_error_clear(err);
    return dtp_yearbook_read_mem(text, strlen(text), "yb.csv", y, err);
}

static void test_rows(void **state)
{
    (void)state;
    dtp_yearbook y;
    dtp_error err;
    assert_int_equal(parse("province_code,year,indicator,value,unit,source\n"
                           "11,2020,gdp,36102.6,100m yuan,GENERATED a\n"
                           "\n"
                           "00,2020,exchange_rate,689.76,yuan per 100 usd,GENERATED b\n"
                           "44,2021,software_firms,0,enterprises,GENERATED c\n",
                           &y, &err),
                     DTP_OK);
    assert_int_equal(y.n, 3);
    assert_string_equal(y.rows[0].code, "11");
    assert_int_equal(y.rows[0].year, 2020);
    assert_int_equal(y.rows[0].indicator, DTP_YB_GDP);
    assert_float_equal(y.rows[0].value, 36102.6, 1e-9);
    assert_string_equal(y.rows[0].raw, "36102.6");
    assert_string_equal(y.rows[0].unit, "100m yuan");
    assert_int_equal(y.rows[0].line, 2);
    assert_int_equal(y.rows[0].value_col, 4);
    assert_int_equal(y.rows[1].line, 4); /* the blank line is skipped, lines stay physical */
    assert_int_equal(y.rows[1].indicator, DTP_YB_EXCHANGE_RATE);
    assert_int_equal(y.rows[2].indicator, DTP_YB_SOFTWARE_FIRMS);
    assert_true(y.rows[2].indicator < DTP_YB_N_INDEX);
    assert_int_equal(y.all_generated, 1);
    dtp_yearbook_free(&y);
    /* without a source column: not generated, source "" */
    assert_int_equal(parse("indicator,province_code,year,unit,value\n"
                           "loans,32,2019,100m yuan,1e5\n",
                           &y, &err),
                     DTP_OK);
    assert_int_equal(y.all_generated, 0);
    assert_string_equal(y.rows[0].source, "");
    assert_int_equal(y.rows[0].value_col, 5);
    assert_float_equal(y.rows[0].value, 100000, 0);
    dtp_yearbook_free(&y);
}

static void test_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want, *loc;
    } bad[] = {
        {"year,indicator,value,unit\n2020,gdp,1,x\n", "province_code", ""},
        {"province_code,year,indicator,value,unit\n11,2020,websites,1,x\n",
         "unknown indicator 'websites'", "yb.csv:2"},
        {"province_code,year,indicator,value,unit\n11,2020,gdp,-1,x\n", "not a non-negative",
         "yb.csv:2"},
        {"province_code,year,indicator,value,unit\n11,2020,gdp,abc,x\n", "not a non-negative",
         "yb.csv:2"},
        {"province_code,year,indicator,value,unit\n11,2020,gdp,nan,x\n", "not a non-negative",
         "yb.csv:2"},
        {"province_code,year,indicator,value,unit\n110,2020,gdp,1,x\n", "2 digits", "yb.csv:2"},
        {"province_code,year,indicator,value,unit\n11,20x0,gdp,1,x\n", "2 digits", "yb.csv:2"},
        {"province_code,year,indicator,value,unit\n11,2020,gdp,1,\n", "2 digits", "yb.csv:2"},
        {"province_code,year,indicator,value,unit\n11,2020,gdp,1,x\n00,2020,gdp,1,x\n",
         "only for exchange_rate", "yb.csv:3"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        dtp_yearbook y;
        dtp_error err;
        dtp_status st = parse(bad[i].text, &y, &err);
        if (st == DTP_OK || !strstr(err.message, bad[i].want) ||
            (bad[i].loc[0] && !strstr(err.locator, bad[i].loc)))
            fail_msg("case %zu: status %d, message '%s', locator '%s'", i, (int)st, err.message,
                     err.locator);
        assert_null(y.rows);
    }
}

static void test_names(void **state)
{
    (void)state;
    for (int k = 0; k < DTP_YB_N; k++)
        assert_int_equal(dtp_yearbook_indicator(dtp_yearbook_indicator_name(k)), k);
    assert_int_equal(dtp_yearbook_indicator("GDP"), -1);
    assert_int_equal(dtp_yearbook_indicator(NULL), -1);
    assert_string_equal(dtp_yearbook_indicator_name(DTP_YB_N), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
