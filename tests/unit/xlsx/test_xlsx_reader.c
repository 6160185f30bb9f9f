/* The xlsx reader on crafted workbooks: shared and inline strings, numbers, booleans, errors,
 * blanks, merged ranges, missing references, every chunk size, and malformed parts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/buf.h"
#include "fetch/xlsx.h"
#include "zipmake.h"

#define NS "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""

static const char sst_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<sst " NS " count=\"5\" uniqueCount=\"5\">"
    "<si><t>Country</t></si>"
    "<si><r><rPr><b/></rPr><t>Hel</t></r><r><t xml:space=\"preserve\">lo </t></r></si>"
    "<si><t>Korea, Republic of</t><rPh sb=\"0\" eb=\"1\"><t>KANA</t></rPh></si>"
    "<si/>"
    "<si><t>C&#244;te D'Ivoire &amp; co</t></si>"
    "</sst>";

static const char sheet_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<worksheet " NS ">"
    "<dimension ref=\"A1:D4\"/>"
    "<sheetData>"
    "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>1</v></c><c r=\"B1\" s=\"3\"/><c r=\"C1\" s=\"3\"/></row>"
    "<row r=\"3\" spans=\"1:4\">"
    "<c r=\"A3\" t=\"s\"><v>0</v></c>"
    "<c r=\"B3\"><v>1.5E3</v></c>"
    "<c r=\"C3\" t=\"b\"><v>1</v></c>"
    "<c r=\"D3\" t=\"e\"><v>#N/A</v></c>"
    "</row>"
    "<row>"                                                       /* no r: row 4 */
    "<c t=\"inlineStr\"><is><t>in</t><r><t>line</t></r></is></c>" /* no r: A4 */
    "<c t=\"str\"><f>A1&amp;\"x\"</f><v>Hello x</v></c>"          /* B4 */
    "<c r=\"D4\" t=\"s\"><v>2</v></c>"
    "<c t=\"n\"><v>-0.25</v></c>" /* E4 */
    "</row>"
    "<row r=\"5\"><c r=\"A5\" t=\"s\"><v>4</v></c><c r=\"B5\" t=\"s\"><v>3</v></c></row>"
    "<row r=\"6\"/>"
    "</sheetData>"
    "<mergeCells count=\"2\"><mergeCell ref=\"A1:C1\"/><mergeCell ref=\"D3\"/></mergeCells>"
    "</worksheet>";

static const char want_cells[] = "A1 r1 c1 string [Hello ]\n"
                                 "B1 r1 c2 blank []\n"
                                 "C1 r1 c3 blank []\n"
                                 "row 1\n"
                                 "A3 r3 c1 string [Country]\n"
                                 "B3 r3 c2 number [1.5E3] 1500\n"
                                 "C3 r3 c3 bool [1] 1\n"
                                 "D3 r3 c4 error [#N/A]\n"
                                 "row 3\n"
                                 "A4 r4 c1 string [inline]\n"
                                 "B4 r4 c2 string [Hello x]\n"
                                 "D4 r4 c4 string [Korea, Republic of]\n"
                                 "E4 r4 c5 number [-0.25] -0.25\n"
                                 "row 4\n"
                                 "A5 r5 c1 string [C\xc3\xb4te D'Ivoire & co]\n"
                                 "B5 r5 c2 string []\n"
                                 "row 5\n"
                                 "row 6\n";

static const char want_merges[] = "merge A1:C1 1,1-1,3\nmerge D3 3,4-3,4\n";

static dtp_status dump_cell(void *ctx, const dtp_xlsx_cell *c, dtp_error *err)
{
    dtp_buf *b = ctx;
    assert_int_equal(strlen(c->value), c->value_len);
    dtp_buf_printf(b, "%s r%u c%u %s [%s]", c->ref, (unsigned)c->row, (unsigned)c->col,
                   dtp_xlsx_type_name(c->type), c->value);
    if (c->type == DTP_XLSX_NUMBER || c->type == DTP_XLSX_BOOL)
        dtp_buf_printf(b, " %g", c->number);
    dtp_buf_puts(b, "\n");
    return DTP_OK;
}

static dtp_status dump_row(void *ctx, const char *sheet, uint32_t row, dtp_error *err)
{
    return dtp_buf_printf(ctx, "row %u\n", (unsigned)row);
}

static dtp_status dump_merge(void *ctx, const char *sheet, const dtp_xlsx_range *r, dtp_error *err)
{
    return dtp_buf_printf(ctx, "merge %s %u,%u-%u,%u\n", r->ref, (unsigned)r->row1,
                          (unsigned)r->col1, (unsigned)r->row2, (unsigned)r->col2);
}

