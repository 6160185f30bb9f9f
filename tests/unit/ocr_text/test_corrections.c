/* Review queue rows and reviewer corrections applied to OCR records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ocr/corrections.h"
#include "testutil.h"

#define SHA "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void set(dtp_ocr_field *f, const char *raw, float conf, int x)
{
    dtp_ocr_box b = {x, 100, 50, 20};
    assert_int_equal(dtp_ocr_field_set_raw(f, raw, strlen(raw), NULL, &b, conf), DTP_OK);
}

/* An OCR list row with a misread date, a low-confidence name and a history row. */
static dtp_ocr_record *ocr_row(void)
{
    dtp_ocr_record *r = dtp_ocr_record_new(DTP_OCR_RECORD_LIST_ROW, SHA, 4);
    assert_non_null(r);
    set(&r->fields[DTP_OCR_F_CERT_NO], "0O216X1OO97R1S", 70, 10); /* two misreads: review */
    set(&r->fields[DTP_OCR_F_ORG_NAME], "山东泓达生物科技有限公司", 41, 100);
    set(&r->fields[DTP_OCR_F_EXPIRY_DATE], "2018-O9-15", 90, 300);
    set(&r->fields[DTP_OCR_F_STATUS], "有效", 95, 400);
    dtp_ocr_event *e;
    assert_int_equal(dtp_ocr_record_add_event(r, &e), DTP_OK);
    set(&e->activity, "监督审核", 92, 10);
    set(&e->date, "2017-13-01", 92, 300);
    dtp_error err;
    assert_int_equal(dtp_ocr_record_validate(r, 60.0f, &err), DTP_OK);
    assert_true(r->review_needed);
    return r;
}

static char *read_all(FILE *f)
{
    long n = ftell(f);
    rewind(f);
    char *b = calloc(1, (size_t)n + 1);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    return b;
}

static void test_review_queue(void **state)
{
    (void)state;
    dtp_ocr_record *r = ocr_row();
    FILE *f = tmpfile();
    dtp_error err;
    size_t n = 0;
    assert_int_equal(dtp_ocr_review_write_header(f, &err), DTP_OK);
    assert_int_equal(dtp_ocr_review_write_record(f, r, &n, &err), DTP_OK);
    assert_int_equal(n, 4);
    char *got = read_all(f);
    const char *want =
        "artifact_sha256,record_key,field,ocr_text,confidence,reason,crop_file\n"
        "\"" SHA "\",\"row:4\",\"cert_no\",\"0O216X1OO97R1S\",\"70.0\","
        "\"certificate number does not have the cnca shape\","
        "\"0123456789abcdef_row_4_cert_no.png\"\n"
        "\"" SHA "\",\"row:4\",\"org_name\",\"山东泓达生物科技有限公司\",\"41.0\","
        "\"confidence 41 below 60\",\"0123456789abcdef_row_4_org_name.png\"\n"
        "\"" SHA "\",\"row:4\",\"expiry_date\",\"2018-O9-15\",\"90.0\","
        "\"not a calendar date in a known form\",\"0123456789abcdef_row_4_expiry_date.png\"\n"
        "\"" SHA "\",\"row:4\",\"event[0].date\",\"2017-13-01\",\"92.0\","
        "\"not a calendar date in a known form\",\"0123456789abcdef_row_4_event_0_.date.png\"\n";
    assert_string_equal(got, want);
    char crop[128];
    assert_string_equal(
        dtp_ocr_review_crop_name(SHA, "00216Q10097R1S/1", "cert_no", crop, sizeof crop),
        "0123456789abcdef_00216Q10097R1S_1_cert_no.png");
    free(got);
    fclose(f);

    /* a text capture's field without a box gets no crop file; quotes are doubled */
    f = tmpfile();
    dtp_ocr_review_row row = {SHA, "k", "scope", "a \"quoted\", text", 100.0f, "why", ""};
    assert_int_equal(dtp_ocr_review_write_row(f, &row, &err), DTP_OK);
    got = read_all(f);
    assert_string_equal(got, "\"" SHA "\",\"k\",\"scope\",\"a \"\"quoted\"\", text\",\"100.0\","
                             "\"why\",\"\"\n");
    free(got);
    fclose(f);
    dtp_ocr_record_free(r);
}

static dtp_ocr_corrections *read_csv(const char *csv, dtp_status want, dtp_error *err)
{
    dtp_ocr_corrections *c = NULL;
    dtp_error_clear(err);
    dtp_status st = dtp_ocr_corrections_read(csv, strlen(csv), "fix.csv", &c, err);
    if (st != want)
        fail_msg("%s: %s (%s)", csv, dtp_strerror(st), err->message);
    return c;
}

