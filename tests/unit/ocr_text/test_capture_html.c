/* Saved HTML pages in three generated styles plus a result list (tests/fixtures/cnca/html). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ocr/capture.h"
#include "testutil.h"

static dtp_status run(const char *rel, collector *c, dtp_error *err)
{
    size_t n;
    char *b = load_fixture(rel, &n);
    if (!b)
        fail_msg("missing fixture %s", rel);
    dtp_error_clear(err);
    dtp_status st = dtp_ocr_parse_html_capture(b, n, "cafe", collect_cb, c, err);
    free(b);
    return st;
}

static void test_detail_table(void **state)
{
    (void)state;
    collector c = {0};
    dtp_error err;
    assert_int_equal(run("cnca/html/detail_table.html", &c, &err), DTP_OK);
    assert_int_equal(c.n, 1);
    dtp_ocr_record *r = c.recs[0];
    assert_int_equal(r->kind, DTP_OCR_RECORD_DETAIL);
    assert_int_equal(r->row_index, -1);
    assert_string_equal(fv(r, DTP_OCR_F_CERT_NO), "01121I10123R0M");
    assert_string_equal(r->fields[DTP_OCR_F_CERT_NO].locator, "/html/body/table[1]/tr[1]/td[2]");
    assert_int_equal(r->status, DTP_OCR_STATUS_VALID);
    assert_string_equal(fv(r, DTP_OCR_F_ORG_NAME), "北京示例数据科技有限公司");
    assert_string_equal(fv(r, DTP_OCR_F_USCC), "91110108MA01ABCD1E");
    assert_string_equal(fv(r, DTP_OCR_F_ADDRESS), "北京市海淀区示例路1号(示例大厦)");
    assert_string_equal(r->fields[DTP_OCR_F_ADDRESS].raw, "北京市海淀区示例路１号（示例大厦）");
    assert_string_equal(fv(r, DTP_OCR_F_PROJECT), "信息安全管理体系认证");
    assert_string_equal(fv(r, DTP_OCR_F_STANDARD), "GB/T 22080-2016 / ISO/IEC 27001:2013");
    assert_string_equal(fv(r, DTP_OCR_F_ISSUE_DATE), "2021-03-15");
    assert_string_equal(fv(r, DTP_OCR_F_EXPIRY_DATE), "2024-03-14");
    assert_string_equal(fv(r, DTP_OCR_F_FIRST_ISSUE_DATE), "2018-03-15");
    assert_string_equal(fv(r, DTP_OCR_F_SURVEILLANCE_COUNT), "2");
    assert_string_equal(fv(r, DTP_OCR_F_RECERT_COUNT), "1");
    assert_string_equal(fv(r, DTP_OCR_F_CERT_BODY), "中国示例认证中心");
    assert_string_equal(fv(r, DTP_OCR_F_SCOPE), "计算机软件开发及运维服务所涉及的信息安全管理活动");
    assert_true(r->iso27001);
    assert_false(r->review_needed);

    assert_int_equal(r->nevents, 6);
    static const dtp_ocr_event_kind kinds[] = {
        DTP_OCR_EVENT_INITIAL, DTP_OCR_EVENT_SURVEILLANCE, DTP_OCR_EVENT_SURVEILLANCE,
        DTP_OCR_EVENT_RECERT,  DTP_OCR_EVENT_SUSPENSION,   DTP_OCR_EVENT_RESTORATION};
    static const char *const dates[] = {"2018-03-15", "2019-03-01", "2020-02-20",
                                        "2021-03-15", "2022-04-01", "2022-05-10"};
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(r->events[i].kind, kinds[i]);
        assert_string_equal(r->events[i].date.value, dates[i]);
        assert_true(r->events[i].date.accepted);
    }
    assert_string_equal(r->events[1].description.value, "第1次监督");
    assert_null(r->events[3].description.raw); /* empty cell */
    assert_string_equal(r->events[4].date.locator, "/html/body/table[2]/tr[6]/td[3]");
    collector_free(&c);
}

