/* Entropy weight index (entropy.h), province controls (controls.h) and reconciliation checks
 * (reconcile.h), on examples worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>

#include <cmocka.h>

#include "clean/controls.h"
#include "clean/entropy.h"
#include "clean/reconcile.h"
#include "test_util.h"

/* Three provinces, three indicators:
 *            k1   k2   k3
 *   P1        1   10    5
 *   P2        2   10    3
 *   P3        3   40    4
 * x*:  k1 = (0, 0.5, 1); k2 = (0, 0, 1); k3 = (1, 0, 0.5)
 * p:   k1 = (0, 1/3, 2/3); k2 = (0, 0, 1); k3 = (2/3, 0, 1/3)
 * sum p ln p: k1 = (1/3)ln(1/3) + (2/3)ln(2/3) = -0.366204 - 0.270310 = -0.636514;
 *             k2 = 1 ln 1 = 0; k3 = k1
 * e = -sum/ln 3 (ln 3 = 1.098612): e1 = e3 = 0.579380, e2 = 0
 * g = 1 - e: g1 = g3 = 0.420620, g2 = 1; sum g = 1.841240
 * w = g / sum g: w1 = w3 = 0.228444, w2 = 0.543112
 * index: P1 = w3 * 1 = 0.228444; P2 = w1 * 0.5 = 0.114222;
 *        P3 = w1 + w2 + w3 * 0.5 = 0.228444 + 0.543112 + 0.114222 = 0.885778 */
static const double X[9] = {1, 10, 5, 2, 10, 3, 3, 40, 4};

static void three_by_three(void **state)
{
    double xs[9], e[3], w[3], idx[3];
    unsigned fl[3];
    dtp_entropy_out o = {xs, e, w, idx, fl, 0};
    dtp_error err;
    assert_int_equal(dtp_entropy_year(X, 3, 3, NULL, 3, &o, &err), DTP_OK);
    assert_double_equal(xs[3], 0.5, 1e-15);
    assert_double_equal(e[0], 0.579380, 1e-6);
    assert_double_equal(e[1], 0.0, 1e-12);
    assert_double_equal(e[2], 0.579380, 1e-6);
    assert_double_equal(w[0], 0.228444, 1e-6);
    assert_double_equal(w[1], 0.543112, 1e-6);
    assert_double_equal(w[2], 0.228444, 1e-6);
    assert_double_equal(w[0] + w[1] + w[2], 1.0, 1e-12);
    assert_double_equal(idx[0], 0.228444, 1e-6);
    assert_double_equal(idx[1], 0.114222, 1e-6);
    assert_double_equal(idx[2], 0.885778, 1e-6);
    assert_int_equal(fl[0] | fl[1] | fl[2], 0);
}

static void sub_index_uses_its_columns(void **state)
{
    /* indicators k1 and k3 alone: e equal, so w = (0.5, 0.5);
     * index = 0.5 x*1 + 0.5 x*3: P1 = 0.5, P2 = 0.25, P3 = 0.75 */
    size_t cols[2] = {0, 2};
    double w[2], idx[3];
    dtp_entropy_out o = {NULL, NULL, w, idx, NULL, 0};
    dtp_error err;
    assert_int_equal(dtp_entropy_year(X, 3, 3, cols, 2, &o, &err), DTP_OK);
    assert_double_equal(w[0], 0.5, 1e-12);
    assert_double_equal(idx[0], 0.5, 1e-12);
    assert_double_equal(idx[1], 0.25, 1e-12);
    assert_double_equal(idx[2], 0.75, 1e-12);
}

static void degenerate_indicator(void **state)
{
    /* k2 constant (7, 7, 7): x* = 0, weight 0, flagged; k1 alone carries the weight:
     * w = (1, 0), index = x*1 = (0, 0.5, 1) */
    const double Y[6] = {1, 7, 2, 7, 3, 7};
    double xs[6], e[2], w[2], idx[3];
    unsigned fl[2];
    dtp_entropy_out o = {xs, e, w, idx, fl, 0};
    dtp_error err;
    assert_int_equal(dtp_entropy_year(Y, 3, 2, NULL, 2, &o, &err), DTP_OK);
    assert_true(fl[1] & DTP_ENTROPY_DEGENERATE);
    assert_false(fl[0] & DTP_ENTROPY_DEGENERATE);
    assert_double_equal(xs[1], 0, 0);
    assert_double_equal(e[1], 1, 0);
    assert_double_equal(w[0], 1, 1e-12);
    assert_double_equal(w[1], 0, 0);
    assert_double_equal(idx[2], 1, 1e-12);
    assert_int_equal(o.all_flags, 0);
    /* every indicator constant */
    const double Z[4] = {5, 5, 5, 5};
    assert_int_equal(dtp_entropy_year(Z, 2, 2, NULL, 2, &o, &err), DTP_OK);
    assert_true(o.all_flags & DTP_ENTROPY_ALL_DEGENERATE);
    assert_double_equal(w[0], 0, 0);
    assert_double_equal(idx[0], 0, 0);
}

