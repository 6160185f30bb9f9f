/* JSON list responses: the real legacy snippets as golden input, generated CertECloud-like
 * envelopes, malformed inputs. */
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
    dtp_status st = dtp_ocr_parse_json_capture(b, n, "feedc0de", collect_cb, c, err);
    free(b);
    return st;
}

static void test_legacy_rows(void **state)
{
    (void)state;
    collector c = {0};
    dtp_error err;
    assert_int_equal(run("real/cnca/legacy_rjwcx_cert_list_rows.snippet.json", &c, &err), DTP_OK);
    assert_int_equal(c.n, 3);
    dtp_ocr_record *r = c.recs[0];
    assert_int_equal(r->kind, DTP_OCR_RECORD_LIST_ROW);
    assert_int_equal(r->row_index, 0);
    assert_true(r->text_capture);
    assert_string_equal(r->artifact_sha256, "feedc0de");
    assert_string_equal(fv(r, DTP_OCR_F_CERT_NO), "00114E22766R2L/3502");
    assert_true(r->fields[DTP_OCR_F_CERT_NO].accepted);
    assert_null(r->fields[DTP_OCR_F_CERT_NO].flags);
    assert_string_equal(r->fields[DTP_OCR_F_CERT_NO].locator, "$[0].certNumber");
    assert_float_equal(r->fields[DTP_OCR_F_CERT_NO].confidence, 100.0f, 0.0f);
    assert_string_equal(fv(r, DTP_OCR_F_ORG_NAME), "漳州灿坤实业有限公司");
    assert_string_equal(fv(r, DTP_OCR_F_CERT_BODY), "中国质量认证中心");
    assert_string_equal(fv(r, DTP_OCR_F_CERT_BODY_ID), "CNCA-R-2002-001");
    assert_string_equal(fv(r, DTP_OCR_F_PROJECT), "环境管理体系认证");
    assert_string_equal(fv(r, DTP_OCR_F_PROJECT_CODE), "A020101");
    assert_string_equal(fv(r, DTP_OCR_F_EXPIRY_DATE), "2017-12-01");
    assert_string_equal(fv(r, DTP_OCR_F_ISSUE_DATE), "2017-01-03");
    assert_true(dtp_ocr_field_has_flag(&r->fields[DTP_OCR_F_ISSUE_DATE], "issue_date_from_zersda"));
    assert_string_equal(r->fields[DTP_OCR_F_ISSUE_DATE].locator, "$[0].zersda");
    /* certiStatusName is preferred over the code */
    assert_string_equal(r->fields[DTP_OCR_F_STATUS].raw, "有效");
    assert_int_equal(r->status, DTP_OCR_STATUS_VALID);
    assert_false(r->iso27001);
    assert_false(r->review_needed);

    r = c.recs[2];
    assert_int_equal(r->row_index, 2);
    assert_string_equal(fv(r, DTP_OCR_F_CERT_NO), "10416Q20770R1S");
    assert_string_equal(fv(r, DTP_OCR_F_PROJECT), "质量管理体系认证(ISO9000)");
    assert_string_equal(r->fields[DTP_OCR_F_PROJECT].raw, "质量管理体系认证（ISO9000）");
    char key[64];
    assert_string_equal(dtp_ocr_record_key(r, key, sizeof key), "10416Q20770R1S");
    collector_free(&c);
}

