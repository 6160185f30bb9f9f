/* Province of the holder (province.h) and listed-company matching (listed.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "clean/listed.h"
#include "clean/province.h"
#include "common/uscc.h"
#include "test_util.h"

/* A valid USCC registered in province pp: "91" + pp + "0100" + "MA01ABC2X" + check. */
static void make_uscc(const char *pp, char out[19])
{
    snprintf(out, 19, "91%s0100MA01ABC2X", pp);
    out[17] = dtp_uscc_check_char(out);
    out[18] = '\0';
}

static const char *const all_codes[] = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"};

static void every_province_from_uscc(void **state)
{
    for (size_t i = 0; i < sizeof all_codes / sizeof all_codes[0]; i++) {
        char u[19];
        make_uscc(all_codes[i], u);
        assert_int_equal(dtp_uscc_check(u), DTP_USCC_OK);
        /* the address names another province: the USCC wins */
        dtp_province_result r = dtp_province_of_holder(u, "北京市海淀区");
        assert_int_equal(r.how, DTP_PROVINCE_USCC);
        assert_string_equal(r.code, all_codes[i]);
        assert_false(r.uscc_invalid);
    }
}

static void every_province_from_address(void **state)
{
    /* short names, and the full names with 省/市/自治区 */
    for (int i = 0; i < dtp_province_names_count(); i++) {
        char addr[128], code[3];
        snprintf(addr, sizeof addr, "%s某某路1号", dtp_province_names_short(i));
        assert_true(dtp_province_from_address(addr, code));
        assert_string_equal(code, dtp_province_names_code(i));
    }
    const struct {
        const char *addr, *code;
    } full[] = {
        {"北京市朝阳区建国路", "11"},
        {"内蒙古自治区呼和浩特市", "15"},
        {"黑龙江省哈尔滨市", "23"},
        {"广西壮族自治区南宁市", "45"},
        {"宁夏回族自治区银川市", "64"},
        {"新疆维吾尔自治区乌鲁木齐市", "65"},
        {"西藏自治区拉萨市", "54"},
        {"重庆市渝北区", "50"},
        /* the earliest name wins over a street named after another province */
        {"江苏省南京市北京东路1号", "32"},
        {"上海市黄浦区河南中路", "31"},
        /* 青海省海南藏族自治州: the prefecture is not Hainan province */
        {"青海省海南藏族自治州共和县", "63"},
        /* 山西 and 陕西 differ */
        {"陕西省西安市", "61"},
        {"山西省太原市", "14"},
    };
    for (size_t i = 0; i < sizeof full / sizeof full[0]; i++) {
        char code[3];
        assert_true(dtp_province_from_address(full[i].addr, code));
        if (strcmp(code, full[i].code) != 0)
            fail_msg("%s -> %s, expected %s", full[i].addr, code, full[i].code);
    }
    char code[3] = "x";
    assert_false(dtp_province_from_address("南京市玄武区", code)); /* no province named */
    assert_string_equal(code, "");
    /* ... but a major city is: second pass, flagged by_city */
    assert_true(dtp_province_from_city("南京市玄武区", code));
    assert_string_equal(code, "32");
    assert_true(dtp_province_from_city("深圳市南山区科技园", code));
    assert_string_equal(code, "44");
    assert_true(dtp_province_from_city("乌鲁木齐市天山区", code));
    assert_string_equal(code, "65");
    assert_false(dtp_province_from_city("某县某镇", code));
    dtp_province_result pr = dtp_province_of_holder(NULL, "杭州市西湖区文三路");
    assert_int_equal(pr.how, DTP_PROVINCE_ADDRESS_FALLBACK);
    assert_true(pr.by_city);
    assert_string_equal(pr.code, "33");
    /* a province name beats a city named later (a street) */
    pr = dtp_province_of_holder(NULL, "上海市黄浦区南京东路1号");
    assert_string_equal(pr.code, "31");
    assert_false(pr.by_city);
    assert_false(dtp_province_from_address("", code));
    assert_false(dtp_province_from_address(NULL, code));
}

static void fallback_only_when_uscc_missing_or_invalid(void **state)
{
    char u[19];
    make_uscc("44", u);
    /* missing USCC */
    dtp_province_result r = dtp_province_of_holder(NULL, "浙江省杭州市");
    assert_int_equal(r.how, DTP_PROVINCE_ADDRESS_FALLBACK);
    assert_string_equal(r.code, "33");
    assert_false(r.uscc_invalid);
    r = dtp_province_of_holder("", "浙江省杭州市");
    assert_int_equal(r.how, DTP_PROVINCE_ADDRESS_FALLBACK);
    /* wrong check character */
    u[17] = u[17] == '0' ? '1' : '0';
    r = dtp_province_of_holder(u, "浙江省杭州市");
    assert_int_equal(r.how, DTP_PROVINCE_ADDRESS_FALLBACK);
    assert_true(r.uscc_invalid);
    assert_string_equal(r.code, "33");
    /* invalid and no usable address */
    r = dtp_province_of_holder(u, "Room 1, Some Road");
    assert_int_equal(r.how, DTP_PROVINCE_NONE);
    assert_string_equal(r.code, "");
    /* a valid code whose division is no province (99): falls back too */
    char v[19];
    make_uscc("99", v);
    assert_int_equal(dtp_uscc_check(v), DTP_USCC_OK);
    r = dtp_province_of_holder(v, "福建省厦门市");
    assert_int_equal(r.how, DTP_PROVINCE_ADDRESS_FALLBACK);
    assert_string_equal(r.code, "35");
    assert_string_equal(dtp_province_how_name(r.how), "address_fallback");
}

