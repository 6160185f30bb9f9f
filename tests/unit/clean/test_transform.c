/* Derived values and transforms (transform.h), and overrides (override.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>

#include <cmocka.h>

#include "clean/override.h"
#include "clean/transform.h"
#include "test_util.h"

static dtp_cell obs(double v)
{
    dtp_cell c;
    dtp_cell_set_observed(&c, v);
    return c;
}

static dtp_cell miss(void)
{
    dtp_cell c;
    dtp_cell_set_missing(&c, DTP_MISS_NOT_REPORTED, "No value reported or collected");
    return c;
}

static void dt_total_and_logs(void **state)
{
    /* dt_exp = 30, dt_imp = 70: dt_total = 100, ln_dt_total = ln 100 = 4.605170185988091;
     * log_sum: ln 30 + ln 70 = 3.4011973816621555 + 4.248495242049359 = 7.649692623711514
     * (= ln 2100) */
    dtp_cell e = obs(30), i = obs(70), t;
    dtp_transform_dt_total(&e, &i, &t);
    assert_int_equal(t.status, DTP_CELL_DERIVED);
    assert_double_equal(t.value, 100, 0);
    dtp_tvalue r = dtp_transform_ln_dt_total(&e, &i, DTP_TOTAL_SUM);
    assert_true(r.ok);
    assert_double_equal(r.value, 4.605170185988091, 1e-12);
    r = dtp_transform_ln_dt_total(&e, &i, DTP_TOTAL_LOG_SUM);
    assert_true(r.ok);
    assert_double_equal(r.value, 7.649692623711514, 1e-12);
    assert_double_equal(r.value, log(2100.0), 1e-12);
    r = dtp_transform_ln(&e);
    assert_double_equal(r.value, 3.4011973816621555, 1e-12);

    /* a missing input: no total, reason input_missing */
    dtp_cell m = miss();
    dtp_transform_dt_total(&e, &m, &t);
    assert_int_equal(t.status, DTP_CELL_MISSING);
    assert_int_equal(t.reason, DTP_MISS_INPUT_MISSING);
    r = dtp_transform_ln_dt_total(&m, &i, DTP_TOTAL_SUM);
    assert_false(r.ok);
    assert_true(r.flags & DTP_TF_INPUT_MISSING);

    /* log_sum with a zero side is undefined although the sum is positive */
    dtp_cell z = obs(0);
    r = dtp_transform_ln_dt_total(&z, &i, DTP_TOTAL_LOG_SUM);
    assert_false(r.ok);
    assert_true(r.flags & DTP_TF_NONPOSITIVE);
    r = dtp_transform_ln_dt_total(&z, &i, DTP_TOTAL_SUM);
    assert_true(r.ok);
    assert_double_equal(r.value, log(70.0), 1e-12);
    r = dtp_transform_ln(&z);
    assert_false(r.ok);

    /* an imputed input is visible in the flags */
    dtp_cell im = obs(5);
    im.status = DTP_CELL_IMPUTED;
    r = dtp_transform_ln_dt_total(&im, &i, DTP_TOTAL_SUM);
    assert_true(r.flags & DTP_TF_FROM_IMPUTED);
}

