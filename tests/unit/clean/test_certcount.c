/* Province-year counts of listed companies' ISO/IEC 27001 certificates (certcount.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "clean/certcount.h"
#include "test_util.h"

static void isms_standard(void **state)
{
    assert_true(dtp_certcount_is_isms("ISO/IEC 27001:2013"));
    assert_true(dtp_certcount_is_isms("GB/T 22080-2016 / ISO/IEC 27001:2013"));
    assert_true(dtp_certcount_is_isms("GB/T22080-2016"));
    assert_true(dtp_certcount_is_isms("ＩＳＯ／ＩＥＣ　２７００１：２０２２"));
    assert_false(dtp_certcount_is_isms("ISO/IEC 27017:2015"));
    assert_false(dtp_certcount_is_isms("ISO/IEC 27701:2019"));
    assert_false(dtp_certcount_is_isms("ISO/IEC 270011"));
    assert_false(dtp_certcount_is_isms("ISO 9001:2015"));
    assert_false(dtp_certcount_is_isms(""));
    assert_false(dtp_certcount_is_isms(NULL));
}

static dtp_date D(int y, int m, int d)
{
    dtp_date x = {y, m, d};
    return x;
}

/* Provinces 11, 33, 44; years 2018-2023. The listed file is the generated example.
 *  1 X00001 by USCC (Beijing, 11): issued 2018-03-01, expires 2021-02-28, one audit
 *    2019-02-15, the next (due 2020-02-15) missed -> counts 2018, 2019
 *  2 X00003 by name, no USCC, address in Zhejiang (33), no history: 2019-06-01..2025-05-31
 *    -> counts 2019-2023, flagged
 *  3 ISO 9001 -> not counted
 *  4 ISMS, holder not listed -> not counted
 *  5 X00002 by USCC (Guangdong, 44): 2020-01-01..2023-12-31, audits on time -> 2020-2023
 *  6 ISO/IEC 27701 -> not counted
 *  7 X00004 by name, address in Tibet (54, not in the panel) -> not counted
 * Expected: 11: 1 1 0 0 0 0; 33: 0 1 1 1 1 1; 44: 0 0 1 1 1 1 */
static void counts_by_hand(void **state)
{
    char path[1024];
    dtp_listed listed;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_listed_read_file(
                         repo_path("data/examples/listed_companies.example.csv", path, sizeof path),
                         &listed, &err),
                     DTP_OK);
    dtp_cert_event ev1[] = {{DTP_CEV_INITIAL, {2018, 3, 1}}, {DTP_CEV_SURVEILLANCE, {2019, 2, 15}}};
    dtp_cert_event ev5[] = {{DTP_CEV_SURVEILLANCE, {2020, 12, 1}},
                            {DTP_CEV_SURVEILLANCE, {2021, 11, 20}},
                            {DTP_CEV_SURVEILLANCE, {2022, 11, 10}}};
    const char *isms = "GB/T 22080-2016 / ISO/IEC 27001:2013";
    dtp_cert_record recs[] = {
        {"C1",
         isms,
         "示例信息技术股份有限公司",
         "91110108MA00EX001B",
         "北京市海淀区",
         {D(2018, 3, 1), D(2021, 2, 28), ev1, 2, 1}},
        {"C2",
         "ISO/IEC 27001:2022",
         "演示软件(集团)股份有限公司",
         NULL,
         "浙江省杭州市西湖区",
         {D(2019, 6, 1), D(2025, 5, 31), NULL, 0, 0}},
        {"C3",
         "ISO 9001:2015",
         "示例信息技术股份有限公司",
         "91110108MA00EX001B",
         "",
         {D(2018, 1, 1), D(2024, 1, 1), NULL, 0, 0}},
        {"C4",
         isms,
         "某某有限公司",
         NULL,
         "广东省深圳市",
         {D(2018, 1, 1), D(2024, 1, 1), NULL, 0, 0}},
        {"C5",
         isms,
         "样本数据服务股份有限公司",
         "91440300MA00EX002M",
         "",
         {D(2020, 1, 1), D(2023, 12, 31), ev5, 3, 1}},
        {"C6",
         "ISO/IEC 27701:2019",
         "样本数据服务股份有限公司",
         "91440300MA00EX002M",
         "",
         {D(2020, 1, 1), D(2023, 12, 31), NULL, 0, 0}},
        {"C7",
         isms,
         "测试网络安全科技股份有限公司",
         NULL,
         "西藏自治区拉萨市",
         {D(2019, 1, 1), D(2024, 1, 1), NULL, 0, 0}},
    };
    const char *provs[3] = {"11", "33", "44"};
    dtp_certvalid_opts o = dtp_certvalid_opts_default();
    dtp_panel *p = NULL;
    dtp_ledger l;
    dtp_ledger_init(&l);
    assert_int_equal(dtp_certcount_province(recs, 7, &listed, provs, 3, 2018, 6, &o, &p, &l, &err),
                     DTP_OK);
    const double want[3][6] = {{1, 1, 0, 0, 0, 0}, {0, 1, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 1}};
    for (size_t e = 0; e < 3; e++)
        for (size_t t = 0; t < 6; t++) {
            const dtp_cell *c = &dtp_panel_series(p, e, 0)[t];
            assert_int_equal(c->status, DTP_CELL_OBSERVED);
            if (c->value != want[e][t])
                fail_msg("%s %zu: %g, expected %g", provs[e], 2018 + t, c->value, want[e][t]);
        }
    assert_int_equal(dtp_ledger_count(&l, "cert_not_isms"), 2);
    assert_int_equal(dtp_ledger_count(&l, "cert_not_listed"), 1);
    assert_int_equal(dtp_ledger_count(&l, "cert_listed"), 4);
    assert_int_equal(dtp_ledger_count(&l, "cert_outside_panel"), 1);
    assert_int_equal(dtp_ledger_count(&l, "cert_province"), 3);
    assert_int_equal(dtp_ledger_count(&l, "cert_no_history"), 1);
    /* C1: missed surveillance from 2020, then expired in 2021: two rows */
    assert_int_equal(dtp_ledger_count(&l, "cert_not_valid"), 2);
    int saw = 0;
    for (size_t i = 0; i < l.n; i++)
        if (strcmp(l.entries[i].rule, "cert_not_valid") == 0 && l.entries[i].year == 2020 &&
            strstr(l.entries[i].detail, "missed_surveillance since 2020-02-15"))
            saw = 1;
    assert_true(saw);
    for (size_t i = 0; i < l.n; i++)
        if (strcmp(l.entries[i].rule, "cert_province") == 0 &&
            strcmp(l.entries[i].entity, "C2") == 0)
            assert_non_null(strstr(l.entries[i].detail, "33 by address_fallback"));
    dtp_panel_free(p);

    /* a record with impossible dates is an error naming it */
    recs[0].cert.expires = D(2017, 1, 1);
    assert_int_equal(dtp_certcount_province(recs, 1, &listed, provs, 3, 2018, 6, &o, &p, &l, &err),
                     DTP_ERR_VALIDATION);
    assert_null(p);
    assert_non_null(strstr(err.message, "certificate C1"));
    dtp_ledger_free(&l);
    dtp_listed_free(&listed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(isms_standard),
        cmocka_unit_test(counts_by_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
