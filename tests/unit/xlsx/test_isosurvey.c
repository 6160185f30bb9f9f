/* ISO Survey layouts: each generated workbook parses to exactly its golden CSV; the refusals say
 * what was seen and what was looked for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <csv.h>

#include "common/buf.h"
#include "fetch/isosurvey.h"
#include "zipmake.h"

/* ---- helpers ---- */

typedef struct row {
    char *f[4]; /* entity_raw, year, value, locator */
    char *flags;
    char *value_raw;
    int is_aggregate;
    int has_value;
} row;

typedef struct rows {
    row *v;
    size_t n, cap;
    size_t field;
} rows;

static void rows_add(rows *r)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->v = realloc(r->v, r->cap * sizeof *r->v);
        assert_non_null(r->v);
    }
    memset(&r->v[r->n++], 0, sizeof(row));
}

static void rows_free(rows *r)
{
    for (size_t i = 0; i < r->n; i++) {
        for (int j = 0; j < 4; j++)
            free(r->v[i].f[j]);
        free(r->v[i].flags);
        free(r->v[i].value_raw);
    }
    free(r->v);
    memset(r, 0, sizeof *r);
}

static char *fixture_path(const char *name)
{
    const char *dir = getenv("DTP_FIXTURES");
    static char p[1024];
    snprintf(p, sizeof p, "%s/isosurvey/%s", dir ? dir : "tests/fixtures", name);
    return p;
}

static void *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *b = malloc((size_t)len + 1);
    assert_non_null(b);
    *n = fread(b, 1, (size_t)len, f);
    fclose(f);
    return b;
}

static void on_field(void *s, size_t len, void *data)
{
    rows *r = data;
    if (r->field == 0)
        rows_add(r);
    if (r->field < 4)
        r->v[r->n - 1].f[r->field] = strndup(s ? s : "", len);
    r->field++;
}

static void on_record(int c, void *data)
{
    rows *r = data;
    r->field = 0;
}

static void read_expected(const char *name, rows *out)
{
    size_t n;
    char *b = slurp(fixture_path(name), &n);
    struct csv_parser p;
    assert_int_equal(csv_init(&p, CSV_APPEND_NULL), 0);
    memset(out, 0, sizeof *out);
    assert_int_equal(csv_parse(&p, b, n, on_field, on_record, out), n);
    csv_fini(&p, on_field, on_record, out);
    csv_free(&p);
    free(b);
    /* drop the header line */
    assert_true(out->n > 0);
    assert_string_equal(out->v[0].f[0], "entity_raw");
    for (int j = 0; j < 4; j++)
        free(out->v[0].f[j]);
    memmove(out->v, out->v + 1, (out->n - 1) * sizeof *out->v);
    out->n--;
}

static dtp_status collect(void *ctx, const dtp_obs *o, dtp_error *err)
{
    rows *r = ctx;
    char y[16], v[64];
    rows_add(r);
    row *x = &r->v[r->n - 1];
    assert_string_equal(o->source, "isosurvey");
    assert_string_equal(o->indicator, "ISO/IEC 27001");
    assert_string_equal(o->variable, "iso27001");
    assert_string_equal(o->entity_system, "name");
    assert_non_null(o->edition);
    snprintf(y, sizeof y, "%d", o->year);
    if (o->has_value)
        snprintf(v, sizeof v, "%.15g", o->value);
    else
        v[0] = '\0';
    x->f[0] = strdup(o->entity_raw);
    x->f[1] = strdup(y);
    x->f[2] = strdup(v);
    x->f[3] = strdup(o->locator);
    x->flags = o->flags ? strdup(o->flags) : NULL;
    x->value_raw = strdup(o->value_raw);
    x->is_aggregate = o->is_aggregate;
    x->has_value = o->has_value;
    return DTP_OK;
}

static dtp_status parse_fixture(const char *name, int edition, rows *got, dtp_isosurvey_info *info,
                                dtp_error *err)
{
    size_t n;
    void *b = slurp(fixture_path(name), &n);
    memset(got, 0, sizeof *got);
    dtp_status st = dtp_isosurvey_parse_ex(b, n, name, edition, NULL, collect, got, info, err);
    free(b);
    return st;
}