static void test_legacy_query_org(void **state)
{
    (void)state;
    collector c = {0};
    dtp_error err;
    assert_int_equal(run("real/cnca/legacy_rjwcx_queryOrg_response.snippet.json", &c, &err),
                     DTP_OK);
    assert_int_equal(c.n, 2);
    /* a 9-character organisation code moves to org_code; the 18-character one is a USCC */
    assert_null(c.recs[0]->fields[DTP_OCR_F_USCC].raw);
    assert_string_equal(fv(c.recs[0], DTP_OCR_F_ORG_CODE), "760038087");
    assert_true(c.recs[0]->fields[DTP_OCR_F_ORG_CODE].accepted);
    assert_string_equal(c.recs[0]->fields[DTP_OCR_F_ORG_CODE].locator, "$.data[0].orgCode");
    assert_string_equal(fv(c.recs[1], DTP_OCR_F_USCC), "91371323760038087M");
    assert_true(c.recs[1]->fields[DTP_OCR_F_USCC].accepted);
    assert_string_equal(fv(c.recs[1], DTP_OCR_F_ORG_NAME), "山东泓达生物科技有限公司");
    assert_false(c.recs[1]->review_needed);
    collector_free(&c);
}

static void test_certecloud_rows(void **state)
{
    (void)state;
    collector c = {0};
    dtp_error err;
    assert_int_equal(run("cnca/json/certecloud_data_rows.json", &c, &err), DTP_OK);
    assert_int_equal(c.n, 3);
    dtp_ocr_record *r = c.recs[0];
    assert_string_equal(r->fields[DTP_OCR_F_CERT_NO].locator, "$.data.rows[0].certNumber");
    assert_string_equal(fv(r, DTP_OCR_F_ISSUE_DATE), "2021-03-15");
    assert_true(dtp_ocr_field_has_flag(&r->fields[DTP_OCR_F_ISSUE_DATE], "date_from_epoch_ms"));
    assert_string_equal(fv(r, DTP_OCR_F_ADDRESS), "北京市海淀区示例路1号(示例大厦)");
    assert_string_equal(fv(r, DTP_OCR_F_USCC), "91110108MA01ABCD1E");
    assert_true(r->iso27001);
    assert_false(r->review_needed);

    r = c.recs[1];
    /* a wrong check character in a text capture is not repaired: review */
    assert_false(r->fields[DTP_OCR_F_USCC].accepted);
    assert_int_equal(r->fields[DTP_OCR_F_USCC].check, DTP_OCR_CHECK_BAD_CHECK);
    assert_int_equal(r->status, DTP_OCR_STATUS_SUSPENDED);
    assert_string_equal(r->fields[DTP_OCR_F_STATUS].locator, "$.data.rows[1].certiStatus");
    assert_false(r->fields[DTP_OCR_F_EXPIRY_DATE].accepted);
    assert_int_equal(r->fields[DTP_OCR_F_EXPIRY_DATE].check, DTP_OCR_CHECK_BAD_DATE);
    assert_true(r->iso27001);
    assert_true(r->review_needed);

    r = c.recs[2];
    assert_string_equal(fv(r, DTP_OCR_F_CERT_NO), "CN-QMS-2023-0042");
    assert_true(r->fields[DTP_OCR_F_CERT_NO].accepted);
    assert_true(dtp_ocr_field_has_flag(&r->fields[DTP_OCR_F_CERT_NO], "cert_no_shape_other"));
    assert_null(r->fields[DTP_OCR_F_USCC].raw);       /* null */
    assert_null(r->fields[DTP_OCR_F_ISSUE_DATE].raw); /* "" */
    assert_int_equal(r->status, DTP_OCR_STATUS_EXPIRED);
    assert_false(r->iso27001);
    assert_false(r->review_needed);
    collector_free(&c);
}

static void test_certecloud_result_list(void **state)
{
    (void)state;
    collector c = {0};
    dtp_error err;
    assert_int_equal(run("cnca/json/certecloud_result_list.json", &c, &err), DTP_OK);
    assert_int_equal(c.n, 1);
    dtp_ocr_record *r = c.recs[0];
    assert_string_equal(fv(r, DTP_OCR_F_CERT_NO), "00323Q20001R0S");
    assert_string_equal(r->fields[DTP_OCR_F_CERT_NO].locator, "$.result.list[0].certNo");
    assert_string_equal(fv(r, DTP_OCR_F_ORG_NAME), "深圳示例电子有限公司");
    assert_int_equal(r->status, DTP_OCR_STATUS_REVOKED);
    assert_string_equal(fv(r, DTP_OCR_F_EXPIRY_DATE), "2026-01-09");
    assert_true(r->iso27001); /* project code A0501... */
    collector_free(&c);
}

