/* Yearbook input (yearbook.h): the generated example reads, feeds the index and the controls,
 * and malformed or inconsistent rows are named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>

#include <cmocka.h>

#include "clean/entropy.h"
#include "clean/yearbook.h"
#include "test_util.h"

static void example_feeds_index_and_controls(void **state)
{
    char path[1024];
    dtp_yearbook yb;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(
        dtp_yearbook_read_file(repo_path("data/examples/yearbook.example.csv", path, sizeof path),
                               &yb, &err),
        DTP_OK);
    assert_int_equal(yb.n, 42);
    const dtp_yb_row *r = dtp_yearbook_get(&yb, "62", 2019, "websites_per_100_enterprises");
    assert_non_null(r);
    assert_double_equal(r->value, 12.2, 1e-12);
    assert_string_equal(r->unit, "个/百家");

    const char *provs[3] = {"11", "44", "62"};
    double x[3 * DTP_YB_N_INDEX];
    assert_int_equal(dtp_yearbook_index_matrix(&yb, provs, 3, 2019, x, &err), DTP_OK);
    assert_double_equal(x[0], 5.1, 1e-12);                       /* 11, websites */
    assert_double_equal(x[2 * DTP_YB_N_INDEX + 9], 68.0, 1e-12); /* 62, electronics */
    double w[DTP_YB_N_INDEX], idx[3];
    dtp_entropy_out o = {NULL, NULL, w, idx, NULL, 0};
    assert_int_equal(dtp_entropy_year(x, 3, DTP_YB_N_INDEX, NULL, DTP_YB_N_INDEX, &o, &err),
                     DTP_OK);
    double sum = 0;
    for (int k = 0; k < DTP_YB_N_INDEX; k++)
        sum += w[k];
    assert_double_equal(sum, 1.0, 1e-12);
    /* the sub-index over the first five */
    size_t ord[DTP_YB_N_ORDERING] = {0, 1, 2, 3, 4};
    double wo[DTP_YB_N_ORDERING], io[3];
    dtp_entropy_out oo = {NULL, NULL, wo, io, NULL, 0};
    assert_int_equal(dtp_entropy_year(x, 3, DTP_YB_N_INDEX, ord, DTP_YB_N_ORDERING, &oo, &err),
                     DTP_OK);

    /* the controls of Guangdong: the same figures as test_entropy.c's hand example */
    dtp_ctl_inputs in;
    dtp_yearbook_control_inputs(&yb, "44", 2019, &in);
    dtp_ctl_outputs out;
    assert_int_equal(dtp_controls_compute("44", 2019, &in, &out, &err), DTP_OK);
    assert_double_equal(out.fdi_gdp, 0.1034775, 1e-12);
    assert_double_equal(out.ln_gdp_pc, 9.903487552536127, 1e-12);
    /* Beijing has no control inputs in the example: every ratio undefined, no error */
    dtp_yearbook_control_inputs(&yb, "11", 2019, &in);
    assert_null(in.gdp.unit);
    assert_int_equal(dtp_controls_compute("11", 2019, &in, &out, &err), DTP_OK);
    assert_true(isnan(out.fiscal));

    /* a year without data */
    assert_int_equal(dtp_yearbook_index_matrix(&yb, provs, 3, 2020, x, &err), DTP_ERR_VALIDATION);
    assert_non_null(strstr(err.locator, "province 11 year 2020 indicator"));
    dtp_yearbook_free(&yb);
}

#define HDR "province,year,indicator,value,unit,source\n"

static void unit_mismatch_across_provinces(void **state)
{
    char buf[4096];
    size_t o = 0;
    o += (size_t)snprintf(buf + o, sizeof buf - o, HDR);
    for (int p = 0; p < 2; p++)
        for (int k = 0; k < DTP_YB_N_INDEX; k++)
            o += (size_t)snprintf(buf + o, sizeof buf - o, "%s,2019,%s,%d,%s,s\n", p ? "32" : "31",
                                  dtp_yb_index_indicators[k], k + p,
                                  (p && k == 2) ? "万元" : "亿元");
    dtp_yearbook yb;
    dtp_error err;
    assert_int_equal(dtp_yearbook_read_mem(buf, o, "yb.csv", &yb, &err), DTP_OK);
    const char *provs[2] = {"31", "32"};
    double x[2 * DTP_YB_N_INDEX];
    assert_int_equal(dtp_yearbook_index_matrix(&yb, provs, 2, 2019, x, &err), DTP_ERR_VALIDATION);
    assert_non_null(strstr(err.locator, "province 32 year 2019 indicator ecommerce_sales"));
    assert_non_null(strstr(err.message, "万元"));
    dtp_yearbook_free(&yb);
}

static void expect_error(const char *csv, const char *locator)
{
    dtp_yearbook yb;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_yearbook_read_mem(csv, strlen(csv), "yb.csv", &yb, &err), DTP_ERR_PARSE);
    if (strcmp(err.locator, locator) != 0)
        fail_msg("locator '%s', expected '%s' (%s)", err.locator, locator, err.message);
    assert_null(yb.rows);
}

static void malformed_rows(void **state)
{
    expect_error(HDR "99,2019,gdp,1,亿元,s\n", "yb.csv:2:province");
    expect_error(HDR "44,19,gdp,1,亿元,s\n", "yb.csv:2:year");
    expect_error(HDR "44,2019,gdp_total,1,亿元,s\n", "yb.csv:2:indicator");
    expect_error(HDR "44,2019,gdp,1.2.3,亿元,s\n", "yb.csv:2:value");
    expect_error(HDR "44,2019,gdp,,亿元,s\n", "yb.csv:2:value");
    expect_error(HDR "44,2019,gdp,1,,s\n", "yb.csv:2:unit");
    expect_error(HDR "44,2019,gdp,1,亿元,\n", "yb.csv:2:source");
    expect_error(HDR "44,2019,gdp,1,亿元,s\n44,2019,gdp,2,亿元,s\n", "yb.csv:3:indicator");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(example_feeds_index_and_controls),
        cmocka_unit_test(unit_mismatch_across_provinces),
        cmocka_unit_test(malformed_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
