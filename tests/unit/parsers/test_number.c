/* Strict number parsing: what is accepted, what is refused and why. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>

#include <cmocka.h>

#include "fetch/number.h"

static void accepted(void **state)
{
    struct {
        const char *s;
        int flags;
        double v;
    } ok[] = {
        {"0", 0, 0},
        {"-0", 0, 0},
        {"+5", 0, 5},
        {".5", 0, 0.5},
        {"5.", 0, 5},
        {"329324.0", 0, 329324},
        {"1e5", 0, 1e5},
        {"-2.5E-3", 0, -2.5e-3},
        {"1,234", DTP_NUM_THOUSANDS, 1234},
        {"12,345,678.5", DTP_NUM_THOUSANDS, 12345678.5},
        {"1.7976931348623157e308", 0, 1.7976931348623157e308},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        double v = -1;
        const char *why = NULL;
        assert_int_equal(dtp_fetch_parse_number(ok[i].s, strlen(ok[i].s), ok[i].flags, &v, &why),
                         DTP_OK);
        assert_true(v == ok[i].v);
        assert_false(signbit(v) && v == 0);
    }
}

static void refused(void **state)
{
    struct {
        const char *s;
        int flags;
        const char *why;
    } bad[] = {
        {"", 0, "empty"},
        {"1,234", 0, "thousands separator"},
        {"12,34", DTP_NUM_THOUSANDS, "misplaced thousands separator"},
        {"1234,567", DTP_NUM_THOUSANDS, "misplaced thousands separator"},
        {",123", DTP_NUM_THOUSANDS, "misplaced thousands separator"},
        {"nan", 0, "not a number"},
        {"NaN", 0, "not a number"},
        {"inf", 0, "not a number"},
        {"-Infinity", 0, "not a number"},
        {"0x10", 0, "not a number"},
        {" 1", 0, "not a number"},
        {"1 ", 0, "not a number"},
        {"1e", 0, "not a number"},
        {"e5", 0, "not a number"},
        {"-", 0, "not a number"},
        {".", 0, "not a number"},
        {"1.2.3", 0, "not a number"},
        {"1e999", 0, "out of range"},
        {"-1e999", 0, "out of range"},
        {"1e-999", 0, "out of range"},
        {"12%", 0, "not a number"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v = 42;
        const char *why = NULL;
        assert_int_equal(dtp_fetch_parse_number(bad[i].s, strlen(bad[i].s), bad[i].flags, &v, &why),
                         DTP_ERR_PARSE);
        assert_string_equal(why, bad[i].why);
        assert_true(v == 42);
    }
}

static void years_and_formatting(void **state)
{
    int y;
    assert_int_equal(dtp_fetch_parse_year("2023", 4, &y), DTP_OK);
    assert_int_equal(y, 2023);
    assert_int_equal(dtp_fetch_parse_year("0999", 4, &y), DTP_ERR_PARSE);
    assert_int_equal(dtp_fetch_parse_year("202", 3, &y), DTP_ERR_PARSE);
    assert_int_equal(dtp_fetch_parse_year("2023Q1", 6, &y), DTP_ERR_PARSE);
    char b[64];
    dtp_fetch_format_double(933407232177.078, b, sizeof b);
    assert_string_equal(b, "933407232177.078");
    dtp_fetch_format_double(0.1, b, sizeof b);
    assert_string_equal(b, "0.1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepted),
        cmocka_unit_test(refused),
        cmocka_unit_test(years_and_formatting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