static void test_apply(void **state)
{
    (void)state;
    dtp_error err;
    /* BOM, columns in another order, an extra column, quoted cells, a row for another artifact
     * and a row for another record of this artifact */
    const char *csv =
        "\xEF\xBB\xBF"
        "reviewer,field,value,artifact_sha256,date,record_key,note\n"
        "lw,cert_no,00216Q10097R1S," SHA ",2026-11-21,row:4,\"seen on crop, clear\"\n"
        "lw,org_name,\"山东泓达生物科技有限公司\"," SHA ",2026年11月21日,row:4,\n"
        "lw,expiry_date,2018/09/15," SHA ",20261121,,\n"
        "lw,event[0].date,2017-12-01," SHA ",2026-11-21,row:4,\n"
        "lw,status,注销," SHA ",2026-11-21,row:5,other record\n"
        "lw,status,注销,1111111111111111111111111111111111111111111111111111111111111111,"
        "2026-11-21,,other artifact\n";
    dtp_ocr_corrections *c = read_csv(csv, DTP_OK, &err);
    assert_int_equal(c->n, 6);
    assert_string_equal(c->items[1].date, "2026-11-21");
    assert_null(c->items[2].record_key);

    dtp_ocr_record *r = ocr_row();
    size_t applied = 0;
    assert_int_equal(dtp_ocr_corrections_apply(c, r, &applied, &err), DTP_OK);
    assert_int_equal(applied, 4);
    dtp_ocr_field *f = &r->fields[DTP_OCR_F_CERT_NO];
    assert_string_equal(f->value, "00216Q10097R1S");
    assert_string_equal(f->raw, "0O216X1OO97R1S"); /* OCR text kept as evidence */
    assert_true(f->accepted);
    assert_true(f->reviewed);
    assert_null(f->reason);
    assert_string_equal(f->reviewer, "lw");
    assert_string_equal(f->review_date, "2026-11-21");
    assert_true(dtp_ocr_field_has_flag(f, "reviewed"));
    assert_true(f->has_box);
    assert_string_equal(fv(r, DTP_OCR_F_EXPIRY_DATE), "2018-09-15");
    assert_string_equal(r->events[0].date.value, "2017-12-01");
    assert_int_equal(r->status, DTP_OCR_STATUS_VALID); /* row:5's correction not applied */
    assert_false(r->review_needed);

    /* validating again keeps reviewed values */
    assert_int_equal(dtp_ocr_record_validate(r, 60.0f, &err), DTP_OK);
    assert_string_equal(fv(r, DTP_OCR_F_CERT_NO), "00216Q10097R1S");
    assert_false(r->review_needed);
    dtp_ocr_record_free(r);
    dtp_ocr_corrections_free(c);

    /* a status word is stored in canonical form; an activity sets the event kind */
    c = read_csv("artifact_sha256,field,value,reviewer,date\n" SHA
                 ",status,注销,lw,2026-11-21\n" SHA ",event[0].activity,再认证,lw,2026-11-21\n",
                 DTP_OK, &err);
    r = ocr_row();
    assert_int_equal(dtp_ocr_corrections_apply(c, r, &applied, &err), DTP_OK);
    assert_int_equal(r->status, DTP_OCR_STATUS_CANCELLED);
    assert_string_equal(fv(r, DTP_OCR_F_STATUS), "cancelled");
    assert_int_equal(r->events[0].kind, DTP_OCR_EVENT_RECERT);
    dtp_ocr_record_free(r);
    dtp_ocr_corrections_free(c);
}

static void test_rejected_values(void **state)
{
    (void)state;
    dtp_error err;
    static const struct {
        const char *row, *msg;
    } cases[] = {
        {SHA ",expiry_date,2018-02-30,lw,2026-11-21",
         "corrections: expiry_date value \"2018-02-30\": not a calendar date in a known form"},
        {SHA ",status,valid-ish,lw,2026-11-21",
         "corrections: status value \"valid-ish\": status word not in the vocabulary"},
        {SHA ",uscc,760038087,lw,2026-11-21",
         "corrections: uscc value \"760038087\": an organisation code, not a uscc"},
        {SHA ",event[3].date,2017-12-01,lw,2026-11-21",
         "corrections: event[3].date: the record has 1 history rows"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char csv[512];
        snprintf(csv, sizeof csv, "artifact_sha256,field,value,reviewer,date\n%s\n", cases[i].row);
        dtp_ocr_corrections *c = read_csv(csv, DTP_OK, &err);
        dtp_ocr_record *r = ocr_row();
        assert_int_equal(dtp_ocr_corrections_apply(c, r, NULL, &err), DTP_ERR_VALIDATION);
        assert_string_equal(err.message, cases[i].msg);
        assert_string_equal(err.locator, "fix.csv:row 1");
        dtp_ocr_record_free(r);
        dtp_ocr_corrections_free(c);
    }
}

static void test_bad_files(void **state)
{
    (void)state;
    dtp_error err;
    static const struct {
        const char *csv, *msg;
    } cases[] = {
        {"", "corrections: no header row"},
        {"artifact_sha256,field,value,reviewer\n", "corrections: missing column date"},
        {"artifact_sha256,field,value,reviewer,date\nabc,cert_no,x,lw,2026-11-21\n",
         "corrections: artifact_sha256 is not 64 hex characters: \"abc\""},
        {"artifact_sha256,field,value,reviewer,date\n" SHA ",nope,x,lw,2026-11-21\n",
         "corrections: unknown field \"nope\""},
        {"artifact_sha256,field,value,reviewer,date\n" SHA ",event[x].date,x,lw,2026-11-21\n",
         "corrections: unknown field \"event[x].date\""},
        {"artifact_sha256,field,value,reviewer,date\n" SHA ",cert_no,,lw,2026-11-21\n",
         "corrections: empty value for field \"cert_no\""},
        {"artifact_sha256,field,value,reviewer,date\n" SHA ",cert_no,x,,2026-11-21\n",
         "corrections: no reviewer for field \"cert_no\""},
        {"artifact_sha256,field,value,reviewer,date\n" SHA ",cert_no,x,lw,yesterday\n",
         "corrections: review date is not a date: \"yesterday\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        read_csv(cases[i].csv, DTP_ERR_PARSE, &err);
        assert_string_equal(err.message, cases[i].msg);
    }
    /* malformed quoting under CSV_STRICT */
    read_csv("artifact_sha256,field,value,reviewer,date\n\"" SHA "\"x,cert_no,x,lw,2026-11-21\n",
             DTP_ERR_PARSE, &err);
    read_csv("artifact_sha256,field,value,reviewer,date\n\"unterminated", DTP_ERR_PARSE, &err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_review_queue),
        cmocka_unit_test(test_apply),
        cmocka_unit_test(test_rejected_values),
        cmocka_unit_test(test_bad_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