static void assert_golden(const char *xlsx, const char *csv, int edition, rows *got,
                          dtp_isosurvey_info *info)
{
    rows want;
    dtp_error err;
    dtp_error_clear(&err);
    dtp_status st = parse_fixture(xlsx, edition, got, info, &err);
    if (st != DTP_OK)
        fail_msg("%s: %s", xlsx, err.message);
    read_expected(csv, &want);
    for (size_t i = 0; i < want.n && i < got->n; i++)
        for (int j = 0; j < 4; j++)
            if (strcmp(want.v[i].f[j], got->v[i].f[j]) != 0)
                fail_msg("%s row %zu field %d: want '%s' got '%s'", xlsx, i + 1, j, want.v[i].f[j],
                         got->v[i].f[j]);
    assert_int_equal(got->n, want.n);
    rows_free(&want);
}

static const row *find(const rows *r, const char *entity)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->v[i].f[0], entity) == 0)
            return &r->v[i];
    fail_msg("no row for %s", entity);
    return NULL;
}

/* ---- layouts ---- */

static void per_standard_2016_sectors(void **state)
{
    rows got;
    dtp_isosurvey_info info;
    assert_golden("per_standard_2016.xlsx", "per_standard_2016.expected.csv", 2016, &got, &info);
    assert_int_equal(info.layout, DTP_ISOSURVEY_PER_STANDARD);
    assert_string_equal(info.sheet, "ISO_IEC_27001");
    assert_int_equal(info.header_row, 3);
    assert_string_equal(info.country_header, "Land/Sector");
    assert_string_equal(info.value_header, "Total");
    assert_int_equal(info.n_aggregate, 1);
    assert_int_equal(info.n_blank, 2);
    assert_true(info.n_skipped >= 1); /* the Sector number row */
    const row *t = find(&got, "TOTAL");
    assert_int_equal(t->is_aggregate, 1);
    const row *c = find(&got, "Côte D'Ivoire");
    assert_string_equal(c->value_raw, "");
    assert_string_equal(c->flags, "blank=0");
    assert_int_equal(c->has_value, 1);
    assert_int_equal(find(&got, "Taipei, Chinese")->is_aggregate, 0);
    rows_free(&got);
}

static void per_standard_2022_note_and_blanks(void **state)
{
    rows got;
    dtp_isosurvey_info info;
    assert_golden("per_standard_2022.xlsx", "per_standard_2022.expected.csv", 2022, &got, &info);
    assert_string_equal(info.sheet, "ISO IEC 27001");
    assert_int_equal(info.header_row, 4);
    assert_string_equal(info.value_header, "certificates");
    assert_non_null(strstr(info.disclaimer, "participation of certification bodies"));
    assert_non_null(strstr(info.disclaimer, "generated for the dtpanel tests")); /* footer */
    const row *k = find(&got, "Korea, Republic of");
    assert_string_equal(k->value_raw, "452");
    assert_non_null(k->flags);
    assert_non_null(strstr(k->flags, "disclaimer=Note: the participation"));
    const row *b = find(&got, "Netherlands Antilles (NL)");
    assert_string_equal(b->value_raw, "");
    assert_true(strncmp(b->flags, "blank=0; disclaimer=", 20) == 0);
    assert_int_equal(find(&got, "Total")->is_aggregate, 1);
    rows_free(&got);
}

static void certificates_and_sites_by_header_text(void **state)
{
    rows got;
    dtp_isosurvey_info info;
    assert_golden("certificates_and_sites_2019.xlsx", "certificates_and_sites_2019.expected.csv",
                  2019, &got, &info);
    assert_string_equal(info.sheet, "ISO 27001");
    assert_string_equal(info.value_header, "certificates"); /* column C, after sites */
    assert_string_equal(find(&got, "China")->f[3], "ISO 27001!C5");
    assert_int_equal(info.n_obs, 14); /* 13 countries + Total; the sector table is not read */
    rows_free(&got);
}

