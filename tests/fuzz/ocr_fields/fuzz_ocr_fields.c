/* Fuzz the field rules and the layout parser. The input is used three ways: as one field text
 * for every validator; as a recognised page (lines split at '\n', words at '|', a word's box and
 * confidence taken from its bytes) for dtp_ocr_parse_page (and the walk over a list header's
 * unread columns, dtp_ocr_layout_unread_header), whose records are then judged and
 * written to the review queue; and as a corrections CSV applied to those records. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocr/corrections.h"
#include "ocr/layout.h"
#include "ocr/validate.h"

#define MAX_LINES 256
#define MAX_WORDS 64

static void validators(const char *s, size_t n)
{
    char iso[11], out[64], u[19], oc[10];
    int pos, ed;
    dtp_ocr_parse_date(s, iso);
    dtp_ocr_parse_status(s);
    dtp_ocr_parse_event_kind(s);
    dtp_ocr_standard_is_27001(s, &ed);
    dtp_ocr_check_cert_no(s, out, &pos);
    dtp_ocr_check_cert_no(s, out, NULL);
    dtp_ocr_cert_no_plausible(out);
    dtp_ocr_check_uscc(s, u, &pos);
    dtp_ocr_check_org_code(s, oc);
    dtp_ocr_parse_count(s);
    free(dtp_ocr_normalise_name(s, n));
    free(dtp_ocr_halfwidth(s, n));
    /* the repaired name is the input's head and a form: it fits in input + 18 bytes */
    char fixed[4096];
    if (dtp_ocr_name_form_repair(s, fixed, sizeof fixed, &pos) &&
        (strlen(fixed) > n + 18 || pos < 0 || !dtp_ocr_name_form_ok(fixed)))
        abort();
}

typedef struct ctx {
    const dtp_ocr_corrections *fix;
    FILE *out;
} ctx;

static dtp_status sink(void *p, dtp_ocr_record *rec, dtp_error *err)
{
    ctx *c = p;
    if (c->fix)
        dtp_ocr_corrections_apply(c->fix, rec, NULL, err);
    if (c->out)
        dtp_ocr_review_write_record(c->out, rec, NULL, err);
    return DTP_OK;
}

static void page_from(const char *s, size_t n, dtp_ocr_page *pg)
{
    memset(pg, 0, sizeof *pg);
    snprintf(pg->image_sha256, sizeof pg->image_sha256, "%064d", 0);
    pg->lines = calloc(MAX_LINES, sizeof *pg->lines);
    if (!pg->lines)
        return;
    size_t i = 0;
    while (i < n && pg->nlines < MAX_LINES) {
        size_t e = i;
        while (e < n && s[e] != '\n')
            e++;
        dtp_ocr_line *l = &pg->lines[pg->nlines++];
        l->box = (dtp_ocr_box){0, (int)pg->nlines * 20, 1000, 18};
        l->words = calloc(MAX_WORDS, sizeof *l->words);
        size_t w0 = i;
        int x = 0;
        for (size_t k = i; l->words && k <= e && l->nwords < MAX_WORDS; k++) {
            if (k < e && s[k] != '|')
                continue;
            size_t len = k - w0;
            dtp_ocr_word *w = &l->words[l->nwords++];
            w->text = malloc(len + 1);
            if (w->text) {
                memcpy(w->text, s + w0, len);
                w->text[len] = '\0';
            }
            unsigned char b = len ? (unsigned char)s[w0] : 0;
            w->box = (dtp_ocr_box){x, l->box.y + (b & 7) - 3, (int)len * 9 - (b & 1) * 40, 18};
            w->confidence = (float)(b % 101);
            x += (int)len * 9 + 12 - (b & 2) * 30;
            w0 = k + 1;
        }
        i = e + 1;
    }
}

static void page_free(dtp_ocr_page *pg)
{
    for (size_t i = 0; i < pg->nlines; i++) {
        for (size_t w = 0; w < pg->lines[i].nwords; w++)
            free(pg->lines[i].words[w].text);
        free(pg->lines[i].words);
    }
    free(pg->lines);
}

/* Every unread header column's words lie in the page (an empty stretch has none) and its box
 * is not inverted. */
static dtp_status unread(void *arg, const dtp_ocr_word *const *words, size_t n, dtp_ocr_box box,
                         int history, const int *named)
{
    (void)arg;
    (void)history;
    (void)named;
    if (box.w <= 0 || box.h <= 0 || (n > 0 && !words))
        abort();
    for (size_t i = 0; i < n; i++)
        if (!words[i])
            abort();
    return DTP_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    validators(s, strlen(s));

    dtp_error err;
    dtp_ocr_corrections *fix = NULL;
    dtp_ocr_corrections_read(s, size, "fuzz.csv", &fix, &err);
    ctx c = {fix, fopen("/dev/null", "w")};
    dtp_ocr_page pg;
    page_from(s, strlen(s), &pg);
    dtp_ocr_layout_opts o;
    dtp_ocr_layout_opts_default(&o);
    o.max_label_mismatch = size & 1 ? 1 : 2;
    dtp_ocr_parse_page(&pg, &o, sink, &c, &err);
    dtp_ocr_layout_unread_header(&pg, &o, unread, NULL, &err);
    page_free(&pg);
    if (c.out)
        fclose(c.out);
    dtp_ocr_corrections_free(fix);
    free(s);
    return 0;
}