static void test_detail_lines(void **state)
{
    (void)state;
    collector c = {0};
    dtp_error err;
    assert_int_equal(run("cnca/html/detail_lines.html", &c, &err), DTP_OK);
    assert_int_equal(c.n, 1);
    dtp_ocr_record *r = c.recs[0];
    assert_string_equal(fv(r, DTP_OCR_F_CERT_NO), "00122IS0456R1L");
    assert_int_equal(r->status, DTP_OCR_STATUS_SUSPENDED);
    assert_string_equal(fv(r, DTP_OCR_F_ORG_NAME), "上海示例信息技术股份有限公司");
    assert_string_equal(r->fields[DTP_OCR_F_ORG_NAME].raw, "上海示例 信息技术股份有限公司");
    assert_string_equal(fv(r, DTP_OCR_F_USCC), "91310115MA1H7XY23B");
    assert_string_equal(fv(r, DTP_OCR_F_PROJECT), "信息安全管理体系认证");
    assert_string_equal(fv(r, DTP_OCR_F_STANDARD), "ISO/IEC 27001:2022");
    assert_true(dtp_ocr_field_has_flag(&r->fields[DTP_OCR_F_STANDARD], "iso27001:2022"));
    assert_string_equal(fv(r, DTP_OCR_F_ISSUE_DATE), "2023-06-01");
    assert_string_equal(fv(r, DTP_OCR_F_EXPIRY_DATE), "2026-05-31");
    assert_string_equal(fv(r, DTP_OCR_F_FIRST_ISSUE_DATE), "2020-06-01");
    assert_string_equal(fv(r, DTP_OCR_F_CERT_BODY), "上海示例认证有限公司");
    assert_string_equal(fv(r, DTP_OCR_F_ADDRESS), "上海市浦东新区示例路88号");
    assert_string_equal(fv(r, DTP_OCR_F_SCOPE), "数据中心运营服务");
    assert_non_null(strstr(r->fields[DTP_OCR_F_ISSUE_DATE].locator, "/html/body/div/div/text()"));
    assert_int_equal(r->nevents, 3);
    assert_int_equal(r->events[1].kind, DTP_OCR_EVENT_RECERT);
    /* 2024-02-30 is no date: the event date needs review */
    assert_false(r->events[2].date.accepted);
    assert_int_equal(r->events[2].date.check, DTP_OCR_CHECK_BAD_DATE);
    assert_true(r->review_needed);
    collector_free(&c);
}

static void test_detail_grid(void **state)
{
    (void)state;
    collector c = {0};
    dtp_error err;
    assert_int_equal(run("cnca/html/detail_grid.html", &c, &err), DTP_OK);
    assert_int_equal(c.n, 1);
    dtp_ocr_record *r = c.recs[0];
    assert_string_equal(fv(r, DTP_OCR_F_CERT_NO), "00323Q20001R0S");
    assert_int_equal(r->status, DTP_OCR_STATUS_REVOKED);
    assert_string_equal(fv(r, DTP_OCR_F_USCC), "91440300279374682N");
    assert_string_equal(fv(r, DTP_OCR_F_PROJECT), "质量管理体系认证(ISO9000)");
    assert_string_equal(fv(r, DTP_OCR_F_CERT_BODY), "深圳示例认证有限公司");
    assert_string_equal(fv(r, DTP_OCR_F_ADDRESS), "广东省深圳市南山区示例街3号");
    assert_string_equal(fv(r, DTP_OCR_F_EXPIRY_DATE), "2026-01-09");
    assert_false(r->iso27001);
    assert_int_equal(r->nevents, 0);
    assert_false(r->review_needed);
    collector_free(&c);
}