static void per_country_old_edition(void **state)
{
    rows got;
    dtp_isosurvey_info info;
    assert_golden("per_country_2006.xlsx", "per_country_2006.expected.csv", 2006, &got, &info);
    assert_int_equal(info.layout, DTP_ISOSURVEY_PER_COUNTRY);
    assert_int_equal(info.sheets_used, 6);
    assert_string_equal(info.value_header, "ISO/IEC 27001");
    /* before the standard existed a blank is missing, not 0 */
    const row *a = find(&got, "Albania");
    assert_int_equal(a->has_value, 0);
    assert_string_equal(a->flags, "blank");
    assert_string_equal(a->f[1], "2003");
    rows_free(&got);
}

static void demo_editions(void **state)
{
    for (int y = 2016; y <= 2023; y++) {
        char x[64], c[64];
        rows got;
        dtp_isosurvey_info info;
        snprintf(x, sizeof x, "demo/isosurvey_%d.xlsx", y);
        snprintf(c, sizeof c, "demo/isosurvey_%d.expected.csv", y);
        assert_golden(x, c, y, &got, &info);
        assert_true(got.n > 120);
        rows_free(&got);
    }
}

static void edition_from_workbook_name(void **state)
{
    rows got;
    dtp_error err;
    dtp_isosurvey_info info;
    dtp_error_clear(&err);
    assert_int_equal(parse_fixture("per_standard_2022.xlsx", 0, &got, &info, &err), DTP_OK);
    assert_int_equal(info.edition, 2022);
    assert_string_equal(got.v[0].f[1], "2022");
    rows_free(&got);
}

static void edition_from_title_not_standard_version(void **state)
{
    /* no year in the name: the title "ISO Survey 2022 - ISO/IEC 27001:2013" gives 2022 */
    size_t n;
    rows got;
    dtp_error err;
    dtp_isosurvey_info info;
    void *b = slurp(fixture_path("per_standard_2022.xlsx"), &n);
    memset(&got, 0, sizeof got);
    dtp_error_clear(&err);
    assert_int_equal(
        dtp_isosurvey_parse_ex(b, n, "survey.xlsx", 0, NULL, collect, &got, &info, &err), DTP_OK);
    assert_int_equal(info.edition, 2022);
    rows_free(&got);
    memset(&got, 0, sizeof got);
    free(b);
    b = slurp(fixture_path("certificates_and_sites_2019.xlsx"), &n);
    dtp_error_clear(&err);
    assert_int_equal(
        dtp_isosurvey_parse_ex(b, n, "survey.xlsx", 0, NULL, collect, &got, &info, &err),
        DTP_OK); /* its title names 2019 */
    assert_int_equal(info.edition, 2019);
    rows_free(&got);
    free(b);
}

/* ---- crafted sheets (inline strings), for rules the generated workbooks do not cover ---- */

#define NS "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""

/* Cells as "A1=text" / "B2#12" (number) / "C3~" (styled blank), separated by '|'. */
static char *sheet_of(const char *spec, const char *merges)
{
    dtp_buf b;
    dtp_buf_init(&b, 1 << 16);
    dtp_buf_printf(&b, "<worksheet %s><sheetData>", NS);
    char *dup = strdup(spec), *next = dup;
    unsigned cur = 0;
    while (next) {
        char *tok = next;
        next = strchr(tok, '|');
        if (next)
            *next++ = '\0';
        size_t k = strcspn(tok, "=#~");
        char ref[16];
        snprintf(ref, sizeof ref, "%.*s", (int)k, tok);
        unsigned r = (unsigned)strtoul(ref + strcspn(ref, "0123456789"), NULL, 10);
        if (r != cur) {
            if (cur)
                dtp_buf_puts(&b, "</row>");
            dtp_buf_printf(&b, "<row r=\"%u\">", r);
            cur = r;
        }
        if (tok[k] == '=')
            dtp_buf_printf(&b, "<c r=\"%s\" t=\"inlineStr\"><is><t>%s</t></is></c>", ref,
                           tok + k + 1);
        else if (tok[k] == '#')
            dtp_buf_printf(&b, "<c r=\"%s\"><v>%s</v></c>", ref, tok + k + 1);
        else
            dtp_buf_printf(&b, "<c r=\"%s\" s=\"1\"/>", ref);
    }
    free(dup);
    if (cur)
        dtp_buf_puts(&b, "</row>");
    dtp_buf_puts(&b, "</sheetData>");
    if (merges)
        dtp_buf_printf(&b, "<mergeCells>%s</mergeCells>", merges);
    dtp_buf_puts(&b, "</worksheet>");
    return dtp_buf_take(&b);
}

