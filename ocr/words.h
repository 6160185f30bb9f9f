/* What recognition hands to the page parsers: words and lines with boxes and confidences, in
 * page pixel coordinates of the original (not preprocessed) image. The image pipeline fills a
 * dtp_ocr_page; the label-driven parsers read it. Neither side needs the other to be tested. */
#ifndef DTP_OCR_WORDS_H
#define DTP_OCR_WORDS_H

#include <stddef.h>

typedef struct dtp_ocr_box {
    int x, y, w, h; /* pixels, origin top-left */
} dtp_ocr_box;

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
