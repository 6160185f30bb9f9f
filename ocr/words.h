/* What recognition hands to the page parsers: words and lines with boxes and confidences, in
 * page pixel coordinates of the original (not preprocessed) image. The image pipeline fills a
 * dtp_ocr_page; the label-driven parsers read it. Neither side needs the other to be tested. */
#ifndef DTP_OCR_WORDS_H
#define DTP_OCR_WORDS_H

#include <stddef.h>

typedef struct dtp_ocr_box {
    int x, y, w, h; /* pixels, origin top-left */
} dtp_ocr_box;

/* Grow a to cover b as well (negative sizes count as 0; the arithmetic is done in long and
 * clamped back to int, so a corrupt box cannot overflow). */
static inline void dtp_ocr_box_union(dtp_ocr_box *a, const dtp_ocr_box *b)
{
    long x0 = a->x < b->x ? a->x : b->x, y0 = a->y < b->y ? a->y : b->y;
    long x1 = (long)a->x + (a->w > 0 ? a->w : 0), y1 = (long)a->y + (a->h > 0 ? a->h : 0);
    long bx1 = (long)b->x + (b->w > 0 ? b->w : 0), by1 = (long)b->y + (b->h > 0 ? b->h : 0);
    long w = (bx1 > x1 ? bx1 : x1) - x0, h = (by1 > y1 ? by1 : y1) - y0;
    a->x = (int)x0;
    a->y = (int)y0;
    a->w = w > 0x7fffffffL ? 0x7fffffff : (int)w;
    a->h = h > 0x7fffffffL ? 0x7fffffff : (int)h;
}

typedef struct dtp_ocr_word {
    char *text; /* UTF-8, owned by the page */
    dtp_ocr_box box;
    float confidence; /* 0..100 as Tesseract reports it */
} dtp_ocr_word;

typedef struct dtp_ocr_line {
    dtp_ocr_word *words; /* owned by the page; nwords entries in reading order */
    size_t nwords;
    dtp_ocr_box box;
    float confidence; /* mean of word confidences, 0..100 */
} dtp_ocr_line;

typedef struct dtp_ocr_page {
    char image_sha256[65]; /* the raw artifact the page was read from */
    int width, height;     /* original image size in pixels */
    dtp_ocr_line *lines;   /* owned; nlines entries, top to bottom */
    size_t nlines;
} dtp_ocr_page;

#endif