static dtp_status parse_crafted(const char *sheet_name, const char *spec, const char *merges,
                                const char *wb_name, int edition, rows *got,
                                dtp_isosurvey_info *info, dtp_error *err)
{
    size_t n;
    char *sheet = sheet_of(spec, merges);
    void *z = zm_xlsx_named(sheet_name, sheet, NULL, &n);
    memset(got, 0, sizeof *got);
    dtp_error_clear(err);
    dtp_status st = dtp_isosurvey_parse_ex(z, n, wb_name, edition, NULL, collect, got, info, err);
    free(z);
    free(sheet);
    return st;
}

static void standards_as_columns_pick_the_27001_column(void **state)
{
    rows got;
    dtp_error err;
    dtp_isosurvey_info info;
    assert_int_equal(parse_crafted("All standards",
                                   "A1=Country|B1=ISO 9001|C1=ISO/IEC 27001|D1=ISO 14001|"
                                   "A2=Japan|B2#900|C2#70|D2#5|A3=Chile|B3#3|C3~",
                                   NULL, "all_2020.xlsx", 2020, &got, &info, &err),
                     DTP_OK);
    assert_int_equal(got.n, 2);
    assert_string_equal(got.v[0].f[2], "70");
    assert_string_equal(got.v[0].f[3], "All standards!C2");
    assert_string_equal(got.v[1].flags, "blank=0");
    rows_free(&got);
}

static void merged_header_cells_apply_across(void **state)
{
    /* Country merged over A2:A3; "ISO/IEC 27001" merged over B2:C2 above certificates | sites */
    rows got;
    dtp_error err;
    dtp_isosurvey_info info;
    assert_int_equal(parse_crafted("ISO 27001",
                                   "A1=Title 2021|A2=Country|B2=ISO/IEC 27001|A3~|"
                                   "B3=sites|C3=certificates|A4=Peru|B4#9|C4#4",
                                   "<mergeCell ref=\"A2:A3\"/><mergeCell ref=\"B2:C2\"/>", "m.xlsx",
                                   2021, &got, &info, &err),
                     DTP_OK);
    assert_int_equal(info.header_row, 2);
    assert_int_equal(got.n, 1);
    assert_string_equal(got.v[0].f[0], "Peru");
    assert_string_equal(got.v[0].f[2], "9"); /* B: under the merged 27001 header */
    rows_free(&got);
}

static void unnamed_sheet_placed_by_its_title(void **state)
{
    rows got;
    dtp_error err;
    dtp_isosurvey_info info;
    assert_int_equal(parse_crafted("Sheet1",
                                   "A1=ISO/IEC 27001 certificates per country|A2=Country|"
                                   "B2=certificates|A3=Korea, Republic of|B3#452",
                                   NULL, "survey_2018.xlsx", 0, &got, &info, &err),
                     DTP_OK);
    assert_int_equal(info.edition, 2018);
    assert_int_equal(got.n, 1);
    rows_free(&got);
    /* the same table without any 27001 mention is not placed */
    assert_int_equal(parse_crafted("Sheet1",
                                   "A1=Certificates per country|A2=Country|B2=certificates|"
                                   "A3=Korea, Republic of|B3#452",
                                   NULL, "survey_2018.xlsx", 0, &got, &info, &err),
                     DTP_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.message, "sheets seen: 'Sheet1'"));
    rows_free(&got);
}