/* Open, read sheet 0 with every handler, return the dump (caller frees). */
static char *dump(const void *z, size_t n, const dtp_xlsx_limits *lim, int merges_first,
                  dtp_status *st, dtp_error *err)
{
    dtp_buf b;
    dtp_buf_init(&b, 1 << 20);
    dtp_error_clear(err);
    dtp_xlsx *x = dtp_xlsx_open_memory(z, n, "crafted.xlsx", lim, err);
    if (!x) {
        *st = err->status;
        dtp_buf_free(&b);
        return NULL;
    }
    dtp_xlsx_handlers h = {dump_cell, dump_row, dump_merge, merges_first};
    *st = dtp_xlsx_read_sheet(x, 0, &h, &b, err);
    dtp_xlsx_free(x);
    return dtp_buf_take(&b);
}

static void reads_every_cell_type(void **state)
{
    size_t n;
    dtp_status st;
    dtp_error err;
    void *z = zm_xlsx(sheet_xml, sst_xml, &n);
    char *got = dump(z, n, NULL, 1, &st, &err);
    assert_int_equal(st, DTP_OK);
    char want[2048];
    snprintf(want, sizeof want, "%s%s", want_merges, want_cells);
    assert_string_equal(got, want);
    free(got);
    /* without the first pass, merges come where the XML has them: after the cells */
    got = dump(z, n, NULL, 0, &st, &err);
    assert_int_equal(st, DTP_OK);
    snprintf(want, sizeof want, "%s%s", want_cells, want_merges);
    assert_string_equal(got, want);
    free(got);
    free(z);
}

static void every_chunk_size_gives_the_same_cells(void **state)
{
    size_t n;
    dtp_status st;
    dtp_error err;
    dtp_xlsx_limits lim;
    void *z = zm_xlsx(sheet_xml, sst_xml, &n);
    char want[2048];
    snprintf(want, sizeof want, "%s%s", want_merges, want_cells);
    dtp_xlsx_limits_default(&lim);
    size_t longest = strlen(sheet_xml) > strlen(sst_xml) ? strlen(sheet_xml) : strlen(sst_xml);
    for (size_t chunk = 1; chunk <= longest + 1; chunk++) {
        lim.read_chunk = chunk;
        char *got = dump(z, n, &lim, 1, &st, &err);
        if (st != DTP_OK)
            fail_msg("chunk %zu: %s", chunk, err.message);
        if (strcmp(got, want) != 0)
            fail_msg("chunk %zu: got\n%s", chunk, got);
        free(got);
    }
    free(z);
}

static void sheet_names_and_parts_from_relationships(void **state)
{
    static const char wb[] =
        "<workbook " NS " xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/"
        "relationships\"><sheets>"
        "<sheet name=\"ISO IEC 27001\" sheetId=\"2\" r:id=\"rId7\"/>"
        "<sheet name=\"Chart\" sheetId=\"3\" r:id=\"rId8\"/>"
        "<sheet name=\"Korea, Republic of\" sheetId=\"1\" r:id=\"rId3\"/>"
        "</sheets></workbook>";
    static const char rels[] =
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
        "relationships/worksheet\" Target=\"/xl/worksheets/./b.xml\"/>"
        "<Relationship Id=\"rId7\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
        "relationships/worksheet\" Target=\"worksheets/../worksheets/a.xml\"/>"
        "<Relationship Id=\"rId8\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
        "relationships/chartsheet\" Target=\"chartsheets/c.xml\"/>"
        "</Relationships>";
    static const char sheet[] = "<worksheet " NS "><sheetData><row r=\"2\"><c r=\"B2\"><v>7</v>"
                                "</c></row></sheetData></worksheet>";
    zm_entry e[] = {
        {"xl/workbook.xml", wb, sizeof wb - 1, 0},
        {"xl/_rels/workbook.xml.rels", rels, sizeof rels - 1, 1},
        {"xl/worksheets/a.xml", sheet, sizeof sheet - 1, 0},
        {"XL/Worksheets/B.xml", sheet, sizeof sheet - 1, 0}, /* part names ignore case */
        {"xl/chartsheets/c.xml", "<chartsheet/>", 13, 0},
    };
    size_t n;
    dtp_error err;
    void *z = zm_zip(e, sizeof e / sizeof e[0], &n);
    dtp_error_clear(&err);
    dtp_xlsx *x = dtp_xlsx_open_memory(z, n, "rels.xlsx", NULL, &err);
    if (!x)
        fail_msg("%s", err.message);
    assert_int_equal(dtp_xlsx_sheet_count(x), 2);
    assert_string_equal(dtp_xlsx_sheet_name(x, 0), "ISO IEC 27001");
    assert_string_equal(dtp_xlsx_sheet_part(x, 0), "xl/worksheets/a.xml");
    assert_string_equal(dtp_xlsx_sheet_name(x, 1), "Korea, Republic of");
    assert_string_equal(dtp_xlsx_sheet_part(x, 1), "xl/worksheets/b.xml");
    assert_null(dtp_xlsx_sheet_name(x, 2));
    dtp_buf b;
    dtp_buf_init(&b, 4096);
    dtp_xlsx_handlers h = {dump_cell, NULL, NULL, 0};
    assert_int_equal(dtp_xlsx_read_sheet(x, 1, &h, &b, &err), DTP_OK);
    assert_string_equal(dtp_buf_str(&b), "B2 r2 c2 number [7] 7\n");
    dtp_buf_free(&b);
    dtp_xlsx_free(x);
    free(z);
}

