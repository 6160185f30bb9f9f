/* csvread: rows, field positions, BOM, delimiters, caps and refusals; every chunk size gives the
 * same rows (libcsv's own test style). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"
#include "fetch/csvread.h"
#include "testutil.h"

/* Rows rendered as text: "row<TAB>field@line:col|field@line:col\n". */
static dtp_status render(void *ctx, const dtp_csv_row *row, dtp_error *err)
{
    dtp_buf *b = ctx;
    dtp_buf_printf(b, "%zu\t", row->index);
    for (size_t i = 0; i < row->n; i++)
        dtp_buf_printf(b, "%s[%s]@%lu:%lu", i ? "|" : "", row->f[i].s, row->f[i].line,
                       row->f[i].col);
    dtp_buf_puts(b, "\n");
    return DTP_OK;
}

static dtp_status run_chunked(const char *in, size_t len, size_t chunk, char delim, dtp_buf *out,
                              dtp_error *err)
{
    dtp_csv_opts o = {.file = "t.csv", .delim = delim};
    dtp_csv *c = dtp_csv_new(&o, render, out);
    assert_non_null(c);
    dtp_status st = DTP_OK;
    for (size_t i = 0; i < len && st == DTP_OK; i += chunk)
        st = dtp_csv_feed(c, in + i, len - i < chunk ? len - i : chunk, err);
    if (st == DTP_OK)
        st = dtp_csv_finish(c, err);
    dtp_csv_free(c);
    return st;
}

static void every_chunk_size(const char *in, size_t len, char delim, const char *expect)
{
    for (size_t chunk = 1; chunk <= len + 1; chunk++) {
        dtp_buf out;
        dtp_buf_init(&out, 1 << 20);
        dtp_error err;
        dtp_error_clear(&err);
        dtp_status st = run_chunked(in, len, chunk, delim, &out, &err);
        if (st != DTP_OK)
            fail_msg("chunk %zu: %s: %s", chunk, err.locator, err.message);
        if (strcmp(dtp_buf_str(&out), expect) != 0)
            fail_msg("chunk %zu:\n%s\nexpected:\n%s", chunk, dtp_buf_str(&out), expect);
        dtp_buf_free(&out);
    }
}

static void rows_and_positions(void **state)
{
    const char in[] = "\xEF\xBB\xBFYear,Economy,\"Economy Label\"\r\n"
                      "2010,076,\"Brazil, \"\"Fed\"\"\"\r\n"
                      "\r\n"
                      "2011,,\"two\nlines\"\n"
                      "2012,x,";
    every_chunk_size(in, sizeof in - 1, ',',
                     "0\t[Year]@1:1|[Economy]@1:6|[Economy Label]@1:14\n"
                     "1\t[2010]@2:1|[076]@2:6|[Brazil, \"Fed\"]@2:10\n"
                     "2\t[2011]@4:1|[]@4:6|[two\nlines]@4:7\n"
                     "3\t[2012]@6:1|[x]@6:6|[]@6:8\n");
}

static void semicolon_and_tab(void **state)
{
    const char in[] = "a;b;c\n1;;3\n";
    every_chunk_size(in, sizeof in - 1, ';',
                     "0\t[a]@1:1|[b]@1:3|[c]@1:5\n1\t[1]@2:1|[]@2:3|[3]@2:4\n");
    const char tab[] = "a\t b\n 1\t2 \n";
    every_chunk_size(tab, sizeof tab - 1, '\t', "0\t[a]@1:1|[ b]@1:3\n1\t[ 1]@2:1|[2 ]@2:4\n");
}

static void partial_bom_is_text(void **state)
{
    const char in[] = "\xEF\xBB"
                      "x\n";
    dtp_buf out;
    dtp_buf_init(&out, 1024);
    dtp_error err;
    dtp_error_clear(&err);
    /* EF BB followed by 'x' is not UTF-8: the partial BOM must be checked, not dropped */
    assert_int_equal(run_chunked(in, sizeof in - 1, 1, ',', &out, &err), DTP_ERR_PARSE);
    assert_string_equal(err.locator, "t.csv:1:1");
    dtp_buf_free(&out);
}

