#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"

static void append_within_cap(void **state)
{
    dtp_buf b;
    dtp_buf_init(&b, 8);
    assert_int_equal(dtp_buf_append(&b, "abcd", 4), DTP_OK);
    assert_int_equal(dtp_buf_append(&b, "efgh", 4), DTP_OK);
    assert_string_equal(dtp_buf_str(&b), "abcdefgh");
    assert_int_equal(b.len, 8);
    dtp_buf_free(&b);
}

static void append_over_cap_is_refused_and_keeps_contents(void **state)
{
    dtp_buf b;
    dtp_buf_init(&b, 8);
    assert_int_equal(dtp_buf_append(&b, "abcdef", 6), DTP_OK);
    assert_int_equal(dtp_buf_append(&b, "ghi", 3), DTP_ERR_LIMIT);
    assert_string_equal(dtp_buf_str(&b), "abcdef");
    assert_int_equal(dtp_buf_printf(&b, "%s", "xyz"), DTP_ERR_LIMIT);
    assert_int_equal(dtp_buf_printf(&b, "%d", 12), DTP_OK);
    assert_string_equal(dtp_buf_str(&b), "abcdef12");
    dtp_buf_free(&b);
}

static void huge_request_does_not_overflow(void **state)
{
    dtp_buf b;
    dtp_buf_init(&b, 16);
    assert_int_equal(dtp_buf_append(&b, "a", 1), DTP_OK);
    assert_int_equal(dtp_buf_append(&b, "x", SIZE_MAX), DTP_ERR_LIMIT);
    assert_int_equal(dtp_buf_append(&b, "x", SIZE_MAX - 1), DTP_ERR_LIMIT);
    assert_int_equal(b.len, 1);
    dtp_buf_free(&b);
}

static void take_leaves_empty(void **state)
{
    dtp_buf b;
    dtp_buf_init(&b, 100);
    char *empty = dtp_buf_take(&b);
    assert_non_null(empty);
    assert_string_equal(empty, "");
    free(empty);
    assert_int_equal(dtp_buf_puts(&b, "hello"), DTP_OK);
    char *s = dtp_buf_take(&b);
    assert_string_equal(s, "hello");
    assert_int_equal(b.len, 0);
    assert_string_equal(dtp_buf_str(&b), "");
    free(s);
    dtp_buf_free(&b);
}

static void grows_across_many_appends(void **state)
{
    dtp_buf b;
    dtp_buf_init(&b, 1 << 20);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(dtp_buf_puts(&b, "0123456789"), DTP_OK);
    assert_int_equal(b.len, 100000);
    assert_int_equal(b.data[b.len], '\0');
    dtp_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(append_within_cap),
        cmocka_unit_test(append_over_cap_is_refused_and_keeps_contents),
        cmocka_unit_test(huge_request_does_not_overflow),
        cmocka_unit_test(take_leaves_empty),
        cmocka_unit_test(grows_across_many_appends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