static dtp_status read_sheet1_expect(const char *sheet, const char *sst, dtp_error *err)
{
    size_t n;
    dtp_status st;
    void *z = zm_xlsx(sheet, sst, &n);
    char *got = dump(z, n, NULL, 0, &st, err);
    free(got);
    free(z);
    return st;
}

static void bad_cells_are_parse_errors_with_locator(void **state)
{
    static const struct {
        const char *cells;
        const char *locator;
        const char *words;
    } cases[] = {
        {"<row r=\"2\"><c r=\"C2\" t=\"s\"><v>9</v></c></row>", "Sheet1!C2", "out of range"},
        {"<row r=\"2\"><c r=\"C2\" t=\"s\"><v>-1</v></c></row>", "Sheet1!C2", "out of range"},
        {"<row r=\"2\"><c r=\"C2\"><v>12abc</v></c></row>", "Sheet1!C2", "not a finite number"},
        {"<row r=\"2\"><c r=\"C2\"><v>nan</v></c></row>", "Sheet1!C2", "not a finite number"},
        {"<row r=\"2\"><c r=\"C2\" t=\"b\"><v>2</v></c></row>", "Sheet1!C2", "not 0 or 1"},
        {"<row r=\"2\"><c r=\"C2\" t=\"zz\"><v>2</v></c></row>", "Sheet1!C2", "unknown cell type"},
        {"<row r=\"2\"><c r=\"C3\"><v>2</v></c></row>", "Sheet1!", "bad cell reference"},
        {"<row r=\"2\"><c r=\"XFE2\"><v>2</v></c></row>", "Sheet1!", "bad cell reference"},
        {"<row r=\"0\"><c><v>2</v></c></row>", "Sheet1", "bad row number"},
        {"<row r=\"1048577\"><c><v>2</v></c></row>", "Sheet1", "bad row number"},
        {"<row r=\"2\"><c><v>&undefined;</v></c></row>", "xl/worksheets/sheet1.xml",
         "malformed xml"},
        {"<row r=\"2\"><c><v>1</v></row>", "xl/worksheets/sheet1.xml", "malformed xml"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char sheet[1024];
        dtp_error err;
        snprintf(sheet, sizeof sheet, "<worksheet " NS "><sheetData>%s</sheetData></worksheet>",
                 cases[i].cells);
        dtp_status st = read_sheet1_expect(sheet, sst_xml, &err);
        if (st != DTP_ERR_PARSE)
            fail_msg("case %zu: status %d (%s)", i, (int)st, err.message);
        if (strncmp(err.locator, cases[i].locator, strlen(cases[i].locator)) != 0 ||
            !strstr(err.message, cases[i].words) || !strstr(err.message, "crafted.xlsx"))
            fail_msg("case %zu: locator '%s' message '%s'", i, err.locator, err.message);
        assert_string_equal(err.stage, "fetch");
    }
}

static void shared_string_without_table_is_out_of_range(void **state)
{
    dtp_error err;
    const char sheet[] = "<worksheet " NS "><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v>"
                         "</c></row></sheetData></worksheet>";
    assert_int_equal(read_sheet1_expect(sheet, NULL, &err), DTP_ERR_PARSE);
    assert_non_null(strstr(err.message, "(0 strings)"));
}

static void not_a_workbook(void **state)
{
    dtp_error err;
    zm_entry e[] = {{"hello.txt", "hi", 2, 0}};
    size_t n;
    void *z = zm_zip(e, 1, &n);
    dtp_error_clear(&err);
    assert_null(dtp_xlsx_open_memory(z, n, "plain.zip", NULL, &err));
    assert_int_equal(err.status, DTP_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.message, "plain.zip"));
    free(z);
    dtp_error_clear(&err);
    assert_null(dtp_xlsx_open_memory("PK\3\4garbage", 11, "garbage.xlsx", NULL, &err));
    assert_int_equal(err.status, DTP_ERR_PARSE);
    dtp_error_clear(&err);
    assert_null(dtp_xlsx_open_memory("", 0, "empty.xlsx", NULL, &err));
    assert_int_equal(err.status, DTP_ERR_PARSE);
}