static void normalise_names(void **state)
{
    char out[256];
    /* full-width brackets and letters, ideographic and ASCII spaces */
    assert_string_equal(dtp_listed_normalise("演示软件（集团） 股份有限公司", out, sizeof out),
                        "演示软件(集团)股份有限公司");
    assert_string_equal(dtp_listed_normalise("ＡＢＣ　科技【北京】有限公司", out, sizeof out),
                        "ABC科技(北京)有限公司");
    assert_string_equal(dtp_listed_normalise("abc [Beijing] Co., Ltd.", out, sizeof out),
                        "ABC(BEIJING)CO.,LTD.");
    assert_string_equal(dtp_listed_normalise("", out, sizeof out), "");
}

static void match_uscc_then_name(void **state)
{
    char path[1024];
    dtp_listed t;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(
        dtp_listed_read_file(
            repo_path("data/examples/listed_companies.example.csv", path, sizeof path), &t, &err),
        DTP_OK);
    assert_int_equal(t.n, 4);
    /* by USCC, even with another name */
    dtp_listed_match m = dtp_listed_match_holder(&t, "91110108MA00EX001B", "某公司");
    assert_int_equal(m.how, DTP_LISTED_USCC);
    assert_string_equal(m.company->code, "X00001");
    /* lower-case USCC */
    m = dtp_listed_match_holder(&t, "91110108ma00ex001b", NULL);
    assert_int_equal(m.how, DTP_LISTED_USCC);
    /* no USCC: by normalised name (half-width brackets, spaces) */
    m = dtp_listed_match_holder(&t, NULL, "演示软件(集团) 股份有限公司");
    assert_int_equal(m.how, DTP_LISTED_NAME);
    assert_string_equal(m.company->code, "X00003");
    /* a USCC not in the file: falls to the name */
    m = dtp_listed_match_holder(&t, "91330100MA00EX009X", "测试网络安全科技股份有限公司");
    assert_int_equal(m.how, DTP_LISTED_NAME);
    assert_string_equal(m.company->exchange, "BSE");
    /* neither */
    m = dtp_listed_match_holder(&t, NULL, "示例信息技术有限公司");
    assert_int_equal(m.how, DTP_LISTED_NONE);
    assert_null(m.company);
    dtp_listed_free(&t);

    /* two companies with the same normalised name: no guess */
    const char *amb = "code,name,uscc,exchange\nA1,甲（北京）公司,,SSE\nA2,甲(北京)公司,,SZSE\n";
    assert_int_equal(dtp_listed_read_mem(amb, strlen(amb), "l.csv", &t, &err), DTP_OK);
    m = dtp_listed_match_holder(&t, NULL, "甲（北京）公司");
    assert_int_equal(m.how, DTP_LISTED_AMBIGUOUS);
    dtp_listed_free(&t);
}

static void listed_file_errors(void **state)
{
    dtp_listed t;
    dtp_error err;
    const char *bad = "code,name,uscc,exchange\nA1,甲公司,91110108MA00EX001C,SSE\n";
    assert_int_equal(dtp_listed_read_mem(bad, strlen(bad), "l.csv", &t, &err), DTP_ERR_PARSE);
    assert_string_equal(err.locator, "l.csv:2:uscc");
    const char *dup = "code,name,uscc,exchange\nA1,甲,91110108MA00EX001B,SSE\n"
                      "A2,乙,91110108MA00EX001B,SSE\n";
    assert_int_equal(dtp_listed_read_mem(dup, strlen(dup), "l.csv", &t, &err), DTP_ERR_PARSE);
    assert_string_equal(err.locator, "l.csv:3:uscc");
    assert_non_null(strstr(err.message, "line 2"));
    const char *noex = "code,name,uscc,exchange\nA1,甲,,\n";
    assert_int_equal(dtp_listed_read_mem(noex, strlen(noex), "l.csv", &t, &err), DTP_ERR_PARSE);
    assert_string_equal(err.locator, "l.csv:2:exchange");
    const char *nocol = "code,name,exchange\nA1,甲,SSE\n";
    assert_int_equal(dtp_listed_read_mem(nocol, strlen(nocol), "l.csv", &t, &err), DTP_ERR_PARSE);
    assert_non_null(strstr(err.message, "uscc"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_province_from_uscc),
        cmocka_unit_test(every_province_from_address),
        cmocka_unit_test(fallback_only_when_uscc_missing_or_invalid),
        cmocka_unit_test(normalise_names),
        cmocka_unit_test(match_uscc_then_name),
        cmocka_unit_test(listed_file_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