static void entropy_bad_inputs(void **state)
{
    double w[3], idx[3];
    dtp_entropy_out o = {NULL, NULL, w, idx, NULL, 0};
    dtp_error err;
    assert_int_equal(dtp_entropy_year(X, 1, 3, NULL, 3, &o, &err), DTP_ERR_VALIDATION);
    size_t bad[1] = {3};
    assert_int_equal(dtp_entropy_year(X, 3, 3, bad, 1, &o, &err), DTP_ERR_VALIDATION);
    double Y[9];
    memcpy(Y, X, sizeof Y);
    Y[4] = NAN;
    assert_int_equal(dtp_entropy_year(Y, 3, 3, NULL, 3, &o, &err), DTP_ERR_VALIDATION);
    assert_non_null(strstr(err.message, "row 1, indicator 1"));
}

/* Guangdong-like figures for one year (invented, hand-checkable):
 *   GDP 10000 亿元 = 1e12 yuan; budget 1500 亿元 -> fiscal 0.15
 *   population 5000 万人 = 5e7 -> GDP per capita 20000 yuan, ln 20000 = 9.903487552536127
 *   area 18 万平方公里 = 1.8e5 km2 -> density 5e7 / 1.8e5 = 277.777...
 *   tertiary 5500, secondary 4000 亿元 -> 1.375; retail 4000 亿元 -> 0.4;
 *   technology market 200 亿元 -> 0.02; postal & telecom 1200 亿元 -> 0.12; loans 15000 -> 1.5
 *   FDI 1,500,000 万美元 = 1.5e10 US$ at 689.85 元/百美元 (6.8985 yuan per US$)
 *     = 1.034775e11 yuan -> 0.1034775 of GDP */
static dtp_ctl_inputs sample_inputs(void)
{
    dtp_ctl_inputs in = {
        {10000, "亿元"},     {1500, "亿元"},        {5000, "万人"}, {18, "万平方公里"},
        {5500, "亿元"},      {4000, "亿元"},        {4000, "亿元"}, {200, "亿元"},
        {1500000, "万美元"}, {689.85, "元/百美元"}, {1200, "亿元"}, {15000, "亿元"},
    };
    return in;
}

static void controls_by_hand(void **state)
{
    dtp_ctl_inputs in = sample_inputs();
    dtp_ctl_outputs out;
    dtp_error err;
    assert_int_equal(dtp_controls_compute("44", 2019, &in, &out, &err), DTP_OK);
    assert_double_equal(out.fiscal, 0.15, 1e-12);
    assert_double_equal(out.ln_gdp_pc, 9.903487552536127, 1e-12);
    assert_double_equal(out.industrial_structure, 1.375, 1e-12);
    assert_double_equal(out.consumption, 0.4, 1e-12);
    assert_double_equal(out.tech_transfer, 0.02, 1e-12);
    assert_double_equal(out.pop_density, 277.77777777777777, 1e-9);
    assert_double_equal(out.fdi_gdp, 0.1034775, 1e-12);
    assert_double_equal(out.informatisation, 0.12, 1e-12);
    assert_double_equal(out.financial, 1.5, 1e-12);
    /* English unit names give the same answer */
    in.gdp.unit = "100m yuan";
    in.fdi = (dtp_ctl_quantity){150, "100m usd"};
    in.exchange_rate = (dtp_ctl_quantity){6.8985, "yuan per usd"};
    assert_int_equal(dtp_controls_compute("44", 2019, &in, &out, &err), DTP_OK);
    assert_double_equal(out.fdi_gdp, 0.1034775, 1e-12);
    /* FDI already in yuan needs no rate */
    in.fdi = (dtp_ctl_quantity){1034.775, "亿元"};
    in.exchange_rate.unit = NULL;
    assert_int_equal(dtp_controls_compute("44", 2019, &in, &out, &err), DTP_OK);
    assert_double_equal(out.fdi_gdp, 0.1034775, 1e-12);
    /* a missing input leaves only its ratio undefined */
    in.loans.unit = "";
    assert_int_equal(dtp_controls_compute("44", 2019, &in, &out, &err), DTP_OK);
    assert_true(isnan(out.financial));
    assert_double_equal(out.fiscal, 0.15, 1e-12);
}