static void iso27001_transforms(void **state)
{
    dtp_cell zero = obs(0), one = obs(1), many = obs(39835), neg = obs(-1), m = miss();
    /* ln(max(x,1)): 0 -> 0 flagged; 1 -> 0 unflagged; 39835 -> ln 39835 = 10.592501201814466 */
    dtp_tvalue r = dtp_transform_iso27001(&zero, DTP_ISO_LN_MAX1);
    assert_true(r.ok);
    assert_double_equal(r.value, 0, 0);
    assert_true(r.flags & DTP_TF_ZERO_FLOORED);
    r = dtp_transform_iso27001(&one, DTP_ISO_LN_MAX1);
    assert_true(r.ok);
    assert_double_equal(r.value, 0, 0);
    assert_false(r.flags & DTP_TF_ZERO_FLOORED);
    r = dtp_transform_iso27001(&many, DTP_ISO_LN_MAX1);
    assert_double_equal(r.value, 10.592501201814466, 1e-12);
    /* log1p: 0 -> 0, 1 -> ln 2 = 0.6931471805599453 */
    r = dtp_transform_iso27001(&zero, DTP_ISO_LOG1P);
    assert_true(r.ok);
    assert_double_equal(r.value, 0, 0);
    r = dtp_transform_iso27001(&one, DTP_ISO_LOG1P);
    assert_double_equal(r.value, 0.6931471805599453, 1e-15);
    /* missing: 0 -> no value, flagged */
    r = dtp_transform_iso27001(&zero, DTP_ISO_MISSING);
    assert_false(r.ok);
    assert_true(r.flags & DTP_TF_ZERO_AS_MISSING);
    r = dtp_transform_iso27001(&many, DTP_ISO_MISSING);
    assert_double_equal(r.value, log(39835.0), 1e-12);
    r = dtp_transform_iso27001(&neg, DTP_ISO_LN_MAX1);
    assert_false(r.ok);
    assert_true(r.flags & DTP_TF_NEGATIVE);
    r = dtp_transform_iso27001(&m, DTP_ISO_LOG1P);
    assert_false(r.ok);
    assert_true(r.flags & DTP_TF_INPUT_MISSING);

    dtp_error err;
    dtp_iso_transform mode;
    dtp_total_definition def;
    assert_int_equal(dtp_iso_transform_parse("log1p", &mode, &err), DTP_OK);
    assert_int_equal(mode, DTP_ISO_LOG1P);
    assert_int_equal(dtp_iso_transform_parse("ln", &mode, &err), DTP_ERR_CONFIG);
    assert_non_null(strstr(err.message, "'ln'"));
    assert_int_equal(dtp_total_definition_parse("log_sum", &def, &err), DTP_OK);
    assert_int_equal(def, DTP_TOTAL_LOG_SUM);
    assert_int_equal(dtp_total_definition_parse(NULL, &def, &err), DTP_ERR_CONFIG);
}

static void default_override_file(void **state)
{
    char path[1024];
    dtp_override_set s;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(
        dtp_override_read_file(repo_path("data/overrides.csv", path, sizeof path), &s, &err),
        DTP_OK);
    assert_int_equal(s.n, 1);
    const dtp_override *o = dtp_override_find(&s, "CHN", 2023, "iso27001");
    assert_non_null(o);
    assert_double_equal(o->value, 39835, 0);
    assert_string_equal(o->url, "https://cx.cnca.cn/CertECloud/");
    assert_non_null(strstr(o->publisher, "State Administration for Market Regulation"));
    assert_int_equal(o->line, 2);
    assert_null(dtp_override_find(&s, "CHN", 2022, "iso27001"));

    /* applying it keeps the source value */
    const char *ents[2] = {"CHN", "USA"};
    const char *vars[1] = {"iso27001"};
    dtp_panel *p = NULL;
    assert_int_equal(dtp_panel_new(2, ents, 2022, 2, 1, vars, &p, &err), DTP_OK);
    dtp_cell_set_observed(dtp_panel_cell(p, 0, 2023, 0), 26301);
    dtp_cell_set_observed(dtp_panel_cell(p, 0, 2022, 0), 18446);
    dtp_ledger l;
    dtp_ledger_init(&l);
    assert_int_equal(dtp_override_apply_panel(&s, p, &l, &err), DTP_OK);
    dtp_cell *c = dtp_panel_cell(p, 0, 2023, 0);
    assert_int_equal(c->status, DTP_CELL_OVERRIDDEN);
    assert_double_equal(c->value, 39835, 0);
    assert_true(c->has_source_value);
    assert_double_equal(c->source_value, 26301, 0);
    assert_int_equal(c->source_status, DTP_CELL_OBSERVED);
    assert_int_equal(dtp_panel_cell(p, 0, 2022, 0)->status, DTP_CELL_OBSERVED);
    assert_int_equal(dtp_ledger_count(&l, "override"), 1);
    assert_non_null(strstr(l.entries[0].detail, "replaces source 26301 (observed)"));
    /* twice: the source value survives */
    assert_int_equal(dtp_override_apply_panel(&s, p, &l, &err), DTP_OK);
    assert_double_equal(c->source_value, 26301, 0);
    dtp_panel_free(p);

    /* a panel without that cell: reported, not fatal */
    assert_int_equal(dtp_panel_new(1, ents + 1, 2022, 2, 1, vars, &p, &err), DTP_OK);
    assert_int_equal(dtp_override_apply_panel(&s, p, &l, &err), DTP_OK);
    assert_int_equal(dtp_ledger_count(&l, "override_unused"), 1);
    dtp_panel_free(p);
    dtp_ledger_free(&l);
    dtp_override_set_free(&s);
}