static void text_counts_and_non_numbers(void **state)
{
    rows got;
    dtp_error err;
    dtp_isosurvey_info info;
    assert_int_equal(parse_crafted("ISO IEC 27001",
                                   "A1=Country|B1=certificates|A2=India|B2=1 234|A3=Chad|B3=n/a|"
                                   "A4=Mali|B4=-|A5=Note: a note|A6=Sector number|A7=Peru|B7#3",
                                   NULL, "t_2020.xlsx", 2020, &got, &info, &err),
                     DTP_OK);
    assert_int_equal(got.n, 3);
    assert_string_equal(got.v[0].f[2], "1234");
    assert_string_equal(got.v[0].flags, "text");
    assert_string_equal(got.v[0].value_raw, "1 234");
    assert_int_equal(got.v[1].has_value, 0);
    assert_string_equal(got.v[1].flags, "not a number");
    assert_string_equal(got.v[1].value_raw, "n/a");
    assert_string_equal(got.v[2].flags, "blank=0");
    assert_int_equal(info.n_notes, 1);
    assert_string_equal(info.disclaimer, "Note: a note");
    rows_free(&got);
}

static void edition_unknown_is_refused(void **state)
{
    rows got;
    dtp_error err;
    assert_int_equal(parse_crafted("ISO IEC 27001", "A1=Country|B1=certificates|A2=Peru|B2#1", NULL,
                                   "survey.xlsx", 0, &got, NULL, &err),
                     DTP_ERR_PARSE);
    assert_non_null(strstr(err.message, "edition year unknown"));
    assert_int_equal(got.n, 0);
    rows_free(&got);
}

static void every_chunk_size_and_from_a_file(void **state)
{
    rows want, got;
    dtp_error err;
    dtp_xlsx_limits lim;
    size_t n;
    void *b = slurp(fixture_path("per_standard_2022.xlsx"), &n);
    read_expected("per_standard_2022.expected.csv", &want);
    dtp_xlsx_limits_default(&lim);
    for (size_t chunk = 1; chunk <= 300; chunk += (chunk < 40 ? 1 : 37)) {
        lim.read_chunk = chunk;
        memset(&got, 0, sizeof got);
        dtp_error_clear(&err);
        if (dtp_isosurvey_parse(b, n, "per_standard_2022.xlsx", 2022, &lim, collect, &got, &err) !=
            DTP_OK)
            fail_msg("chunk %zu: %s", chunk, err.message);
        assert_int_equal(got.n, want.n);
        for (size_t i = 0; i < want.n; i++)
            for (int j = 0; j < 4; j++)
                assert_string_equal(got.v[i].f[j], want.v[i].f[j]);
        rows_free(&got);
    }
    free(b);
    /* the file variant, through an open workbook */
    dtp_error_clear(&err);
    dtp_xlsx *x = dtp_xlsx_open_file(fixture_path("per_standard_2022.xlsx"), NULL, &err);
    assert_non_null(x);
    memset(&got, 0, sizeof got);
    assert_int_equal(dtp_isosurvey_parse_xlsx(x, 0, collect, &got, NULL, &err), DTP_OK);
    assert_int_equal(got.n, want.n);
    assert_string_equal(got.v[0].f[1], "2022"); /* edition from the file name */
    rows_free(&got);
    dtp_xlsx_free(x);
    rows_free(&want);
}

/* ---- refusals ---- */

static void unplaced_workbook_names_what_it_saw(void **state)
{
    rows got;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(parse_fixture("unplaced_2020.xlsx", 2020, &got, NULL, &err),
                     DTP_ERR_UNSUPPORTED);
    assert_int_equal(got.n, 0);
    assert_string_equal(err.stage, "fetch");
    assert_string_equal(err.source, "isosurvey");
    assert_non_null(strstr(err.message, "unplaced_2020.xlsx"));
    assert_non_null(strstr(err.message, "sheets seen: 'ISO 9001', 'ISO 14001'"));
    assert_non_null(strstr(err.message, "ISO/IEC 27001"));
    assert_non_null(strstr(err.message, "Land/Sector"));
    assert_non_null(strstr(err.message, "certificates"));
    rows_free(&got);
}