static dtp_status stop_at_b3(void *ctx, const dtp_xlsx_cell *c, dtp_error *err)
{
    if (strcmp(c->ref, "B3") == 0)
        return dtp_error_set(err, DTP_ERR_INTERRUPTED, "fetch", "stopped");
    return DTP_OK;
}

static void callback_stops_the_read(void **state)
{
    size_t n;
    dtp_error err;
    void *z = zm_xlsx(sheet_xml, sst_xml, &n);
    dtp_error_clear(&err);
    dtp_xlsx *x = dtp_xlsx_open_memory(z, n, "crafted.xlsx", NULL, &err);
    assert_non_null(x);
    dtp_xlsx_handlers h = {stop_at_b3, NULL, NULL, 0};
    assert_int_equal(dtp_xlsx_read_sheet(x, 0, &h, NULL, &err), DTP_ERR_INTERRUPTED);
    assert_string_equal(err.message, "stopped");
    /* the handle stays usable */
    h.cell = dump_cell;
    dtp_buf b;
    dtp_buf_init(&b, 4096);
    assert_int_equal(dtp_xlsx_read_sheet(x, 0, &h, &b, &err), DTP_OK);
    dtp_buf_free(&b);
    assert_int_equal(dtp_xlsx_read_sheet(x, 5, &h, &b, &err), DTP_ERR_USAGE);
    dtp_xlsx_free(x);
    free(z);
}

static void open_file_reads_the_same(void **state)
{
    size_t n;
    dtp_error err;
    char path[] = "/tmp/dtp_xlsx_test_XXXXXX";
    void *z = zm_xlsx(sheet_xml, sst_xml, &n);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, z, n), (ssize_t)n);
    close(fd);
    dtp_error_clear(&err);
    dtp_xlsx *x = dtp_xlsx_open_file(path, NULL, &err);
    assert_non_null(x);
    assert_string_equal(dtp_xlsx_name(x), path);
    dtp_buf b;
    dtp_buf_init(&b, 1 << 16);
    dtp_xlsx_handlers h = {dump_cell, dump_row, NULL, 0};
    assert_int_equal(dtp_xlsx_read_sheet(x, 0, &h, &b, &err), DTP_OK);
    assert_string_equal(dtp_buf_str(&b), want_cells);
    dtp_buf_free(&b);
    dtp_xlsx_free(x);
    unlink(path);
    free(z);
    dtp_error_clear(&err);
    assert_null(dtp_xlsx_open_file("/nonexistent/dir/x.xlsx", NULL, &err));
    assert_int_equal(err.status, DTP_ERR_IO);
    assert_non_null(strstr(err.message, "/nonexistent/dir/x.xlsx"));
}

static void refs(void **state)
{
    uint32_t r, c;
    char out[16];
    assert_int_equal(dtp_xlsx_parse_ref("A1", &r, &c), DTP_OK);
    assert_true(r == 1 && c == 1);
    assert_int_equal(dtp_xlsx_parse_ref("$AB$12", &r, &c), DTP_OK);
    assert_true(r == 12 && c == 28);
    assert_int_equal(dtp_xlsx_parse_ref("XFD1048576", &r, &c), DTP_OK);
    assert_true(r == 1048576 && c == 16384);
    const char *bad[] = {"", "A", "1", "A0", "XFE1", "A1048577", "AAAA1", "A1B", "a-1", "A 1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (dtp_xlsx_parse_ref(bad[i], &r, &c) == DTP_OK)
            fail_msg("'%s' accepted", bad[i]);
    assert_string_equal(dtp_xlsx_format_ref(7, 3, out, sizeof out), "C7");
    assert_string_equal(dtp_xlsx_format_ref(1, 26, out, sizeof out), "Z1");
    assert_string_equal(dtp_xlsx_format_ref(1, 27, out, sizeof out), "AA1");
    assert_string_equal(dtp_xlsx_format_ref(1048576, 16384, out, sizeof out), "XFD1048576");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_every_cell_type),
        cmocka_unit_test(every_chunk_size_gives_the_same_cells),
        cmocka_unit_test(sheet_names_and_parts_from_relationships),
        cmocka_unit_test(bad_cells_are_parse_errors_with_locator),
        cmocka_unit_test(shared_string_without_table_is_out_of_range),
        cmocka_unit_test(not_a_workbook),
        cmocka_unit_test(callback_stops_the_read),
        cmocka_unit_test(open_file_reads_the_same),
        cmocka_unit_test(refs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
