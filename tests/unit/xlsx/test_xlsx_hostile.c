/* Hostile workbooks, each crafted here: entity expansion (billion laughs), external entities,
 * zip-slip names, duplicate entries, too many entries, too large or too compressible entries,
 * too many shared strings, too long cells, too many sheets and merges. Each must be refused with
 * the right status and a message that says which cap or rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"
#include "fetch/xlsx.h"
#include "zipmake.h"

#define NS "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""

static const char plain_sheet[] = "<worksheet " NS "><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v>"
                                  "</c></row></sheetData></worksheet>";

static const char laughs[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE lolz [\n"
    " <!ENTITY lol \"lol\">\n"
    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
    " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
    " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
    " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
    " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
    " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
    " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
    "]>\n";

static dtp_status count_cell(void *ctx, const dtp_xlsx_cell *c, dtp_error *err)
{
    (*(size_t *)ctx)++;
    return DTP_OK;
}

/* Open and read sheet 0; the status of whichever step failed. */
static dtp_status try_xlsx(const void *z, size_t n, const dtp_xlsx_limits *lim, dtp_error *err)
{
    size_t cells = 0;
    dtp_error_clear(err);
    dtp_xlsx *x = dtp_xlsx_open_memory(z, n, "hostile.xlsx", lim, err);
    if (!x)
        return err->status;
    dtp_xlsx_handlers h = {count_cell, NULL, NULL, 1};
    dtp_status st = dtp_xlsx_read_sheet(x, 0, &h, &cells, err);
    dtp_xlsx_free(x);
    return st;
}

static void expect(dtp_status got, dtp_status want, const dtp_error *err, const char *words)
{
    if (got != want)
        fail_msg("status %s, wanted %s (%s)", dtp_strerror(got), dtp_strerror(want), err->message);
    if (!strstr(err->message, words))
        fail_msg("message '%s' lacks '%s'", err->message, words);
    if (!strstr(err->message, "hostile.xlsx"))
        fail_msg("message '%s' does not name the workbook", err->message);
}

static void billion_laughs_in_sheet_refused(void **state)
{
    char sheet[4096];
    size_t n;
    dtp_error err;
    dtp_xlsx_limits lim;
    snprintf(sheet, sizeof sheet,
             "%s<worksheet " NS "><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>"
             "&lol9;</t></is></c></row></sheetData></worksheet>",
             laughs);
    void *z = zm_xlsx(sheet, NULL, &n);
    expect(try_xlsx(z, n, NULL, &err), DTP_ERR_PARSE, &err, "DOCTYPE");
    /* at every chunk size the declaration is seen before libxml2 gets it */
    dtp_xlsx_limits_default(&lim);
    for (size_t chunk = 1; chunk <= 64; chunk++) {
        lim.read_chunk = chunk;
        expect(try_xlsx(z, n, &lim, &err), DTP_ERR_PARSE, &err, "DOCTYPE");
    }
    free(z);
}

static void doctype_in_shared_strings_and_workbook_refused(void **state)
{
    char sst[4096];
    size_t n;
    dtp_error err;
    snprintf(sst, sizeof sst, "%s<sst " NS "><si><t>&lol9;</t></si></sst>", laughs);
    void *z = zm_xlsx(plain_sheet, sst, &n);
    expect(try_xlsx(z, n, NULL, &err), DTP_ERR_PARSE, &err, "DOCTYPE");
    assert_non_null(strstr(err.message, "sharedStrings.xml"));
    free(z);

    static const char wb[] = "<?xml version=\"1.0\"?><!-- ok --><!DOCTYPE workbook SYSTEM "
                             "\"http://example.invalid/x.dtd\"><workbook/>";
    zm_entry e[] = {{"xl/workbook.xml", wb, sizeof wb - 1, 0}};
    z = zm_zip(e, 1, &n);
    expect(try_xlsx(z, n, NULL, &err), DTP_ERR_PARSE, &err, "DOCTYPE");
    free(z);
}

