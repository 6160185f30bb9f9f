/* Hand-built recognised pages (dtp_ocr_page) for the layout parser's tests: what Tesseract
 * would hand over, with words placed where a registry page prints them. Test-only code. */
#ifndef DTP_TEST_OCR_PAGEBUILD_H
#define DTP_TEST_OCR_PAGEBUILD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocr/words.h"

#define PB_CJK_W 16  /* pixels per Chinese character */
#define PB_ASCII_W 9 /* pixels per Latin character or digit */
#define PB_GAP 12    /* between words */
#define PB_LINE_H 20

static inline int pb_text_width(const char *t)
{
    int w = 0;
    for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
        if (*p < 0x80)
            w += PB_ASCII_W;
        else if ((*p & 0xC0) != 0x80)
            w += PB_CJK_W;
    }
    return w;
}

static inline void pb_init(dtp_ocr_page *pg, const char *sha)
{
    memset(pg, 0, sizeof *pg);
    snprintf(pg->image_sha256, sizeof pg->image_sha256, "%s", sha);
    pg->width = 1400;
    pg->height = 2000;
}

/* Start a new line at y. */
static inline void pb_line(dtp_ocr_page *pg, int y)
{
    pg->lines = realloc(pg->lines, (pg->nlines + 1) * sizeof *pg->lines);
    dtp_ocr_line *l = &pg->lines[pg->nlines++];
    memset(l, 0, sizeof *l);
    l->box = (dtp_ocr_box){0, y, 0, PB_LINE_H};
}

/* Add a word to the current line at x (its width from its characters). */
static inline void pb_word(dtp_ocr_page *pg, const char *text, int x, float conf)
{
    dtp_ocr_line *l = &pg->lines[pg->nlines - 1];
    l->words = realloc(l->words, (l->nwords + 1) * sizeof *l->words);
    dtp_ocr_word *w = &l->words[l->nwords++];
    size_t n = strlen(text);
    w->text = malloc(n + 1);
    memcpy(w->text, text, n + 1);
    w->box = (dtp_ocr_box){x, l->box.y, pb_text_width(text), PB_LINE_H};
    w->confidence = conf;
    /* line box and mean confidence */
    int x0 = l->nwords == 1 ? x : (x < l->box.x ? x : l->box.x);
    int x1 = l->nwords == 1
                 ? x + w->box.w
                 : (x + w->box.w > l->box.x + l->box.w ? x + w->box.w : l->box.x + l->box.w);
    l->box.x = x0;
    l->box.w = x1 - x0;
    l->confidence = (l->confidence * (float)(l->nwords - 1) + conf) / (float)l->nwords;
}

/* A line of words separated by '|' starting at x, all with confidence conf. */
static inline void pb_words(dtp_ocr_page *pg, int y, int x, float conf, const char *spec)
{
    pb_line(pg, y);
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec);
    char *s = buf;
    while (s) {
        char *bar = strchr(s, '|');
        if (bar)
            *bar = '\0';
        if (*s) {
            pb_word(pg, s, x, conf);
            x += pb_text_width(s) + PB_GAP;
        }
        s = bar ? bar + 1 : NULL;
    }
}

static inline void pb_free(dtp_ocr_page *pg)
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
