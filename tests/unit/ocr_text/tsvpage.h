/* Tesseract TSV output (the `tesseract ... tsv` config) as a dtp_ocr_page, for tests and the
 * layout evaluation bench: word rows (level 5) with a confidence >= 0, one page line per
 * Tesseract (block, paragraph, line), in the order Tesseract wrote them. Read with libcsv
 * (tab-separated, no quoting). Test/bench-only code: no caps beyond what fixtures need. */
#ifndef DTP_TEST_OCR_TSVPAGE_H
#define DTP_TEST_OCR_TSVPAGE_H

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocr/words.h"

typedef struct tsvpage_state {
    char *cell[12];
    size_t ncell;
    long row;
    dtp_ocr_page *pg;
    long block, par, line;
} tsvpage_state;

static inline long tsvpage_num(const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    return errno || end == s ? -1 : v;
}

static inline void tsvpage_cell(void *s, size_t len, void *ctx)
{
    tsvpage_state *t = ctx;
    if (t->ncell >= 12)
        return;
    char *c = malloc(len + 1);
    if (!c)
        return;
    memcpy(c, s, len);
    c[len] = '\0';
    t->cell[t->ncell++] = c;
}

static inline void tsvpage_row(int term, void *ctx)
{
    (void)term;
    tsvpage_state *t = ctx;
    if (t->row++ > 0 && t->ncell == 12 && tsvpage_num(t->cell[0]) == 5) {
        long block = tsvpage_num(t->cell[2]), par = tsvpage_num(t->cell[3]);
        long line = tsvpage_num(t->cell[4]);
        const char *text = t->cell[11];
        double conf = strtod(t->cell[10], NULL);
        dtp_ocr_page *pg = t->pg;
        if (text[0] && conf >= 0) {
            if (!pg->nlines || block != t->block || par != t->par || line != t->line) {
                pg->lines = realloc(pg->lines, (pg->nlines + 1) * sizeof *pg->lines);
                memset(&pg->lines[pg->nlines], 0, sizeof *pg->lines);
                pg->nlines++;
                t->block = block, t->par = par, t->line = line;
            }
            dtp_ocr_line *l = &pg->lines[pg->nlines - 1];
            l->words = realloc(l->words, (l->nwords + 1) * sizeof *l->words);
            dtp_ocr_word *w = &l->words[l->nwords++];
            w->text = malloc(strlen(text) + 1);
            memcpy(w->text, text, strlen(text) + 1);
            w->box = (dtp_ocr_box){(int)tsvpage_num(t->cell[6]), (int)tsvpage_num(t->cell[7]),
                                   (int)tsvpage_num(t->cell[8]), (int)tsvpage_num(t->cell[9])};
            w->confidence = (float)conf;
            if (l->nwords == 1) {
                l->box = w->box;
            } else {
                int x1 = l->box.x + l->box.w, y1 = l->box.y + l->box.h;
                int wx1 = w->box.x + w->box.w, wy1 = w->box.y + w->box.h;
                l->box.x = w->box.x < l->box.x ? w->box.x : l->box.x;
                l->box.y = w->box.y < l->box.y ? w->box.y : l->box.y;
                l->box.w = (wx1 > x1 ? wx1 : x1) - l->box.x;
                l->box.h = (wy1 > y1 ? wy1 : y1) - l->box.y;
            }
            l->confidence =
                (l->confidence * (float)(l->nwords - 1) + w->confidence) / (float)l->nwords;
        }
    }
    for (size_t i = 0; i < t->ncell; i++)
        free(t->cell[i]);
    t->ncell = 0;
}

/* Fill pg (zeroed by the caller) from TSV bytes. Returns 0 on success. */
static inline int tsvpage_read(const char *bytes, size_t n, dtp_ocr_page *pg)
{
    tsvpage_state t = {.pg = pg};
    struct csv_parser p;
    if (csv_init(&p, 0) != 0)
        return -1;
    csv_set_delim(&p, '\t');
    csv_set_quote(&p, '\0'); /* Tesseract writes text unquoted */
    int rc = csv_parse(&p, bytes, n, tsvpage_cell, tsvpage_row, &t) == n ? 0 : -1;
    csv_fini(&p, tsvpage_cell, tsvpage_row, &t);
    csv_free(&p);
    for (size_t i = 0; i < t.ncell; i++)
        free(t.cell[i]);
    return rc;
}

static inline void tsvpage_free(dtp_ocr_page *pg)
{
    for (size_t i = 0; i < pg->nlines; i++) {
        for (size_t w = 0; w < pg->lines[i].nwords; w++)
            free(pg->lines[i].words[w].text);
        free(pg->lines[i].words);
    }
    free(pg->lines);
    memset(pg, 0, sizeof *pg);
}

#endif
