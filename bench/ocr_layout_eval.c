/* How the label-driven layout parser does on real Tesseract output, scored against the text
 * capture of the same page. The generated HTML fixtures (tests/fixtures/cnca/html) are
 * rendered, recognised by the tesseract command (TSV output), turned into a dtp_ocr_page, and
 * parsed; the HTML reader's values for the same file are the truth.
 *
 *   chromium --headless --no-sandbox --hide-scrollbars --window-size=1280,900 \
 *       --screenshot=p.png file://$PWD/tests/fixtures/cnca/html/detail_table.html
 *   OMP_THREAD_LIMIT=1 tesseract p.png p -l chi_sim+eng tsv
 *   build/bench/bench_ocr_layout_eval p.tsv tests/fixtures/cnca/html/detail_table.html [60]
 *
 * Prints, over the fields the truth has: found (a value was read), correct (normalised value
 * equal to the truth), accepted, and accepted-but-wrong — the figure the accept rules exist to
 * keep at zero. The TSV is read with libcsv (tests/unit/ocr_text/tsvpage.h); its lines go to
 * the parser as Tesseract made them (per block, paragraph and line). Recorded TSVs of the four
 * fixtures are in tests/fixtures/cnca/ocr_tsv. Evaluation program: prints, exits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocr/capture.h"
#include "ocr/layout.h"
#include "tests/unit/ocr_text/tsvpage.h"

#define MAX_RECS 64

typedef struct recs {
    dtp_ocr_record *r[MAX_RECS];
    size_t n;
} recs;

static dtp_status keep(void *ctx, dtp_ocr_record *rec, dtp_error *err)
{
    (void)err;
    recs *k = ctx;
    if (k->n >= MAX_RECS)
        return DTP_OK;
    dtp_ocr_record *c = malloc(sizeof *c);
    if (!c)
        return DTP_ERR_NOMEM;
    *c = *rec;
    memset(rec->fields, 0, sizeof rec->fields);
    rec->events = NULL;
    rec->nevents = rec->events_cap = 0;
    k->r[k->n++] = c;
    return DTP_OK;
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)len + 1);
    if (b && fread(b, 1, (size_t)len, f) != (size_t)len) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b)
        b[len] = '\0';
    *n = (size_t)len;
    return b;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s page.tsv page.html [min_confidence]\n", argv[0]);
        return 2;
    }
    size_t tn, hn;
    char *tb = slurp(argv[1], &tn), *hb = slurp(argv[2], &hn);
    if (!tb || !hb) {
        fprintf(stderr, "cannot read inputs\n");
        return 1;
    }
    dtp_ocr_page pg = {0};
    snprintf(pg.image_sha256, sizeof pg.image_sha256, "eval");
    tsvpage_read(tb, tn, &pg);

    dtp_ocr_layout_opts o;
    dtp_ocr_layout_opts_default(&o);
    if (argc > 3)
        o.min_confidence = strtof(argv[3], NULL);
    recs truth = {0}, got = {0};
    dtp_error err;
    if (dtp_ocr_parse_html_capture(hb, hn, "eval", keep, &truth, &err) != DTP_OK) {
        fprintf(stderr, "truth: %s\n", err.message);
        return 1;
    }
    dtp_status st = dtp_ocr_parse_page(&pg, &o, keep, &got, &err);
    if (st != DTP_OK)
        fprintf(stderr, "layout: %s\n", err.message);

    int expected = 0, found = 0, correct = 0, accepted = 0, wrong_accepted = 0;
    for (size_t i = 0; i < truth.n; i++) {
        dtp_ocr_record *tr = truth.r[i], *gr = i < got.n ? got.r[i] : NULL;
        for (int f = 0; f < DTP_OCR_NFIELDS; f++) {
            const dtp_ocr_field *tf = &tr->fields[f];
            if (!tf->value)
                continue;
            expected++;
            const dtp_ocr_field *gf = gr ? &gr->fields[f] : NULL;
            int ok = gf && gf->value && strcmp(gf->value, tf->value) == 0;
            found += gf && gf->raw;
            correct += ok;
            accepted += gf && gf->accepted;
            wrong_accepted += gf && gf->accepted && !ok;
            printf("  %-3zu %-18s %-4s %-3s conf %5.1f  truth \"%s\"  read \"%s\"%s%s\n", i,
                   dtp_ocr_field_name((dtp_ocr_field_id)f), ok ? "ok" : "BAD",
                   gf && gf->accepted ? "acc" : "-", gf ? (double)gf->confidence : 0.0, tf->value,
                   gf && gf->raw ? gf->raw : "", gf && gf->flags ? "  flags " : "",
                   gf && gf->flags ? gf->flags : "");
        }
        size_t ev_ok = 0;
        for (size_t e = 0; gr && e < tr->nevents && e < gr->nevents; e++)
            ev_ok += tr->events[e].kind == gr->events[e].kind && gr->events[e].date.value &&
                     tr->events[e].date.value &&
                     !strcmp(tr->events[e].date.value, gr->events[e].date.value);
        if (tr->nevents)
            printf("  %-3zu history: %zu of %zu events with kind and date right (%zu read)\n", i,
                   ev_ok, tr->nevents, gr ? gr->nevents : 0);
    }
    printf("%s: records %zu/%zu, fields %d: found %d, correct %d, accepted %d, accepted but "
           "wrong %d (min confidence %.0f)\n",
           argv[2], got.n, truth.n, expected, found, correct, accepted, wrong_accepted,
           (double)o.min_confidence);
    for (size_t i = 0; i < truth.n; i++)
        dtp_ocr_record_free(truth.r[i]);
    for (size_t i = 0; i < got.n; i++)
        dtp_ocr_record_free(got.r[i]);
    tsvpage_free(&pg);
    free(tb);
    free(hb);
    return 0;
}