static void test_status_name_and_code(void **state)
{
    (void)state;
    collector c = {0};
    dtp_error err;
    assert_int_equal(run("cnca/json/status_name_and_code.json", &c, &err), DTP_OK);
    assert_int_equal(c.n, 3);
    assert_int_equal(c.recs[0]->status, DTP_OCR_STATUS_VALID);
    assert_null(c.recs[0]->fields[DTP_OCR_F_STATUS].flags);
    assert_true(c.recs[0]->fields[DTP_OCR_F_STATUS].accepted);

    dtp_ocr_field *f = &c.recs[1]->fields[DTP_OCR_F_STATUS];
    assert_int_equal(c.recs[1]->status, DTP_OCR_STATUS_EXPIRED);
    assert_string_equal(f->raw, "05");
    assert_string_equal(f->locator, "$.rows[1].certiStatus");
    assert_true(dtp_ocr_field_has_flag(f, "status_from_code"));
    assert_true(f->accepted);

    f = &c.recs[2]->fields[DTP_OCR_F_STATUS];
    assert_true(dtp_ocr_field_has_flag(f, "status_code_mismatch"));
    assert_false(f->accepted);
    assert_string_equal(f->reason, "status name and status code disagree");
    assert_true(c.recs[2]->review_needed);
    collector_free(&c);
}

static void test_errors(void **state)
{
    (void)state;
    collector c = {0};
    dtp_error err;
    assert_int_equal(run("cnca/json/unknown_envelope.json", &c, &err), DTP_ERR_PARSE);
    assert_string_equal(err.message,
                        "json capture: unknown envelope, no rows array (keys: status, payload, "
                        "count)");
    assert_string_equal(err.artifact, "feedc0de");
    assert_string_equal(err.stage, "ocr");

    assert_int_equal(run("cnca/json/upstream_failure.json", &c, &err), DTP_ERR_UPSTREAM);
    assert_non_null(strstr(err.message, "验证码错误"));

    assert_int_equal(run("cnca/json/rows_without_known_keys.json", &c, &err), DTP_ERR_PARSE);
    assert_string_equal(err.locator, "$.rows[0]");
    assert_non_null(strstr(err.message, "keys: checkC, row, showtemp"));

    assert_int_equal(run("cnca/json/empty_rows.json", &c, &err), DTP_OK);
    assert_int_equal(c.n, 0);

    static const char *const bad[] = {
        "", "{", "[1,2]", "\"rows\"", "{\"rows\":[{\"certNumber\":1", "{\"a\":1,\"a\":2}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        dtp_error_clear(&err);
        dtp_status st =
            dtp_ocr_parse_json_capture(bad[i], strlen(bad[i]), NULL, collect_cb, &c, &err);
        if (st != DTP_ERR_PARSE)
            fail_msg("%s: %s", bad[i], dtp_strerror(st));
        assert_true(err.message[0] != '\0');
    }
    assert_int_equal(c.n, 0);
}

static void test_callback_stops(void **state)
{
    (void)state;
    collector c = {.stop_after = 1};
    dtp_error err;
    assert_int_equal(run("real/cnca/legacy_rjwcx_cert_list_rows.snippet.json", &c, &err),
                     DTP_ERR_INTERRUPTED);
    assert_int_equal(c.n, 1);
    collector_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_legacy_rows),          cmocka_unit_test(test_legacy_query_org),
        cmocka_unit_test(test_certecloud_rows),      cmocka_unit_test(test_certecloud_result_list),
        cmocka_unit_test(test_status_name_and_code), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_callback_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
