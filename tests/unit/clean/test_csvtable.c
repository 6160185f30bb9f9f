/* The capped CSV table reader (csvtable.h): line numbers, BOM, delimiter detection, quoting,
 * blank lines and caps. */
#define _POSIX_C_SOURCE 200809L /* fdopen, mkstemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clean/csvtable.h"

static dtp_clean_csv *read(const char *s, char delim)
{
    dtp_clean_csv *t = NULL;
    dtp_error err;
    dtp_error_clear(&err);
    dtp_status st = dtp_clean_csv_read_mem(s, strlen(s), delim, "t.csv", &t, &err);
    if (st != DTP_OK)
        fail_msg("%s: %s", err.locator, err.message);
    return t;
}

static void lines_and_quotes(void **state)
{
    /* line 1 header, line 2 blank, line 3 a record whose quoted field spans lines 3-4,
     * line 5 a record with CRLF, line 6 blank with spaces only as one empty field */
    const char *s = "\xef\xbb\xbf"
                    "a,b\n"
                    "\n"
                    "\"x\ny\",2\n"
                    "\"q,\"\"r\"\"\",3\r\n"
                    "\n";
    dtp_clean_csv *t = read(s, 0);
    assert_int_equal(dtp_clean_csv_rows(t), 3);
    assert_string_equal(dtp_clean_csv_cell(t, 0, 0), "a"); /* BOM stripped */
    assert_string_equal(dtp_clean_csv_cell(t, 1, 0), "x\ny");
    assert_int_equal(dtp_clean_csv_line(t, 1), 4); /* the line its first field ended on */
    assert_string_equal(dtp_clean_csv_cell(t, 2, 0), "q,\"r\"");
    assert_string_equal(dtp_clean_csv_cell(t, 2, 1), "3");
    assert_int_equal(dtp_clean_csv_line(t, 2), 5);
    assert_null(dtp_clean_csv_cell(t, 2, 2));
    assert_null(dtp_clean_csv_cell(t, 9, 0));
    assert_int_equal(dtp_clean_csv_ncols(t, 2), 2);
    assert_int_equal(dtp_clean_csv_col(t, "b"), 1);
    assert_int_equal(dtp_clean_csv_col(t, "c"), -1);
    assert_string_equal(dtp_clean_csv_name(t), "t.csv");
    dtp_clean_csv_free(t);
}

static void delimiter_detection(void **state)
{
    dtp_clean_csv *t = read("a;b;c\n1;2,5;3\n", 0);
    assert_int_equal(dtp_clean_csv_ncols(t, 1), 3);
    assert_string_equal(dtp_clean_csv_cell(t, 1, 1), "2,5");
    dtp_clean_csv_free(t);
    t = read("a;b,c\n", ',');
    assert_int_equal(dtp_clean_csv_ncols(t, 0), 2);
    dtp_clean_csv_free(t);
    t = read(" a , b \n1,2\n", 0);
    assert_int_equal(dtp_clean_csv_col(t, "b"), 1); /* header names are trimmed */
    dtp_clean_csv_free(t);
}

static void caps_and_errors(void **state)
{
    dtp_clean_csv *t = NULL;
    dtp_error err;
    size_t n = DTP_CLEAN_CSV_MAX_FIELD + 10;
    char *big = malloc(n + 8);
    assert_non_null(big);
    memcpy(big, "a\n", 2);
    memset(big + 2, 'x', n);
    memcpy(big + 2 + n, "\n", 2);
    assert_int_equal(dtp_clean_csv_read_mem(big, strlen(big), ',', "big.csv", &t, &err),
                     DTP_ERR_LIMIT);
    assert_null(t);
    assert_string_equal(err.locator, "big.csv:2");
    free(big);
    assert_int_equal(dtp_clean_csv_read_mem("a\n\"b", 4, ',', "q.csv", &t, &err), DTP_ERR_PARSE);
    assert_string_equal(err.locator, "q.csv:2");
    /* strict mode: a quote inside an unquoted field */
    assert_int_equal(dtp_clean_csv_read_mem("a\n\"b\"c\n", 7, ',', "s.csv", &t, &err),
                     DTP_ERR_PARSE);
    assert_int_equal(dtp_clean_csv_read_file("/nonexistent.csv", ',', &t, &err), DTP_ERR_IO);
    /* empty input: a table with no rows; require names the missing header */
    assert_int_equal(dtp_clean_csv_read_mem("", 0, 0, "e.csv", &t, &err), DTP_OK);
    assert_int_equal(dtp_clean_csv_rows(t), 0);
    const char *cols[1] = {"a"};
    long idx[1];
    assert_int_equal(dtp_clean_csv_require(t, cols, 1, idx, "clean", &err), DTP_ERR_PARSE);
    assert_non_null(strstr(err.message, "no header"));
    dtp_clean_csv_free(t);
}

/* Every split of the same bytes into a file gives the same table (the reader feeds lines, so
 * this checks the line logic against libcsv's own state across calls). */
static void trimmed_copy(void **state)
{
    (void)state;
    char b[8];
    assert_int_equal(dtp_clean_trim_copy(" \tabc \t\r", b, sizeof b), 1);
    assert_string_equal(b, "abc");
    assert_int_equal(dtp_clean_trim_copy("1234567", b, sizeof b), 1);
    assert_string_equal(b, "1234567");
    /* too long: 0, and b holds the prefix that fits */
    assert_int_equal(dtp_clean_trim_copy("12345678", b, sizeof b), 0);
    assert_string_equal(b, "1234567");
    /* the prefix never ends inside a UTF-8 character: 中文 is 6 bytes, 中文字 9 */
    assert_int_equal(dtp_clean_trim_copy("a中文字", b, sizeof b), 0);
    assert_string_equal(b, "a中文");
    assert_int_equal(dtp_clean_trim_copy("ab中文字", b, sizeof b), 0);
    assert_string_equal(b, "ab中");
    dtp_clean_csv *t = read("a,b\n x ,\n", ',');
    assert_int_equal(dtp_clean_csv_take(t, 1, 0, b, sizeof b), 1);
    assert_string_equal(b, "x");
    assert_int_equal(dtp_clean_csv_take(t, 1, 5, b, sizeof b), 1); /* short row */
    assert_string_equal(b, "");
    assert_int_equal(dtp_clean_csv_take(t, 1, -1, b, sizeof b), 1);
    assert_string_equal(b, "");
    dtp_clean_csv_free(t);
}

static void same_table_from_file(void **state)
{
    const char *s = "a,b\n\"1\n2\",x\n3,\"y\"\"z\"\n";
    char path[] = "/tmp/dtp_csvtable_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    fputs(s, f);
    fclose(f);
    dtp_clean_csv *t = NULL;
    dtp_error err;
    assert_int_equal(dtp_clean_csv_read_file(path, 0, &t, &err), DTP_OK);
    remove(path);
    assert_int_equal(dtp_clean_csv_rows(t), 3);
    assert_string_equal(dtp_clean_csv_cell(t, 1, 0), "1\n2");
    assert_string_equal(dtp_clean_csv_cell(t, 2, 1), "y\"z");
    assert_int_equal(dtp_clean_csv_line(t, 2), 4);
    dtp_clean_csv_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lines_and_quotes),     cmocka_unit_test(delimiter_detection),
        cmocka_unit_test(caps_and_errors),      cmocka_unit_test(trimmed_copy),
        cmocka_unit_test(same_table_from_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