static void external_entity_refused(void **state)
{
    static const char sheet[] =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE w [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
        "<worksheet " NS "><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&xxe;</t>"
        "</is></c></row></sheetData></worksheet>";
    size_t n;
    dtp_error err;
    void *z = zm_xlsx(sheet, NULL, &n);
    expect(try_xlsx(z, n, NULL, &err), DTP_ERR_PARSE, &err, "DOCTYPE");
    free(z);
}

static void undeclared_entity_is_malformed(void **state)
{
    static const char sheet[] = "<worksheet " NS "><sheetData><row r=\"1\"><c r=\"A1\" "
                                "t=\"inlineStr\"><is><t>&lol9;</t></is></c></row></sheetData>"
                                "</worksheet>";
    size_t n;
    dtp_error err;
    void *z = zm_xlsx(sheet, NULL, &n);
    expect(try_xlsx(z, n, NULL, &err), DTP_ERR_PARSE, &err, "malformed xml");
    free(z);
}

static void zip_slip_names_refused(void **state)
{
    const char *names[] = {"../evil.xml",      "xl/../../evil.xml", "/etc/evil.xml",
                           "xl\\..\\evil.xml", "C:/evil.xml",       "\\evil.xml"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t n;
        dtp_error err;
        zm_entry e[] = {{"xl/workbook.xml", "<workbook/>", 11, 0}, {names[i], "x", 1, 0}};
        void *z = zm_zip(e, 2, &n);
        expect(try_xlsx(z, n, NULL, &err), DTP_ERR_PARSE, &err, "absolute or '..' path");
        free(z);
    }
}

static void duplicate_entry_refused(void **state)
{
    size_t n;
    dtp_error err;
    zm_entry e[] = {{"xl/workbook.xml", "<workbook/>", 11, 0},
                    {"XL/Workbook.xml", "<workbook/>", 11, 0}};
    void *z = zm_zip(e, 2, &n);
    expect(try_xlsx(z, n, NULL, &err), DTP_ERR_PARSE, &err, "appears twice");
    free(z);
}

static void too_many_entries(void **state)
{
    size_t n;
    dtp_error err;
    dtp_xlsx_limits lim;
    zm_entry e[8];
    char names[8][16];
    for (int i = 0; i < 8; i++) {
        snprintf(names[i], sizeof names[i], "f%d.txt", i);
        e[i] = (zm_entry){names[i], "x", 1, 0};
    }
    void *z = zm_zip(e, 8, &n);
    dtp_xlsx_limits_default(&lim);
    lim.max_entries = 7;
    expect(try_xlsx(z, n, &lim, &err), DTP_ERR_LIMIT, &err, "more than 7 zip entries");
    free(z);
}

/* Bytes that deflate poorly, so the size caps trip before the ratio cap. */
static unsigned char *noise(size_t len)
{
    unsigned char *b = malloc(len);
    uint32_t s = 12345;
    assert_non_null(b);
    for (size_t i = 0; i < len; i++) {
        s = s * 1103515245u + 12345u;
        b[i] = (unsigned char)(s >> 16);
    }
    return b;
}

static void entry_too_large(void **state)
{
    size_t n;
    dtp_error err;
    dtp_xlsx_limits lim;
    unsigned char *big = noise(300000);
    dtp_xlsx_limits_default(&lim);
    lim.max_entry_bytes = 200000;
    for (int store = 0; store <= 1; store++) {
        zm_entry e[] = {{"xl/workbook.xml", "<workbook/>", 11, 0},
                        {"xl/media/big.bin", big, 300000, store}};
        void *z = zm_zip(e, 2, &n);
        expect(try_xlsx(z, n, &lim, &err), DTP_ERR_LIMIT, &err, "200000 bytes");
        free(z);
    }
    free(big);
}

static void total_too_large(void **state)
{
    size_t n;
    dtp_error err;
    dtp_xlsx_limits lim;
    unsigned char *b = noise(150000);
    dtp_xlsx_limits_default(&lim);
    lim.max_total_bytes = 250000;
    zm_entry e[] = {{"xl/workbook.xml", "<workbook/>", 11, 0},
                    {"a.bin", b, 150000, 0},
                    {"b.bin", b, 150000, 1}};
    void *z = zm_zip(e, 3, &n);
    expect(try_xlsx(z, n, &lim, &err), DTP_ERR_LIMIT, &err, "more than 250000 bytes");
    free(z);
    free(b);
}

static void zip_bomb_ratio_refused(void **state)
{
    size_t n;
    dtp_error err;
    dtp_xlsx_limits lim;
    /* 16 MiB of zeros deflate to ~16 KiB: a ratio near 1000 */
    zm_entry e[] = {{"xl/workbook.xml", "<workbook/>", 11, 0},
                    {"xl/media/zeros.bin", NULL, (size_t)16 << 20, 0}};
    void *z = zm_zip(e, 2, &n);
    assert_true(n < (size_t)100 << 10);
    dtp_xlsx_limits_default(&lim);
    lim.max_ratio = 100;
    lim.ratio_grace = 64 << 10;
    expect(try_xlsx(z, n, &lim, &err), DTP_ERR_LIMIT, &err, "compression ratio above 100");
    free(z);

    /* the same bomb as a sheet that is actually read: whitespace inside the root element */
    char *sheet = malloc((size_t)8 << 20);
    assert_non_null(sheet);
    const char head[] = "<worksheet " NS "><sheetData>";
    memcpy(sheet, head, sizeof head - 1);
    memset(sheet + sizeof head - 1, ' ', ((size_t)8 << 20) - sizeof head);
    sheet[((size_t)8 << 20) - 1] = '\0';
    z = zm_xlsx(sheet, NULL, &n);
    expect(try_xlsx(z, n, &lim, &err), DTP_ERR_LIMIT, &err, "compression ratio");
    free(z);
    free(sheet);
}

static void too_many_shared_strings(void **state)
{
    dtp_buf sst;
    size_t n;
    dtp_error err;
    dtp_xlsx_limits lim;
    dtp_buf_init(&sst, 1 << 20);
    dtp_buf_printf(&sst, "<sst " NS ">");
    for (int i = 0; i < 11; i++)
        dtp_buf_printf(&sst, "<si><t>s%d</t></si>", i);
    dtp_buf_puts(&sst, "</sst>");
    void *z = zm_xlsx(plain_sheet, dtp_buf_str(&sst), &n);
    dtp_xlsx_limits_default(&lim);
    lim.max_shared_strings = 10;
    expect(try_xlsx(z, n, &lim, &err), DTP_ERR_LIMIT, &err, "more than 10 shared strings");
    lim.max_shared_strings = 11;
    assert_int_equal(try_xlsx(z, n, &lim, &err), DTP_OK);
    lim.max_shared_bytes = 20; /* 11 strings of 3 bytes with their NULs do not fit */
    expect(try_xlsx(z, n, &lim, &err), DTP_ERR_LIMIT, &err, "more than 20 bytes");
    free(z);
    dtp_buf_free(&sst);
}

static void cell_too_long(void **state)
{
    char text[301], sheet[1024], sst[1024];
    size_t n;
    dtp_error err;
    dtp_xlsx_limits lim;
    memset(text, 'x', 300);
    text[300] = '\0';
    dtp_xlsx_limits_default(&lim);
    lim.max_cell_bytes = 299;
    /* inline */
    snprintf(sheet, sizeof sheet,
             "<worksheet " NS "><sheetData><row r=\"4\"><c r=\"B4\" t=\"inlineStr\"><is><t>%s"
             "</t></is></c></row></sheetData></worksheet>",
             text);
    void *z = zm_xlsx(sheet, NULL, &n);
    expect(try_xlsx(z, n, &lim, &err), DTP_ERR_LIMIT, &err, "longer than 299 bytes");
    assert_string_equal(err.locator, "Sheet1!B4");
    lim.max_cell_bytes = 300;
    assert_int_equal(try_xlsx(z, n, &lim, &err), DTP_OK);
    free(z);
    /* shared */
    snprintf(sst, sizeof sst, "<sst " NS "><si><t>ok</t></si><si><t>%s</t></si></sst>", text);
    z = zm_xlsx(plain_sheet, sst, &n);
    lim.max_cell_bytes = 299;
    expect(try_xlsx(z, n, &lim, &err), DTP_ERR_LIMIT, &err, "shared string 1 longer than 299");
    free(z);
}

static void too_many_sheets_and_merges(void **state)
{
    dtp_buf wb, sheet;
    size_t n;
    dtp_error err;
    dtp_xlsx_limits lim;
    dtp_xlsx_limits_default(&lim);
    dtp_buf_init(&wb, 1 << 16);
    dtp_buf_puts(&wb, "<workbook " NS "><sheets>");
    for (int i = 0; i < 6; i++)
        dtp_buf_printf(&wb, "<sheet name=\"s%d\" sheetId=\"%d\"/>", i, i + 1);
    dtp_buf_puts(&wb, "</sheets></workbook>");
    zm_entry e[] = {{"xl/workbook.xml", wb.data, wb.len, 0}};
    void *z = zm_zip(e, 1, &n);
    lim.max_sheets = 5;
    expect(try_xlsx(z, n, &lim, &err), DTP_ERR_LIMIT, &err, "more than 5 sheets");
    free(z);
    dtp_buf_free(&wb);

    dtp_xlsx_limits_default(&lim);
    dtp_buf_init(&sheet, 1 << 16);
    dtp_buf_puts(&sheet, "<worksheet " NS "><sheetData/><mergeCells>");
    for (int i = 1; i <= 4; i++)
        dtp_buf_printf(&sheet, "<mergeCell ref=\"A%d:C%d\"/>", i, i);
    dtp_buf_puts(&sheet, "</mergeCells></worksheet>");
    z = zm_xlsx(dtp_buf_str(&sheet), NULL, &n);
    lim.max_merges = 3;
    expect(try_xlsx(z, n, &lim, &err), DTP_ERR_LIMIT, &err, "more than 3 merge ranges");
    free(z);
    dtp_buf_free(&sheet);
}

static void deep_nesting_does_not_crash(void **state)
{
    /* libxml2's own depth limit (256 without XML_PARSE_HUGE) answers, as a parse error */
    dtp_buf sheet;
    size_t n;
    dtp_error err;
    dtp_buf_init(&sheet, 1 << 20);
    dtp_buf_puts(&sheet, "<worksheet " NS "><sheetData>");
    for (int i = 0; i < 5000; i++)
        dtp_buf_puts(&sheet, "<x>");
    void *z = zm_xlsx(dtp_buf_str(&sheet), NULL, &n);
    expect(try_xlsx(z, n, NULL, &err), DTP_ERR_PARSE, &err, "malformed xml");
    free(z);
    dtp_buf_free(&sheet);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(billion_laughs_in_sheet_refused),
        cmocka_unit_test(doctype_in_shared_strings_and_workbook_refused),
        cmocka_unit_test(external_entity_refused),
        cmocka_unit_test(undeclared_entity_is_malformed),
        cmocka_unit_test(zip_slip_names_refused),
        cmocka_unit_test(duplicate_entry_refused),
        cmocka_unit_test(too_many_entries),
        cmocka_unit_test(entry_too_large),
        cmocka_unit_test(total_too_large),
        cmocka_unit_test(zip_bomb_ratio_refused),
        cmocka_unit_test(too_many_shared_strings),
        cmocka_unit_test(cell_too_long),
        cmocka_unit_test(too_many_sheets_and_merges),
        cmocka_unit_test(deep_nesting_does_not_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