static void sheet_without_header_names_rows_seen(void **state)
{
    rows got;
    dtp_error err;
    dtp_error_clear(&err);
    assert_int_equal(parse_fixture("no_header_2021.xlsx", 2021, &got, NULL, &err), DTP_ERR_PARSE);
    assert_non_null(strstr(err.message, "no_header_2021.xlsx"));
    assert_non_null(strstr(err.message, "sheet 'ISO IEC 27001'"));
    assert_non_null(strstr(err.message, "Country"));
    assert_non_null(strstr(err.message, "'Nation'"));
    assert_string_equal(err.locator, "ISO IEC 27001!A1");
    rows_free(&got);
}

static void not_a_zip_is_a_parse_error(void **state)
{
    dtp_error err;
    rows got;
    memset(&got, 0, sizeof got);
    dtp_error_clear(&err);
    dtp_status st = dtp_isosurvey_parse("hello", 5, "x.xlsx", 2020, NULL, collect, &got, &err);
    assert_int_equal(st, DTP_ERR_PARSE);
    assert_non_null(strstr(err.message, "x.xlsx"));
    rows_free(&got);
}

static dtp_status stop_at_third(void *ctx, const dtp_obs *o, dtp_error *err)
{
    int *n = ctx;
    if (++*n == 3)
        return dtp_error_set(err, DTP_ERR_DB, "fetch", "stop");
    return DTP_OK;
}

static void callback_status_stops_the_parse(void **state)
{
    size_t n;
    int count = 0;
    dtp_error err;
    void *b = slurp(fixture_path("per_standard_2022.xlsx"), &n);
    dtp_error_clear(&err);
    assert_int_equal(dtp_isosurvey_parse(b, n, "w", 2022, NULL, stop_at_third, &count, &err),
                     DTP_ERR_DB);
    assert_int_equal(count, 3);
    free(b);
}

static void sheet_names(void **state)
{
    const char *yes[] = {"ISO/IEC 27001",   "ISO IEC 27001", "ISO 27001",  "ISO_IEC_27001",
                         "iso iec 27001",   "ISO-IEC-27001", "ISO  27001", "ISO/IEC 27001:2013",
                         " ISO IEC 27001 ", "ISO 27001 2022"};
    const char *no[] = {"ISO 9001", "ISO 27017", "ISO/IEC 27701",   "ISO 270011",
                        "Sheet1",   "",          "ISO 27001 sites", "ISO 27001 123"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (!dtp_isosurvey_sheet_is_27001(yes[i]))
            fail_msg("'%s' should name 27001", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (dtp_isosurvey_sheet_is_27001(no[i]))
            fail_msg("'%s' should not name 27001", no[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(per_standard_2016_sectors),
        cmocka_unit_test(per_standard_2022_note_and_blanks),
        cmocka_unit_test(certificates_and_sites_by_header_text),
        cmocka_unit_test(per_country_old_edition),
        cmocka_unit_test(demo_editions),
        cmocka_unit_test(every_chunk_size_and_from_a_file),
        cmocka_unit_test(edition_from_workbook_name),
        cmocka_unit_test(edition_from_title_not_standard_version),
        cmocka_unit_test(standards_as_columns_pick_the_27001_column),
        cmocka_unit_test(merged_header_cells_apply_across),
        cmocka_unit_test(unnamed_sheet_placed_by_its_title),
        cmocka_unit_test(text_counts_and_non_numbers),
        cmocka_unit_test(edition_unknown_is_refused),
        cmocka_unit_test(unplaced_workbook_names_what_it_saw),
        cmocka_unit_test(sheet_without_header_names_rows_seen),
        cmocka_unit_test(not_a_zip_is_a_parse_error),
        cmocka_unit_test(callback_status_stops_the_parse),
        cmocka_unit_test(sheet_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