static void controls_unit_errors(void **state)
{
    dtp_ctl_inputs in = sample_inputs();
    dtp_ctl_outputs out;
    dtp_error err;
    in.gdp.unit = "万人";
    assert_int_equal(dtp_controls_compute("44", 2019, &in, &out, &err), DTP_ERR_VALIDATION);
    assert_string_equal(err.locator, "province 44 year 2019 field gdp");
    assert_non_null(strstr(err.message, "persons"));
    in = sample_inputs();
    in.retail_sales.unit = "亿";
    assert_int_equal(dtp_controls_compute("44", 2019, &in, &out, &err), DTP_ERR_VALIDATION);
    assert_string_equal(err.locator, "province 44 year 2019 field retail_sales");
    assert_non_null(strstr(err.message, "unknown unit"));
    in = sample_inputs();
    in.exchange_rate.unit = NULL;
    assert_int_equal(dtp_controls_compute("32", 2020, &in, &out, &err), DTP_ERR_VALIDATION);
    assert_string_equal(err.locator, "province 32 year 2020 field exchange_rate");
    in = sample_inputs();
    in.budget_expenditure.unit = "万美元"; /* US$ where yuan is required */
    assert_int_equal(dtp_controls_compute("32", 2020, &in, &out, &err), DTP_ERR_VALIDATION);
    in = sample_inputs();
    in.population.value = -1;
    assert_int_equal(dtp_controls_compute("32", 2020, &in, &out, &err), DTP_ERR_VALIDATION);
    assert_string_equal(err.locator, "province 32 year 2020 field population");
}

static void high_low_development(void **state)
{
    /* finite values 1, 2, 3, 2: mean 2; above -> 1, at or below -> 0, not finite -> -1 */
    const double v[5] = {1, 2, 3, NAN, 2};
    int h[5];
    double mean;
    dtp_error err;
    assert_int_equal(dtp_controls_high_development(v, 5, h, &mean, &err), DTP_OK);
    assert_double_equal(mean, 2, 0);
    assert_int_equal(h[0], 0);
    assert_int_equal(h[1], 0);
    assert_int_equal(h[2], 1);
    assert_int_equal(h[3], -1);
    assert_int_equal(h[4], 0);
    const double none[1] = {NAN};
    assert_int_equal(dtp_controls_high_development(none, 1, h, NULL, &err), DTP_ERR_VALIDATION);
}

static void reconciliation(void **state)
{
    dtp_ledger l;
    dtp_ledger_init(&l);
    dtp_check_result r;
    /* 26301 / 39835 = 0.660249 < 1/1.25 = 0.8: flagged, never corrected */
    assert_int_equal(
        dtp_reconcile_survey_registry("CHN", 2023, "iso27001", 26301, 39835, 1.25, &l, &r), DTP_OK);
    assert_true(r.flagged);
    assert_double_equal(r.ratio, 0.6602485251663110, 1e-12);
    assert_int_equal(dtp_ledger_count(&l, "check_survey_vs_registry"), 1);
    /* 100 / 110 = 0.909 within [0.8, 1.25] */
    assert_int_equal(dtp_reconcile_survey_registry("X", 2023, "v", 100, 110, 1.25, &l, &r), DTP_OK);
    assert_false(r.flagged);
    assert_int_equal(dtp_reconcile_survey_registry("X", 2023, "v", 5, 0, 1.25, &l, &r), DTP_OK);
    assert_true(r.flagged);
    assert_true(isinf(r.ratio));

    /* 2016..2021: 100, 120, 400, ., 390, -5 with factor 3:
     * 120/100 = 1.2 ok; 400/120 = 3.33 > 3 flagged (2018); pairs with the gap skipped;
     * 390 -> -5 sign change flagged (2021) */
    dtp_cell s[6];
    const double v[6] = {100, 120, 400, 0, 390, -5};
    for (int i = 0; i < 6; i++)
        dtp_cell_set_observed(&s[i], v[i]);
    dtp_cell_set_missing(&s[3], DTP_MISS_NOT_REPORTED, NULL);
    size_t n = 0;
    assert_int_equal(dtp_reconcile_year_on_year(s, 6, 2016, "CHN", "dt_exp", 3.0, &l, &n), DTP_OK);
    assert_int_equal(n, 2);
    assert_int_equal(dtp_ledger_count(&l, "check_year_on_year"), 2);
    assert_int_equal(l.entries[l.n - 2].year, 2018);
    assert_int_equal(l.entries[l.n - 1].year, 2021);
    /* 0 -> 5 is flagged, 0 -> 0 is not; the cells are untouched */
    dtp_cell z[3];
    dtp_cell_set_observed(&z[0], 0);
    dtp_cell_set_observed(&z[1], 0);
    dtp_cell_set_observed(&z[2], 5);
    assert_int_equal(dtp_reconcile_year_on_year(z, 3, 2016, "X", "v", 3.0, NULL, &n), DTP_OK);
    assert_int_equal(n, 1);
    assert_double_equal(z[2].value, 5, 0);
    dtp_ledger_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(three_by_three),       cmocka_unit_test(sub_index_uses_its_columns),
        cmocka_unit_test(degenerate_indicator), cmocka_unit_test(entropy_bad_inputs),
        cmocka_unit_test(controls_by_hand),     cmocka_unit_test(controls_unit_errors),
        cmocka_unit_test(high_low_development), cmocka_unit_test(reconciliation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