static void override_of_missing_source(void **state)
{
    dtp_override o;
    memset(&o, 0, sizeof o);
    o.value = 12;
    dtp_cell c = miss();
    dtp_override_apply_cell(&o, &c);
    assert_int_equal(c.status, DTP_CELL_OVERRIDDEN);
    assert_false(c.has_source_value);
    assert_int_equal(c.source_status, DTP_CELL_MISSING);
    assert_int_equal(c.reason, DTP_MISS_NOT_REPORTED);
    assert_string_equal(c.source_label, "No value reported or collected");
}

static void expect_error(const char *csv, const char *locator, const char *msg_part)
{
    dtp_override_set s;
    dtp_error err;
    dtp_error_clear(&err);
    dtp_status st = dtp_override_read_mem(csv, strlen(csv), "ov.csv", &s, &err);
    if (st == DTP_OK)
        fail_msg("accepted: %s", csv);
    assert_int_equal(s.n, 0);
    assert_null(s.rows);
    if (strcmp(err.locator, locator) != 0)
        fail_msg("locator '%s', expected '%s' (%s)", err.locator, locator, err.message);
    if (!strstr(err.message, msg_part))
        fail_msg("message '%s' lacks '%s'", err.message, msg_part);
}

#define HDR "entity,year,variable,value,publisher,document,url,date,reason\n"

static void override_errors_name_file_line_field(void **state)
{
    expect_error(HDR "CHN,2023,iso27001,1,P,D,https://x,2024-01-01,\n", "ov.csv:2:reason",
                 "required");
    expect_error(HDR "CHN,2023,iso27001,1,,D,https://x,2024-01-01,r\n", "ov.csv:2:publisher",
                 "required");
    expect_error(HDR "\nCHN,20x3,iso27001,1,P,D,https://x,2024-01-01,r\n", "ov.csv:3:year", "20x3");
    expect_error(HDR "CHN,2023,iso27001,1e999,P,D,https://x,2024-01-01,r\n", "ov.csv:2:value",
                 "finite");
    expect_error(HDR "CHN,2023,iso27001,abc,P,D,https://x,2024-01-01,r\n", "ov.csv:2:value", "abc");
    expect_error(HDR "CHN,2023,iso27001,1,P,D,ftp://x,2024-01-01,r\n", "ov.csv:2:url", "http");
    expect_error(HDR "CHN,2023,iso27001,1,P,D,https://x,2023-02-29,r\n", "ov.csv:2:date",
                 "2023-02-29");
    expect_error(HDR "CHN,2023,iso27001,1,P,D,https://x,31/12/2023,r\n", "ov.csv:2:date",
                 "YYYY-MM-DD");
    expect_error(HDR "CHN,2023,iso27001,1,P,D\n", "ov.csv:2:url", "absent");
    expect_error(HDR "CHN,2023,iso27001,1,P,D,https://x,2024-01-01,r\n"
                     "CHN,2023,iso27001,2,P,D,https://x,2024-01-01,r\n",
                 "ov.csv:3:entity", "first on line 2");
    expect_error("entity,year,variable,value\nCHN,2023,x,1\n", "ov.csv:1", "publisher");
    expect_error(HDR "\"CHN,2023", "ov.csv:2", "csv");
    /* a field longer than its slot */
    char big[2000];
    snprintf(big, sizeof big, HDR "%040d,2023,x,1,P,D,https://x,2024-01-01,r\n", 7);
    expect_error(big, "ov.csv:2:entity", "longer than");
    /* good: quoted commas, BOM, CRLF, leap day */
    const char *good =
        "\xef\xbb\xbf" HDR
        "TWN,2020,iso27001,\" 12.5 \",\"P, Inc.\",D,http://x,2020-02-29,\"a, b\"\r\n";
    dtp_override_set s;
    dtp_error err;
    assert_int_equal(dtp_override_read_mem(good, strlen(good), "ov.csv", &s, &err), DTP_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.rows[0].publisher, "P, Inc.");
    assert_double_equal(s.rows[0].value, 12.5, 0);
    assert_string_equal(s.rows[0].reason, "a, b");
    dtp_override_set_free(&s);
    assert_int_equal(dtp_override_read_file("/nonexistent/ov.csv", &s, &err), DTP_ERR_IO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dt_total_and_logs),
        cmocka_unit_test(iso27001_transforms),
        cmocka_unit_test(default_override_file),
        cmocka_unit_test(override_of_missing_source),
        cmocka_unit_test(override_errors_name_file_line_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