static void expect_error(const char *in, size_t len, dtp_status want, const char *loc,
                         const char *msg_part)
{
    for (size_t chunk = 1; chunk <= len + 1; chunk++) {
        dtp_buf out;
        dtp_buf_init(&out, 1 << 20);
        dtp_error err;
        dtp_error_clear(&err);
        dtp_status st = run_chunked(in, len, chunk, ',', &out, &err);
        if (st != want)
            fail_msg("chunk %zu: status %d, want %d (%s)", chunk, st, want, err.message);
        if (strcmp(err.locator, loc) != 0)
            fail_msg("chunk %zu: locator %s, want %s", chunk, err.locator, loc);
        if (!strstr(err.message, msg_part))
            fail_msg("chunk %zu: message %s", chunk, err.message);
        dtp_buf_free(&out);
    }
}

static void refusals(void **state)
{
    const char nul[] = "a,b\n1,x\0y\n";
    expect_error(nul, sizeof nul - 1, DTP_ERR_PARSE, "t.csv:2:4", "nul byte");
    const char bad_utf8[] = "a,b\n1,caf\xE9\n";
    expect_error(bad_utf8, sizeof bad_utf8 - 1, DTP_ERR_PARSE, "t.csv:2:6", "invalid utf-8");
    const char overlong[] = "a,\xC0\xAF\n";
    expect_error(overlong, sizeof overlong - 1, DTP_ERR_PARSE, "t.csv:1:3", "invalid utf-8");
    const char surrogate[] = "a,\xED\xA0\x80\n";
    expect_error(surrogate, sizeof surrogate - 1, DTP_ERR_PARSE, "t.csv:1:3", "invalid utf-8");
    const char trunc[] = "a,\xE2\x82";
    expect_error(trunc, sizeof trunc - 1, DTP_ERR_PARSE, "t.csv:1:3", "truncated utf-8");
    const char unbalanced[] = "a,b\n1,\"open\n2,3\n";
    expect_error(unbalanced, sizeof unbalanced - 1, DTP_ERR_PARSE, "t.csv:2:3", "not closed");
    const char stray[] = "a,b\n1,x\"y\n";
    expect_error(stray, sizeof stray - 1, DTP_ERR_PARSE, "t.csv:2:4", "malformed quoting");
    const char after[] = "a,\"b\"c\n";
    expect_error(after, sizeof after - 1, DTP_ERR_PARSE, "t.csv:1:6", "malformed quoting");
}

static void caps(void **state)
{
    dtp_csv_opts o = {.file = "t.csv", .max_field = 4, .max_cols = 3, .max_row_bytes = 10};
    dtp_error err;
    dtp_buf out;
    dtp_buf_init(&out, 1024);
    const char *cases[][2] = {
        {"abcd,e\nabcde,f\n", "t.csv:2:1"}, /* field of 5 > 4 */
        {"a,b,c\na,b,c,d\n", "t.csv:2:7"},  /* 4 fields > 3 */
        {"abcd,abcd,abcd\n", "t.csv:1:11"}, /* 12 bytes > 10 */
    };
    for (size_t k = 0; k < 3; k++) {
        dtp_error_clear(&err);
        dtp_csv *c = dtp_csv_new(&o, render, &out);
        dtp_status st = dtp_csv_feed(c, cases[k][0], strlen(cases[k][0]), &err);
        if (st == DTP_OK)
            st = dtp_csv_finish(c, &err);
        assert_int_equal(st, DTP_ERR_LIMIT);
        assert_string_equal(err.locator, cases[k][1]);
        dtp_csv_free(c);
    }
    /* a quoted field that never ends is stopped near the cap, not buffered whole */
    dtp_error_clear(&err);
    dtp_csv *c = dtp_csv_new(&o, render, &out);
    dtp_status st = dtp_csv_feed(c, "\"", 1, &err);
    for (int i = 0; i < 1000 && st == DTP_OK; i++)
        st = dtp_csv_feed(c, "x", 1, &err);
    assert_int_equal(st, DTP_ERR_LIMIT);
    assert_string_equal(err.locator, "t.csv:1:1");
    dtp_csv_free(c);
    dtp_buf_free(&out);
}

static dtp_status stop_at_second(void *ctx, const dtp_csv_row *row, dtp_error *err)
{
    (void)ctx;
    if (row->index == 1)
        return dtp_csv_field_error(err, DTP_ERR_VALIDATION, "t.csv", &row->f[0], "stop here");
    return DTP_OK;
}

static void callback_status_is_returned(void **state)
{
    const char in[] = "a\nb\nc\n";
    dtp_mem_reader m;
    dtp_reader r = dtp_reader_mem(&m, in, sizeof in - 1);
    dtp_csv_opts o = {.file = "t.csv"};
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_csv_read(&o, &r, stop_at_second, NULL, &err), DTP_ERR_VALIDATION);
    assert_string_equal(err.locator, "t.csv:2:1");
    assert_string_equal(err.message, "stop here");
}