/* The same page in GBK, declared in a meta tag: libxml2 converts, the values are identical. */
static void test_detail_gbk(void **state)
{
    (void)state;
    collector a = {0}, b = {0};
    dtp_error err;
    assert_int_equal(run("cnca/html/detail_grid.html", &a, &err), DTP_OK);
    assert_int_equal(run("cnca/html/detail_grid_gbk.html", &b, &err), DTP_OK);
    assert_int_equal(b.n, 1);
    for (int i = 0; i < DTP_OCR_NFIELDS; i++) {
        const dtp_ocr_field *fa = &a.recs[0]->fields[i], *fb = &b.recs[0]->fields[i];
        assert_int_equal(fa->raw == NULL, fb->raw == NULL);
        if (fa->raw) {
            assert_string_equal(fa->raw, fb->raw);
            assert_string_equal(fa->value, fb->value);
        }
    }
    assert_string_equal(fv(b.recs[0], DTP_OCR_F_ORG_NAME), "深圳示例电子有限公司");
    collector_free(&a);
    collector_free(&b);
}

static void test_list_table(void **state)
{
    (void)state;
    collector c = {0};
    dtp_error err;
    assert_int_equal(run("cnca/html/list_table.html", &c, &err), DTP_OK);
    assert_int_equal(c.n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(c.recs[i]->kind, DTP_OCR_RECORD_LIST_ROW);
        assert_int_equal(c.recs[i]->row_index, (long)i);
    }
    assert_string_equal(fv(c.recs[0], DTP_OCR_F_CERT_NO), "01121I10123R0M");
    assert_string_equal(fv(c.recs[0], DTP_OCR_F_ORG_NAME), "北京示例数据科技有限公司");
    assert_string_equal(fv(c.recs[0], DTP_OCR_F_EXPIRY_DATE), "2024-03-14");
    assert_string_equal(c.recs[0]->fields[DTP_OCR_F_CERT_NO].locator,
                        "/html/body/table/tbody/tr[1]/td[2]");
    assert_true(c.recs[0]->iso27001);
    assert_int_equal(c.recs[1]->status, DTP_OCR_STATUS_SUSPENDED);
    /* a text capture keeps its own typo, flagged, unrepaired */
    assert_string_equal(fv(c.recs[2], DTP_OCR_F_CERT_NO), "0O323Q20001R0S");
    assert_true(
        dtp_ocr_field_has_flag(&c.recs[2]->fields[DTP_OCR_F_CERT_NO], "cert_no_shape_other"));
    assert_int_equal(c.recs[2]->status, DTP_OCR_STATUS_EXPIRED);
    assert_false(c.recs[2]->iso27001);
    collector_free(&c);
}

static void test_inline_pages(void **state)
{
    (void)state;
    collector c = {0};
    dtp_error err;
    /* nothing the reader knows */
    const char *none = "<html><body><p>请完成验证</p></body></html>";
    assert_int_equal(dtp_ocr_parse_html_capture(none, strlen(none), "x", collect_cb, &c, &err),
                     DTP_ERR_UNSUPPORTED);
    assert_string_equal(err.message, "html capture: no registry label found on the page");
    /* empty input */
    assert_int_not_equal(dtp_ocr_parse_html_capture("", 0, NULL, collect_cb, &c, &err), DTP_OK);
    /* broken markup still reads; a label inside <b> inside a cell; label:value with half-width
     * colon; GBK declared charset is honoured (ASCII-only content here) */
    const char *messy = "<table><tr><td><b>证书编号:</b></td><td> 01121I10123R0M <td>证书状态"
                        "<td>注销</table><div>组织名称: 示例公司<br>认证依据:ISO/IEC 27001</div>";
    assert_int_equal(dtp_ocr_parse_html_capture(messy, strlen(messy), "x", collect_cb, &c, &err),
                     DTP_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(fv(c.recs[0], DTP_OCR_F_CERT_NO), "01121I10123R0M");
    assert_int_equal(c.recs[0]->status, DTP_OCR_STATUS_CANCELLED);
    assert_string_equal(fv(c.recs[0], DTP_OCR_F_ORG_NAME), "示例公司");
    assert_true(c.recs[0]->iso27001);
    collector_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detail_table), cmocka_unit_test(test_detail_lines),
        cmocka_unit_test(test_detail_grid),  cmocka_unit_test(test_detail_gbk),
        cmocka_unit_test(test_list_table),   cmocka_unit_test(test_inline_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
