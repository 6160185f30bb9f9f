/* Golden: the layout parser on recorded Tesseract output of the generated HTML pages, scored
 * against the HTML reader's values for the same pages (tests/fixtures/cnca/ocr_tsv/README.md).
 * The figures are exact so that any change in what the parser reads is seen; the one that must
 * stay low is "accepted but wrong". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ocr/capture.h"
#include "ocr/layout.h"
#include "testutil.h"
#include "tsvpage.h"

typedef struct score {
    int expected, found, correct, accepted, wrong_accepted;
    size_t events_right;
} score;

static score run(const char *name, collector *truth, collector *got)
{
    char rel[256];
    size_t n;
    snprintf(rel, sizeof rel, "cnca/ocr_tsv/%s.tsv", name);
    char *tsv = load_fixture(rel, &n);
    assert_non_null(tsv);
    dtp_ocr_page pg = {0};
    snprintf(pg.image_sha256, sizeof pg.image_sha256, "%s", name);
    assert_int_equal(tsvpage_read(tsv, n, &pg), 0);
    free(tsv);
    snprintf(rel, sizeof rel, "cnca/html/%s.html", name);
    char *html = load_fixture(rel, &n);
    assert_non_null(html);
    dtp_error err;
    assert_int_equal(dtp_ocr_parse_html_capture(html, n, "t", collect_cb, truth, &err), DTP_OK);
    free(html);
    assert_int_equal(dtp_ocr_parse_page(&pg, NULL, collect_cb, got, &err), DTP_OK);
    tsvpage_free(&pg);

    score s = {0};
    for (size_t i = 0; i < truth->n; i++) {
        dtp_ocr_record *tr = truth->recs[i], *gr = i < got->n ? got->recs[i] : NULL;
        for (int f = 0; f < DTP_OCR_NFIELDS; f++) {
            if (!tr->fields[f].value)
                continue;
            s.expected++;
            const dtp_ocr_field *gf = gr ? &gr->fields[f] : NULL;
            int ok = gf && gf->value && strcmp(gf->value, tr->fields[f].value) == 0;
            s.found += gf && gf->raw;
            s.correct += ok;
            s.accepted += gf && gf->accepted;
            s.wrong_accepted += gf && gf->accepted && !ok;
        }
        for (size_t e = 0; gr && e < tr->nevents && e < gr->nevents; e++)
            s.events_right += tr->events[e].kind == gr->events[e].kind &&
                              gr->events[e].date.value && tr->events[e].date.value &&
                              !strcmp(tr->events[e].date.value, gr->events[e].date.value);
    }
    return s;
}

static void expect(score s, int expected, int found, int correct, int accepted, int wrong,
                   size_t events)
{
    assert_int_equal(s.expected, expected);
    assert_int_equal(s.found, found);
    assert_int_equal(s.correct, correct);
    assert_int_equal(s.accepted, accepted);
    assert_int_equal(s.wrong_accepted, wrong);
    assert_int_equal(s.events_right, events);
}

static void test_detail_table(void **state)
{
    (void)state;
    collector t = {0}, g = {0};
    score s = run("detail_table", &t, &g);
    expect(s, 14, 14, 11, 11, 0, 6);
    /* I read as 1 in the certificate number, repaired by the CNCA shape */
    const dtp_ocr_field *c = &g.recs[0]->fields[DTP_OCR_F_CERT_NO];
    assert_string_equal(c->raw, "01121110123R0M");
    assert_string_equal(c->value, "01121I10123R0M");
    assert_true(dtp_ocr_field_has_flag(c, "cert_no_repaired:pos=5"));
    /* two misreads in the USCC: no repair, not accepted */
    assert_false(g.recs[0]->fields[DTP_OCR_F_USCC].accepted);
    /* 围 lost from the scope label: the value keeps its first character */
    assert_string_equal(g.recs[0]->fields[DTP_OCR_F_SCOPE].value,
                        "计算机软件开发及运维服务所涉及的信息安全管理活动");
    /* a table rule read as | before the date is not part of it */
    assert_string_equal(g.recs[0]->fields[DTP_OCR_F_EXPIRY_DATE].value, "2024-03-14");
    collector_free(&t);
    collector_free(&g);
}

static void test_other_pages(void **state)
{
    (void)state;
    collector t = {0}, g = {0};
    expect(run("detail_lines", &t, &g), 12, 10, 9, 8, 0, 0);
    collector_free(&t);
    collector_free(&g);
    /* wrong but accepted: a standard text (no rule checks free text) */
    expect(run("detail_grid", &t, &g), 10, 9, 8, 6, 1, 0);
    collector_free(&t);
    collector_free(&g);
    /* the 认证项目 header was not recognised at all: its values land in a neighbouring column */
    /* (the organisation name cut short at 有限公 by that column is not accepted: the legal
     * form rule sends it to review) */
    expect(run("list_table", &t, &g), 18, 14, 9, 7, 1, 0);
    assert_int_equal(g.n, 3);
    collector_free(&t);
    collector_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detail_table),
        cmocka_unit_test(test_other_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