typedef struct m49_count {
    size_t rows;
    long m49_col, iso3_col;
    char first_m49[8], first_iso3[8], last_name[64];
} m49_count;

static dtp_status m49_row(void *ctx, const dtp_csv_row *row, dtp_error *err)
{
    m49_count *m = ctx;
    if (row->index == 0) {
        m->m49_col = dtp_csv_find(row, "M49 Code");
        m->iso3_col = dtp_csv_find(row, "ISO-alpha3 Code");
        return m->m49_col < 0 || m->iso3_col < 0 ? DTP_ERR_PARSE : DTP_OK;
    }
    if (row->index == 1) {
        snprintf(m->first_m49, sizeof m->first_m49, "%s", row->f[m->m49_col].s);
        snprintf(m->first_iso3, sizeof m->first_iso3, "%s", row->f[m->iso3_col].s);
    }
    snprintf(m->last_name, sizeof m->last_name, "%s", row->f[8].s);
    m->rows++;
    return DTP_OK;
}

static void m49_tables_both_delimiters(void **state)
{
    const char *files[][2] = {{"m49/UNSD_Methodology_comma_maxwinder-fds.csv", ","},
                              {"m49/UNSD_Methodology_semicolon_alendaris-power-query.csv", ";"}};
    for (int k = 0; k < 2; k++) {
        FILE *f = open_real(files[k][0]);
        dtp_reader r = dtp_reader_file(f);
        dtp_csv_opts o = {.file = files[k][0], .delim = files[k][1][0]};
        m49_count m = {0};
        dtp_error err;
        dtp_error_clear(&err);
        dtp_status st = dtp_csv_read(&o, &r, m49_row, &m, &err);
        fclose(f);
        if (st != DTP_OK)
            fail_msg("%s: %s", err.locator, err.message);
        assert_int_equal(m.rows, 249);
        assert_int_equal(m.m49_col, 9); /* the BOM is not part of the first header */
        assert_string_equal(m.first_m49, "012");
        assert_string_equal(m.first_iso3, "DZA");
    }
}

/* A real file gives the same rows whatever the chunking (sizes around the BOM, a CRLF-free
 * file, and the buffer size). */
static void real_file_any_chunking(void **state)
{
    size_t len;
    char *text =
        slurp_fixture("real/m49/UNSD_Methodology_semicolon_alendaris-power-query.csv", &len);
    dtp_buf whole;
    dtp_buf_init(&whole, 1 << 22);
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(run_chunked(text, len, len, ';', &whole, &err), DTP_OK);
    const size_t sizes[] = {1, 2, 3, 4, 5, 7, 64, 1000, 65536};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        dtp_buf out;
        dtp_buf_init(&out, 1 << 22);
        assert_int_equal(run_chunked(text, len, sizes[k], ';', &out, &err), DTP_OK);
        assert_string_equal(dtp_buf_str(&out), dtp_buf_str(&whole));
        dtp_buf_free(&out);
    }
    /* Antarctica (empty region codes) sits on line 119 */
    assert_non_null(strstr(dtp_buf_str(&whole), "[001]@119:1|[World]@119:5|[]@119:11|[]@119:12"));
    dtp_buf_free(&whole);
    free(text);
}

static void lenient_quotes_option(void **state)
{
    const char in[] = "a,b\"c\n";
    dtp_buf out;
    dtp_buf_init(&out, 1024);
    dtp_csv_opts o = {.file = "t.csv", .lenient_quotes = 1};
    dtp_csv *c = dtp_csv_new(&o, render, &out);
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(dtp_csv_feed(c, in, sizeof in - 1, &err), DTP_OK);
    assert_int_equal(dtp_csv_finish(c, &err), DTP_OK);
    assert_string_equal(dtp_buf_str(&out), "0\t[a]@1:1|[b\"c]@1:3\n");
    dtp_csv_free(c);
    dtp_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rows_and_positions),
        cmocka_unit_test(semicolon_and_tab),
        cmocka_unit_test(partial_bom_is_text),
        cmocka_unit_test(refusals),
        cmocka_unit_test(caps),
        cmocka_unit_test(callback_status_is_returned),
        cmocka_unit_test(m49_tables_both_delimiters),
        cmocka_unit_test(real_file_any_chunking),
        cmocka_unit_test(lenient_quotes_option),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
